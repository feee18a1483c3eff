"""Django's PostgreSQL backend with a connection pool that hands out its newest idle
connection first (base.py says why); DATABASE_URL's postgres:// selects it."""
