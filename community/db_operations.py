"""Migration operations for what one database engine has and the other has not.

The same migrations build both engines (PostgreSQL in production, SQLite by default), so a
feature of one engine (a trigger language, a GIN index, an FTS5 table) is created by an
operation that runs on that engine only and does nothing on the other:

    RunSQLOn("postgresql", sql="CREATE INDEX … USING gin …", reverse_sql="DROP INDEX …")

Why not `Meta.indexes = [GinIndex(…)]`: SQLite's schema editor has no USING clause, so a
GinIndex becomes a plain (useless) B-tree there, and one with an operator class
(`gin_trgm_ops`) is a syntax error that stops `migrate` on the default install.
"""

from django.db import migrations


class RunSQLOn(migrations.RunSQL):
    """RunSQL on the databases whose `connection.vendor` is `vendor` ("postgresql",
    "sqlite"); a no-op elsewhere, both ways."""

    def __init__(self, vendor, sql, reverse_sql=None, **kwargs):
        super().__init__(sql, reverse_sql, **kwargs)
        self.vendor = vendor

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {"vendor": self.vendor, **kwargs}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL on {self.vendor}"
