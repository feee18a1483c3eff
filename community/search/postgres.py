"""Matching on PostgreSQL: the stored, GIN-indexed vectors (search/indexes.py) queried with
what django.contrib.postgres ships: SearchQuery, SearchRank, SearchHeadline, and trigram
similarity for names (its lookup used as an expression: the project does not install the
app django.contrib.postgres, whose only use here would be to register that lookup).

The tsquery is written from the parsed words only (search/query.py), each quoted as one
operand, so no operator a member typed reaches to_tsquery: `'async' <-> 'views' & 'djan':*`.
"""

import copy
import re
from contextlib import contextmanager

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import (
    Expression,
    F,
    FloatField,
    Func,
    Lookup,
    Q,
    TextField,
    Value,
)
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import Cast, Greatest
from django.db.models.sql.constants import CURSOR
from psycopg import generators

from . import indexes

# Fuzzy name matching, in word similarity (shared trigrams): a typo costs a short word most
# of its few trigrams ("jonh" keeps 2 of John's 5: 0.4, under pg_trgm's default 0.6), a
# long one a smaller share, where 0.4 would let in unrelated names ("gardener" is 0.4 like
# "Garcia"; "Gardner" is 0.55).
WORD_SIMILARITY = {"short": 0.4, "long": 0.5}
SHORT = 5  # characters
WINDOW_PER_CANDIDATE = 10  # newest rows walked for each match wanted, before anything else
# A table of up to this many rows (by its newest id) is left to the planner: the worst it
# chooses there costs a few milliseconds, and a walk cost more (measured when its parts were
# read in turn: events' 2,000 rows 2.2 ms, 1.0 planned; lessons' 20,000 3.1, 2.5).
PLANNED_ROWS = 25_000
# A kind matched by names too (members) walks for its words only in a table this many times
# its window: its rows are wide and its table smaller, and a tab's window (10,000 of the
# large dataset's 100,000 members) cost a surname's search 28 ms where the index found its
# 5,000 matches in 17.
NAMED_TABLE_WINDOWS = 20
# A personal kind (the searcher's own messages) looks for its matches in the newest part of
# its table first, this share of its ids (_own_walk): ids follow time, so a member's newest
# quarter of it holds about a quarter of their rows (on the large dataset, 25 % of the busiest
# member's 26,109 and 27 % of the benchmark viewer's 7,251).
OWN_WINDOW_PARTS = 4


def similarity_threshold(text):
    return WORD_SIMILARITY["short" if len(text) <= SHORT else "long"]


class _IndexColumn(Expression):
    """The search vector column that the trigger keeps beside a model's own (it is not a
    model field: search/indexes.py says why), named on the query's base table."""

    def __init__(self):
        super().__init__(output_field=SearchVectorField())

    def resolve_expression(self, query=None, *args, **kwargs):
        field = SearchVectorField()
        field.set_attributes_from_name(indexes.VECTOR_COLUMN)
        return Col(query.get_initial_alias(), field)


VECTOR = _IndexColumn()
CONFIG = Func(function=indexes.CONFIG_FUNCTION, output_field=TextField())


def tsquery(terms):
    def operand(word, prefix=False):
        return f"'{word}'" + (":*" if prefix else "")

    return " & ".join(
        " <-> ".join(operand(word) for word in term.words)
        if len(term.words) > 1
        else operand(term.words[0], term.prefix)
        for term in terms
    )


def page(source, queryset, parsed, *, candidates, newest, after, size, ordered, start_sel,
         stop_sel):  # fmt: skip
    """Sends the page of the newest `candidates` rows of `queryset` that match (ranked by
    `ordered(page, after, size)`, annotated with `rank` and `snippet`: the matched words
    between start_sel and stop_sel) and returns a function that reads its instances.
    `newest`: the table's newest id, as settings_for() read it (None for kinds that do not
    walk)."""
    tsquery_text = tsquery(parsed.terms)
    query = _search_query(tsquery_text)
    text = " ".join(parsed.words)
    named = Q()
    for column in source.fuzzy:
        named |= TrigramWordSimilar(F(column), Value(text))
    queryset = queryset.alias(_vector=VECTOR)
    found = _newest_matches(source, queryset, named, query, candidates, newest)
    if after is None:
        key = (source.kind, size, start_sel, stop_sel)
        cached_source, template = _first_pages.get(key, (None, None))
        if cached_source is not source:
            template = _PageTemplate(source, ordered(_page_of(
                source, _search_query(_TSQUERY), _WORDS, start_sel, stop_sel
            ).filter(_Hole(F("pk"), None)), None, size))  # fmt: skip
            _first_pages[key] = (source, template)
        return template.send(found, {_TSQUERY: tsquery_text, _WORDS: text})
    matched = _page_of(source, query, text, start_sel, stop_sel).filter(pk__in=found)
    return send(ordered(matched, after, size))


def _search_query(text):
    return SearchQuery(text, search_type="raw", config=CONFIG)


def _page_of(source, query, text, start_sel, stop_sel):
    """The kind's rows annotated with their `rank` for `query` (and name similarity to
    `text`) and their `snippet`."""
    rank = SearchRank(F("_vector"), query)
    if source.fuzzy:
        similar = [TrigramWordSimilarity(text, column) for column in source.fuzzy]
        rank = rank + (Greatest(*similar) if len(similar) > 1 else similar[0])
    snippet = _Headline(
        source.snippet, query, config=CONFIG, start_sel=start_sel, stop_sel=stop_sel,
        max_words=30, min_words=12, max_fragments=2, fragment_delimiter=" … ",
    )  # fmt: skip
    # As double precision: ts_rank's real reaches Python rounded to its shortest text, which
    # a cursor would then compare unequal to the real itself, and lose a row at the seam.
    rank = Cast(rank, FloatField())
    page = source.model.objects.alias(_vector=VECTOR).annotate(rank=rank, snippet=snippet)
    if source.related:
        page = page.select_related(*source.related)
    return page


# A kind's first page has one SQL whatever the searcher and the query: what the searcher
# may see is in the subquery of its newest visible matches (_newest_matches), compiled afresh
# for every search, and the query's text in two parameters. So the page is compiled once per
# kind and page size (Django has no way to reuse a compiled query), with stand-ins for the
# two texts and a hole for the ids, then sent with each search's own: building and
# compiling eight kinds' ranked, highlighted pages was a quarter of a search's time. Later
# pages (a cursor's rank, time and id are in their SQL) are built afresh.
_TSQUERY = "\ue002tsquery\ue002"
_WORDS = "\ue002words\ue002"
_HOLE = "/* ids */"
_first_pages = {}  # {(kind, size, start_sel, stop_sel): (source, _PageTemplate)}


class _Hole(Lookup):
    """Where a page template's ids go: `id /* ids */`, then `IN (…)`."""

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} {_HOLE}", lhs_params


class _PageTemplate:
    """A kind's first page, compiled: its SQL before and after the hole, and their parameters."""

    def __init__(self, source, queryset):
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        before, hole, after = sql.partition(_HOLE)
        stand_ins = (_TSQUERY, _WORDS) if source.fuzzy else (_TSQUERY,)
        if (
            not hole
            or _HOLE in after
            or any(text in sql or text not in params for text in stand_ins)
        ):  # a change in how Django writes the page: better an error than another's results
            raise RuntimeError(f"The {source.kind} page cannot be a template: {sql}")
        placeholders = len(re.findall(r"%s", before.replace("%%", "")))
        self.before, self.after = before, after
        self.params_before, self.params_after = params[:placeholders], params[placeholders:]
        self.queryset, self.compiler = queryset, compiler

    def send(self, found, texts):
        """Sends the page of `found` (a query of ids: a queryset or a walk's RawSQL) with
        `texts` in place of the stand-ins; returns a function that reads its instances."""
        if isinstance(found, RawSQL):
            subquery, hole_params = found.sql, list(found.params)
        else:
            subquery, hole_params = found.query.get_compiler(using=found.db).as_sql()
        hole = f"IN ({subquery})"
        params = [
            *_put(self.params_before, texts), *hole_params, *_put(self.params_after, texts)
        ]  # fmt: skip
        cursor = connection.cursor()
        cursor.execute(f"{self.before}{hole}{self.after}", params)
        _flush_when_run()

        def read():
            compiler = copy.copy(self.compiler)  # read in this thread, with its connection
            compiler.connection = connection
            return _instances(self.queryset, compiler, _fetched(cursor))

        return read


def _put(params, texts):
    return [texts.get(param, param) if isinstance(param, str) else param for param in params]


class _Headline(SearchHeadline):
    """SearchHeadline with its options written once: Django writes them again at every
    compile, each option through a cursor of its own (six here, 0.3 ms of every page)."""

    def as_sql(self, compiler, connection, function=None, template=None):
        key = tuple(self.options.items())
        if key not in _written_options:
            _written_options[key] = ", ".join(
                connection.ops.compose_sql(f"{option}=%s", [value]) for option, value in key
            )
        sql, params = Func.as_sql(self, compiler, connection, function=function,
                                  template=template, options=", %s")  # fmt: skip
        return sql, (*params, _written_options[key])


_written_options = {}


def send_order(sources):
    """The order to send the kinds' pages in: personal kinds first (their page rechecks the
    searcher's own rows, thousands for an active member: the slowest page, 6 ms of a search
    on the large dataset, and among the quickest to build), then the rest. Pages run on the
    server in the order sent while Python builds the next ones; nothing is read until every
    page is sent (service.search), so the server works from the first one on."""
    return sorted(sources, key=lambda source: not source.personal)


def is_walked(source, newest, limit):
    """Whether the kind's `limit` newest matches are found by a walk (_newest_matches): in a
    table larger than the window (NAMED_TABLE_WINDOWS times, for a kind matched by names
    too) and than PLANNED_ROWS (`newest`: its newest id)."""
    windows = NAMED_TABLE_WINDOWS if source.fuzzy else 1
    least = max(WINDOW_PER_CANDIDATE * limit * windows, PLANNED_ROWS)
    return (newest or 0) > least


def _newest_matches(source, queryset, named, query, limit, newest):
    """A query of the ids of the newest `limit` matches (of the words `query`, or of `named`:
    the names' trigram condition of a fuzzy kind), the only ones ranked, written to read the
    fewest rows: this chooses how, as the planner cannot be trusted to. It runs as part of
    their page's query.

    A common word is in many of the newest rows: walking the id index back from the newest
    finds them at once, where the GIN index would list every match (hundreds of thousands)
    first. A rare word is in few: only the GIN index finds them without reading the table.
    PostgreSQL chooses from its word statistics, but guesses a prefix (the word being
    typed) to match a fixed share of rows, and so walked the whole table for a rare word
    (1.8 s on 3 million comments) and listed every match of a common one (1.6 s).

    So the rows of the newest ids are walked first (WINDOW_PER_CANDIDATE for each match
    wanted), a bounded cost. When they hold too few matches, the share they did hold says
    what the rest costs each way: walking on reads about (matches still needed / share)
    rows, the index about (share x older rows). A walk on is bounded too (four times what
    the share predicts), and what it still lacks comes from the index. Each part leaves the
    planner one way: a walk reads the vector through an expression the GIN index does not
    cover, and the index's rows are ordered by one the id index does not give. The three
    are one query (_walk), not three read in turn: a read waits for every page sent before
    it, and the kinds' pages are sent while the server works (pipelined).

    Names (fuzzy kinds) are matched by trigrams too, which cost a walk many times more per
    row: their trigram indexes find them, and the words are walked beside them, the newest
    of both kept. Asked of the indexes together, a prefix being typed ("feedb") matched a
    bio's word in 4,600 of the large dataset's members, all read for the newest 100 (7 ms;
    1.5 walked). A trade, measured on the large dataset's overview in process: a word, or
    its prefix, 5 to 9 ms faster; a name's first letters 2 to 5 ms slower, paying the walk
    beside the trigram checks of thousands of similar names, which cost the same either
    way. A searcher's own rows (personal kinds) are reached from the searcher's side, their
    newest first (_own_walk). A table no larger than the window, or than PLANNED_ROWS, is
    small enough for the planner to choose well."""
    newest_first = (F("pk") + 0).desc()  # by the index of the condition, not the id's
    if not is_walked(source, newest, limit):
        matching = queryset.filter(Q(_vector=query) | named)
        order = newest_first if source.fuzzy else "-pk"
        return matching.order_by(order).values_list("pk", flat=True)[:limit]
    if source.personal:
        return _own_walk(queryset, query, limit, newest)
    words = _walk(queryset, query, limit, newest)
    if not named:
        return words
    names = queryset.filter(named).order_by(newest_first).values_list("pk", flat=True)[:limit]
    names_sql, names_params = names.query.get_compiler(using=names.db).as_sql()
    return RawSQL(  # noqa: S611 - Django's compiled SQL and the walk's own
        f"SELECT m.id FROM (({words.sql}) UNION ({names_sql})) AS m (id) "  # noqa: S608
        "ORDER BY m.id DESC LIMIT %s",
        (*words.params, *names_params, limit),
    )


_WINDOW = "search_window"  # a walk's matches among the newest rows, as a CTE
_WALKED_VECTOR = "COALESCE(w.v, ''::tsvector)"  # a row's vector, which no index answers for


def _walk(queryset, query, limit, newest):
    """_newest_matches' three parts as one RawSQL query: the window's matches, then (when the
    share of the window that matched says walking on costs less than the index) the walk on,
    then the index for what they still lack. Parts after the first run only when the ones
    before found fewer than `limit`: PostgreSQL reads a UNION ALL's parts in turn, and a
    condition on no row (the window's count) is checked before a part reads any.

    The kind's visible rows are compiled once (_visible_rows) and read by each part:
    compiling them for each part was 1.4 ms of a walked kind."""
    window = WINDOW_PER_CANDIDATE * limit
    edge = newest - window
    rows, visible_params, tsquery, tsquery_params = _visible_rows(queryset, query)
    walked = f"{_WALKED_VECTOR} @@ {tsquery}"  # the id index's way (a walk)
    indexed = f"w.v @@ {tsquery}"  # the GIN index's way
    found = f"(SELECT count(*) FROM {_WINDOW})"  # noqa: S608
    walks_on = f"{found} > 0 AND (%s - {found}) * %s * %s < {found} * {found} * %s"
    walks_on_params = [limit, window, window, edge]
    bound = f"GREATEST(%s - 4 * (%s - {found}) * %s / NULLIF({found}, 0), 0)"
    bound_params = [edge, limit, window]
    parts = [
        (f"{rows}w.id > %s AND {walked} ORDER BY w.id DESC LIMIT %s",
         [*visible_params, edge, *tsquery_params, limit]),
        (f"{rows}{walks_on} AND w.id > {bound} AND w.id <= %s AND {walked} "
         "ORDER BY w.id DESC LIMIT %s",
         [*visible_params, *walks_on_params, *bound_params, edge, *tsquery_params, limit]),
        # The id as an expression here: a bound the planner cannot know made it read the
        # id index's millions of entries for a bitmap of the rows under it (170 ms).
        (f"{rows}w.id + 0 <= CASE WHEN {walks_on} THEN {bound} ELSE %s END AND {indexed} "
         "ORDER BY w.id + 0 DESC LIMIT %s",
         [*visible_params, *walks_on_params, *bound_params, edge, *tsquery_params, limit]),
    ]  # fmt: skip
    (first, first_params), (on, on_params), (older, older_params) = parts
    return RawSQL(  # noqa: S611
        f"WITH {_WINDOW} AS MATERIALIZED ({first}) SELECT * FROM {_WINDOW} "  # noqa: S608
        f"UNION ALL ({on}) UNION ALL ({older}) LIMIT %s",
        (*first_params, *on_params, *older_params, limit),
    )


def _own_walk(queryset, query, limit, newest):
    """A personal kind's newest `limit` matches: the searcher's rows in the newest
    1 / OWN_WINDOW_PARTS of the table's ids first, the older ones only when those hold too
    few, as one RawSQL query (as _walk's parts). The searcher's rows are found from their
    side (messages: their conversations, then each one's messages by the thread's index on
    (conversation, id)), and the id bounds that index's reads. A member of 460
    conversations has 7,251 messages on the large dataset: every one was read and rechecked
    for the newest 100 matches of two words (7.6 ms), which the newest quarter of the table
    held (1.9 ms). The planner is left no other way. Ordered by the id itself, it walked
    the whole table's id index back, checking each row for the searcher (300 ms); and with
    the vector as is, it took the GIN index for the older part when a prefix's matches were
    guessed few (13,574 of 507,508), reading every match in the table (1 s)."""
    edge = newest - newest // OWN_WINDOW_PARTS
    rows, visible_params, tsquery, tsquery_params = _visible_rows(queryset, query)
    matched = f"{_WALKED_VECTOR} @@ {tsquery} ORDER BY w.id + 0 DESC LIMIT %s"
    newer = f"{rows}w.id > %s AND {matched}"
    older = f"{rows}(SELECT count(*) FROM {_WINDOW}) < %s AND w.id <= %s AND {matched}"  # noqa: S608
    return RawSQL(  # noqa: S611 - Django's compiled SQL and numbers
        f"WITH {_WINDOW} AS MATERIALIZED ({newer}) SELECT * FROM {_WINDOW} "  # noqa: S608
        f"UNION ALL ({older}) LIMIT %s",
        (*visible_params, edge, *tsquery_params, limit,
         *visible_params, limit, edge, *tsquery_params, limit, limit),
    )  # fmt: skip


def _visible_rows(queryset, query):
    """The start of a query of `queryset`'s ids, `SELECT w.id FROM (…) AS w (id, v) WHERE `
    (v: the vector), its parameters, and `query` compiled as a tsquery (SQL, parameters).
    The visible rows are a subquery, which PostgreSQL merges into the query reading them (as
    if written there: the indexes serve as they would)."""
    visible, visible_params = (
        queryset.annotate(_v=VECTOR).values_list("pk", "_v").query.get_compiler(using=queryset.db)
    ).as_sql()
    compiler = queryset.query.get_compiler(using=queryset.db)
    tsquery, tsquery_params = compiler.compile(query.resolve_expression(queryset.query))
    # Only numbers, Django's compiled SQL and names of our own are written into this SQL.
    rows = f"SELECT w.id FROM ({visible}) AS w (id, v) WHERE "  # noqa: S608
    return rows, visible_params, tsquery, tsquery_params


@contextmanager
def pipelined():
    """Queries sent inside are run by the server while Python goes on (psycopg's pipeline
    mode): a search builds each kind's page (a few milliseconds of the ORM's Python) while
    the server runs the pages sent before, where waiting for each in turn cost an overview
    of eight kinds the sum of both (68 ms in process on the large dataset, 46 pipelined).
    A query read at once inside (a visibility rule's rows) waits for those sent before; a
    server-side cursor (.iterator()) cannot run inside. A page that fails on the server
    raises where the next read waits for it, which may be another kind's query: the error
    names the cause, not always the query. Errors are Django's, as outside (the pipeline's
    own, at its end, included)."""
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def send(queryset):
    """Sends `queryset`'s query and returns a function that reads its rows into the model
    instances the queryset itself would have made. Django runs a query and reads it in one
    call: here the compiler that sent it, which knows its columns, is handed the rows when
    they are read, so that the ORM's own iterable builds the instances (select_related and
    annotations as usual)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    cursor = compiler.execute_sql(CURSOR)  # None when the query cannot match (no ids)
    _flush_when_run()

    def read():
        if cursor is None:
            return []
        return _instances(queryset, compiler, _fetched(cursor))

    return read


def _fetched(cursor):
    try:
        _read_up_to(cursor.cursor)
        return cursor.fetchall()
    finally:
        cursor.close()


# A page is read as soon as the server has run it, while it runs the next ones: Python turns
# each into results meanwhile, where it waited for the last page before reading the first
# (an overview of eight kinds on the large dataset: 29 -> 25 ms in process). Two things
# stood in the way. In pipeline mode the server keeps a query's rows until asked to send
# them: a flush request after each page asks (libpq's PQsendFlushRequest, public). And
# psycopg's own read of a cursor in a pipeline reads every query sent, not only up to the
# cursor's: _read_up_to reads up to it, as psycopg would (its pipeline's queue of pending
# results, matched to their cursors in order), and stops there. That queue is psycopg's
# internal (3.2, 3.3): if a later psycopg keeps it otherwise, reads fall back to psycopg's
# own (every page read at once, as before) and tests/community/test_search_index.py fails.


def _flush_when_run():
    pgconn = connection.connection.pgconn
    if pgconn.pipeline_status:  # inside pipelined()
        pgconn.send_flush_request()


def _read_up_to(cursor):
    """Reads the pipeline's results up to `cursor`'s own (a psycopg cursor)."""
    conn = cursor.connection
    pipeline = conn._pipeline
    queue = getattr(pipeline, "result_queue", None)
    if queue is None or not hasattr(pipeline, "_process_results"):
        return  # not in a pipeline, or a psycopg that keeps its queue otherwise

    def read():
        # Flush requests still in libpq's buffer are sent, and one more asked for, as psycopg
        # does: a page sent without one would otherwise never come.
        conn.pgconn.send_flush_request()
        yield from generators.send(conn.pgconn)
        while cursor.pgresult is None and queue:
            results = yield from generators.fetch_many(conn.pgconn)
            if not results:
                break
            pipeline._process_results(queue.popleft(), results)

    with conn.lock:
        conn.wait(read())


def _instances(queryset, compiler, rows):
    """The instances `queryset` makes of `rows`, read by `compiler` (which sent them)."""
    if compiler.has_extra_select:  # as Django's own read: only the selected columns
        rows = [row[: compiler.col_count] for row in rows]
    compiler.execute_sql = lambda *args, **kwargs: [rows]
    query = queryset.query.clone()
    query.get_compiler = lambda *args, **kwargs: compiler
    fetched = queryset.all()
    fetched.query = query
    return list(fetched)


@contextmanager
def settings_for(parsed, sources):
    """One transaction for a search's queries, opened by one statement that sets what they
    need for it alone and reads the newest id of each kind's table (yielded: {kind: id}).
    The settings: the trigram threshold (the %> operator, and so its GIN index, reads it
    from the setting, not from the query), and no parallel workers: starting them cost these
    few-millisecond queries more than they saved, and the planner, counting on them, had
    scanned a whole table (the messages' participants) beside an index that answered in a
    millisecond. Inside a caller's transaction (a savepoint) they would last
    until it ends: they are put back as they were."""
    threshold = similarity_threshold(" ".join(parsed.words))
    quote = connection.ops.quote_name  # the models' own names, quoted: nobody's input
    newest_ids = "".join(
        f", (SELECT max({quote(source.model._meta.pk.column)}) FROM {quote(source.table)})"  # noqa: S608
        for source in sources
    )
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_READ_SETTINGS}, set_config('{_THRESHOLD}', %s, true), "
            f"set_config('{_PARALLEL}', '0', true){newest_ids}",
            [str(threshold)],
        )
        row = cursor.fetchone()
        before = row[:2]
        yield {source.kind: newest for source, newest in zip(sources, row[4:], strict=True)}
        if outer:
            cursor.execute(
                f"SELECT set_config('{_THRESHOLD}', %s, true), set_config('{_PARALLEL}', %s, true)",
                before,
            )


_THRESHOLD = "pg_trgm.word_similarity_threshold"
_PARALLEL = "max_parallel_workers_per_gather"
# Read before they are set: PostgreSQL evaluates a select list in order (pg_trgm's default
# threshold until the extension's module is loaded in the session).
_READ_SETTINGS = (
    f"coalesce(current_setting('{_THRESHOLD}', true), '0.6'), current_setting('{_PARALLEL}')"
)
