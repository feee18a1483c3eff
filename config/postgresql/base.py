"""Django's PostgreSQL backend, but its psycopg pool lends the connection given back last
(a stack), where psycopg_pool lends the one idle longest (a queue).

A queue turns light traffic through every connection a burst opened, and a server process
that has sat idle since its last turn answers more slowly than the one that just served: one
client's two-word searches on the large dataset took 33 ms p50 before three seconds of eight
clients at once and 36 to 37 ms after them; with a stack, 32 ms after them too
(bench/README.md, 2026-12-07, third sitting). PgBouncer reuses server connections
last-in-first-out by default for the same reason, and SQLAlchemy offers it (pool_use_lifo);
psycopg_pool has no such option (3.3), so this swaps its idle deque for one whose popleft()
takes from the right, the side append() gives back to. The pool's own lock guards every use
of that deque, so the swap takes it too. Shrinking (a connection closed when some sat unused
for max_idle) takes the same end, the newest: the pool still shrinks, and the next request
reuses the one below. A later psycopg_pool that keeps its idle connections otherwise is left
as it is (a queue), and the backend's test fails."""

from collections import deque

from django.db.backends.postgresql import base


class IdleStack(deque):
    def popleft(self):
        return self.pop()


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and type(getattr(pool, "_pool", None)) is deque:
            with pool._lock:
                if type(pool._pool) is deque:
                    pool._pool = IdleStack(pool._pool)
        return pool
