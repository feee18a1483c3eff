"""Matching on SQLite: each kind's FTS5 table (search/indexes.py), bm25() for the rank and
snippet() for the highlighted text.

Written as SQL by hand: MATCH, bm25() and snippet() take the FTS5 table itself as an
operand (`community_post_fts MATCH ?`, not a column), which no ORM expression can name. The
ORM still writes what decides visibility: the kind's visible queryset is the subquery the
matches are kept in, and the page's rows are then read through it.

The FTS5 query is written from the parsed words only, each a quoted string, so no syntax a
member typed (NEAR, AND, -, ^, :, *) reaches MATCH: `"async views" "djan"*`.
"""

from django.db import connection

from . import indexes


def fts_query(terms):
    # Words are letters and digits only (search/query.py): nothing to escape in the quotes.
    return " ".join(f'"{" ".join(term.words)}"' + ("*" if term.prefix else "") for term in terms)


def page(source, queryset, parsed, *, candidates, after, size, start_sel, stop_sel):
    """[(id, rank, snippet)] of the best `size` of the newest `candidates` matches in
    `queryset` past `after` (a (rank, time, id) keyset), best first, newest first among
    equals."""
    table, fts = source.table, indexes.fts_table(source.table)
    match = fts_query(parsed.terms)
    weights = ", ".join(str(indexes.WEIGHTS[weight]) for weight in source.columns.values())
    visible, visible_params = queryset.order_by().values("pk").query.sql_with_params()
    keyset, keyset_params = "", []
    if after is not None:
        rank, time, pk = after
        keyset = "WHERE (rank, time, id) < (%s, %s, %s)"
        keyset_params = [rank, connection.ops.adapt_datetimefield_value(time), pk]
    snippet_column = list(source.columns).index(source.snippet)
    sql = f"""
        WITH newest AS MATERIALIZED (
            SELECT rowid AS id FROM {fts}
            WHERE {fts} MATCH %s AND rowid IN ({visible}) ORDER BY rowid DESC LIMIT %s
        ), matched AS MATERIALIZED (
            SELECT {fts}.rowid AS id, -bm25({fts}, {weights}) AS rank,
                   {table}.{source.time} AS time
            FROM {fts} JOIN {table} ON {table}.id = {fts}.rowid
            WHERE {fts} MATCH %s AND {fts}.rowid IN (SELECT id FROM newest)
        ), page AS (
            SELECT * FROM matched {keyset} ORDER BY rank DESC, time DESC, id DESC LIMIT %s
        )
        SELECT page.id, page.rank, snippet({fts}, {snippet_column}, %s, %s, ' … ', 24)
        FROM page JOIN {fts} ON {fts}.rowid = page.id
        WHERE {fts} MATCH %s
        ORDER BY page.rank DESC, page.time DESC, page.id DESC
    """  # noqa: S608 - names from registered sources; every value a member gave is a parameter
    params = [match, *visible_params, candidates, match, *keyset_params, size,
              start_sel, stop_sel, match]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
