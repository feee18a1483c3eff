"""The search index of each kind, kept current by the database itself.

Every write path keeps it current, because the database does it: services, the admin
site, `QuerySet.update()`, the benchmark's `bulk_create` loaders and the community import
all write rows, and triggers on those rows update the index in the same transaction.

PostgreSQL: a `search_vector` tsvector column beside the row, weighted (a title "A", a body
"B"), written by a BEFORE INSERT OR UPDATE OF <the indexed columns> trigger, with a GIN
index. A trigger rather than a stored generated column because:
- a generated column is recomputed on every UPDATE of the row, and posts are updated far
  more often by the like and comment recount tasks than by edits: the trigger runs only
  when an indexed column is written;
- a generated column bakes the language into the table: changing it means dropping and
  adding the column (a rewrite under an exclusive lock); with the trigger, the language is
  one function, `agora_search_config()`, replaced in an instant, and the rows re-indexed
  in batches (`manage.py rebuild_search_index`).
The column is not a model field: it would be a dead NULL column on SQLite, read by every
query of every feed on PostgreSQL (a vector is about as long as its body) and written into
community exports. Queries name it through search.postgres.VECTOR.

Queries read the language from `agora_search_config()` too, so they always agree with the
stored vectors, even when SEARCH_LANGUAGE was changed and the index not yet rebuilt (a
check says so: community.W101).

SQLite: an FTS5 table per kind with external content (the row's own table: nothing is
stored twice, and snippet() reads the text from there), kept by AFTER INSERT / DELETE /
UPDATE OF triggers; the porter stemmer for English, plain unicode61 otherwise. SQLite's
schema editor rebuilds a table for many field changes and that drops its triggers: after
every `migrate`, `repair_sqlite_triggers` puts back those missing and re-indexes the kind.

Each app creates its kinds' indexes in a migration with `operations(table, columns)`; the
same SQL is what rebuild_search_index runs for every registered source.
"""

import re

from django.conf import settings
from django.db import connection

from community.db_operations import RunSQLOn

WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2, "D": 0.1}  # PostgreSQL's defaults, bm25 mirrors them
VECTOR_COLUMN = "search_vector"
CONFIG_FUNCTION = "agora_search_config"
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _check_name(name):
    # Table, column and language names are written into DDL: identifiers only.
    if not _NAME.fullmatch(name):
        raise ValueError(f"Not a plain SQL name: {name!r}")
    return name


def language():
    return _check_name(settings.SEARCH_LANGUAGE)


def fts_table(table):
    return f"{table}_fts"


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_config_sql(name):
    """The function every trigger and query reads the language from."""
    return (
        f"CREATE OR REPLACE FUNCTION {CONFIG_FUNCTION}() RETURNS regconfig "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '{_check_name(name)}'::regconfig $$"
    )


def postgres_create(table, columns, *, backfill=True):
    """Column, trigger and GIN index, and the vectors of the rows already there unless
    `backfill` is False (idempotent)."""
    _check_name(table)
    document = " || ".join(
        f"setweight(to_tsvector({CONFIG_FUNCTION}(), coalesce(NEW.{_check_name(column)}, '')),"
        f" '{weight}')"
        for column, weight in columns.items()
    )
    first = next(iter(columns))
    return [
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {VECTOR_COLUMN} tsvector",
        f"CREATE OR REPLACE FUNCTION {table}_search_vector() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN NEW.{VECTOR_COLUMN} := {document}; RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}",
        f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF "
        f"{', '.join(columns)} ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_vector()",
        # Fires the trigger on the rows already there.
        *([f"UPDATE {table} SET {first} = {first}"] if backfill else []),  # noqa: S608 - plain names (_check_name)
        f"CREATE INDEX IF NOT EXISTS {table}_search_idx ON {table} USING gin ({VECTOR_COLUMN})",
    ]


def postgres_drop(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_search_vector()",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS {VECTOR_COLUMN}",  # drops its index too
    ]


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_tokenizer(name):
    # FTS5's only stemmer is Porter's, for English; other languages match whole words.
    base = "unicode61 remove_diacritics 2"
    return f"porter {base}" if name == "english" else base


def _sqlite_triggers(table, columns):
    fts = fts_table(table)
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608 - plain names (_check_name)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608 - plain names (_check_name)
    return {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_update": f"AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END",
    }


def sqlite_create(table, columns, name):
    fts = fts_table(table)
    for column in (table, *columns):
        _check_name(column)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({', '.join(columns)}, "
        f"content='{table}', content_rowid='id', tokenize='{sqlite_tokenizer(name)}', "
        "prefix='2 3')",
        *(
            f"CREATE TRIGGER IF NOT EXISTS {trigger} {body}"
            for trigger, body in _sqlite_triggers(table, columns).items()
        ),
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608 - plain names (_check_name)
    ]


def sqlite_drop(table):
    fts = fts_table(table)
    return [
        *(f"DROP TRIGGER IF EXISTS {fts}_{event}" for event in ("insert", "delete", "update")),
        f"DROP TABLE IF EXISTS {fts}",
    ]


# --- Migrations and rebuilds -----------------------------------------------------------------


def config_operations():
    """community's 0015_search creates the language function every index uses."""
    return [
        RunSQLOn(
            "postgresql",
            [postgres_config_sql(language())],
            [f"DROP FUNCTION IF EXISTS {CONFIG_FUNCTION}()"],
        )
    ]


def operations(table, columns):
    """The migration operations that index `table`'s `columns` ({column: weight "A" to "D"},
    the same a source's `columns` says) on either engine. The language is the current
    SEARCH_LANGUAGE, read when migrations load (the index is derived data, rebuilt whole
    when it changes)."""
    return [
        RunSQLOn("postgresql", postgres_create(table, columns), postgres_drop(table)),
        RunSQLOn("sqlite", sqlite_create(table, columns, language()), sqlite_drop(table)),
    ]


def _execute(statements, params=None):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)


def rebuild(sources, name, *, batch=10_000):
    """Builds every source's index again in the language `name` (rebuild_search_index).
    On PostgreSQL the rows are re-indexed `batch` ids at a time, each batch its own
    transaction, so that no write waits behind the whole table."""
    _check_name(name)
    if connection.vendor != "postgresql":
        for source in sources:
            created = sqlite_create(source.table, source.columns, name)
            _execute([*sqlite_drop(source.table), *created])
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
        if cursor.fetchone() is None:
            raise ValueError(f"PostgreSQL has no text search configuration “{name}”.")
    _execute([postgres_config_sql(name)])
    for source in sources:
        table, first = source.table, next(iter(source.columns))
        _execute(postgres_create(table, source.columns, backfill=False))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - plain names (_check_name)
            top = cursor.fetchone()[0]
        for start in range(0, top + 1, batch):
            _execute(
                [f"UPDATE {table} SET {first} = {first} WHERE id >= %s AND id < %s"],  # noqa: S608 - plain names (_check_name)
                [start, start + batch],
            )
        # Every vector is new: the planner's word statistics are read again now rather than
        # when autovacuum gets to the table (it had guessed a match at 100 rows of 780,259).
        _execute([f"ANALYZE {table}"])


def agrees_with_setting():
    """False when SEARCH_LANGUAGE was changed since the index was built (None before the
    search migration ran)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_regproc(%s) IS NOT NULL", [CONFIG_FUNCTION])
            if not cursor.fetchone()[0]:
                return None
            cursor.execute(f"SELECT {CONFIG_FUNCTION}()::text")
            return cursor.fetchone()[0] == language()
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'community_post_fts'")
        row = cursor.fetchone()
    return None if row is None else f"tokenize='{sqlite_tokenizer(language())}'" in row[0]


def repair_sqlite_triggers(sources):
    """Puts back the triggers a table rebuild by SQLite's schema editor dropped, and
    re-indexes those kinds (rows written meanwhile were not indexed). Runs after `migrate`."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
    for source in sources:
        triggers = _sqlite_triggers(source.table, source.columns)
        if fts_table(source.table) in present and not present.issuperset(triggers):
            # The statements after CREATE VIRTUAL TABLE: the triggers, then 'rebuild'.
            _execute(sqlite_create(source.table, source.columns, language())[1:])
