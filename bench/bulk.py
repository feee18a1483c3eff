"""PostgreSQL bulk-loading helpers: id reservation, COPY, and dropping a table's secondary
indexes and constraints during a load and rebuilding them afterwards (which also checks
them: a duplicate like or a dangling foreign key fails the rebuild, and the whole load
rolls back with it).

Table names come from this package's own code, never from input, so the few statements
built with f-strings below are safe (hence the `noqa: S608`).
"""

from dataclasses import dataclass, field


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def reserve_ids(cursor, table, count):
    """Reserves `count` consecutive ids of `table` (identity column `id`) and returns the
    first: rows are then COPYed with explicit ids, so foreign keys need no round trip. The
    sequence is moved past the block first, so rows inserted meanwhile do not collide."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT GREATEST(COALESCE((SELECT max(id) FROM {quote(table)}), 0),"  # noqa: S608
        f" (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}))"
    )
    first = cursor.fetchone()[0] + 1
    if count > 0:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def copy_rows(cursor, table, columns, rows, progress=None, every=5_000):
    """COPY `rows` (an iterable of tuples in `columns` order) into `table`; returns the
    number of rows written."""
    statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    written = 0
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
            if progress is not None and written % every == 0:
                progress.advance(every)
    if progress is not None:
        progress.advance(written % every)
    return written


@dataclass
class SavedIndexes:
    table: str
    constraints: list = field(default_factory=list)  # (name, definition), unique + foreign
    indexes: list = field(default_factory=list)  # (name, CREATE INDEX statement)


def estimated_rows(cursor, table):
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    return max(cursor.fetchone()[0], 0)


def drop_secondary_indexes(cursor, table):
    """Drops every index and unique/foreign-key constraint of `table` except its primary
    key (and check constraints, which are cheap); returns what restore_indexes rebuilds."""
    saved = SavedIndexes(table)
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
        [table],
    )
    saved.constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
        "  AND c.conrelid = x.indrelid AND c.contype IN ('u', 'p', 'x'))"
        " ORDER BY i.relname",
        [table],
    )
    saved.indexes = cursor.fetchall()
    for name, _definition in saved.constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in saved.indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    return saved


def restore_indexes(cursor, saved, progress=None):
    """Rebuilds what drop_secondary_indexes removed: unique constraints, then indexes, then
    foreign keys (each validated against the loaded rows)."""
    uniques = [c for c in saved.constraints if c[1].startswith("UNIQUE")]
    foreign = [c for c in saved.constraints if not c[1].startswith("UNIQUE")]
    for name, definition in uniques:
        cursor.execute(
            f"ALTER TABLE {quote(saved.table)} ADD CONSTRAINT {quote(name)} {definition}"
        )
        if progress is not None:
            progress.advance()
    for _name, statement in saved.indexes:
        cursor.execute(statement)
        if progress is not None:
            progress.advance()
    for name, definition in foreign:
        cursor.execute(
            f"ALTER TABLE {quote(saved.table)} ADD CONSTRAINT {quote(name)} {definition}"
        )
        if progress is not None:
            progress.advance()
