"""The search index itself: rebuilding it, its language, repairs after a schema change, and
what only PostgreSQL does (typo-tolerant names, the GIN indexes queries use)."""

import dataclasses
from io import StringIO

import pytest
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery
from django.core.management import CommandError, call_command
from django.db import DataError, connection, transaction
from django.db.models import F, Value
from psycopg import pq

from community import search
from community.models import Post, User
from community.search import checks, indexes, postgres, sources
from community.search.kinds import POSTS, SPACES
from community.search.postgres import CONFIG, VECTOR, WORD_SIMILARITY
from tests.factories import PostFactory, UserFactory
from tests.helpers import search_pages_sent

pytestmark = pytest.mark.django_db


def found(searcher, query, kind="posts"):
    (group,) = search.search(searcher, query, kinds=[kind])
    return [result.id for result in group.results]


def index_definitions():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'agora_search%' "
                "OR proname LIKE '%_search_vector' UNION ALL "
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE tgname LIKE '%_search_vector' ORDER BY 1, 2"
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE '%fts%' ORDER BY 1")
        return cursor.fetchall()


def rebuild():
    if connection.vendor == "postgresql":
        # A test's writes are still pending in its transaction, and PostgreSQL alters no
        # table with pending constraint checks; the command itself runs in autocommit.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("rebuild_search_index", stdout=StringIO())


def test_rebuilding_in_the_same_language_changes_nothing(member, space):
    """The rebuild writes each registered source's index from its columns: the same
    triggers and tables as the migrations made, so the two never drift apart."""
    post = PostFactory(space=space, body="mountain goats")
    before = index_definitions()
    assert len(before) >= 8  # a function and a trigger (or a table and 3 triggers) per kind
    rebuild()
    assert index_definitions() == before
    assert found(member, "goat") == [post.pk]


@pytest.mark.postgres
def test_the_search_settings_end_with_the_search_inside_a_callers_transaction(member, space):
    """A test runs in a transaction, as a caller's atomic block would: the settings a
    search makes for its own queries are put back when it returns."""
    PostFactory(space=space, body="quinoa")

    def current():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_parallel_workers_per_gather'), "
                "current_setting('pg_trgm.word_similarity_threshold', true)"
            )
            return cursor.fetchone()

    before = current()
    assert search.search(member, "quinoa", kinds=["posts", "members"])[0].results
    assert current()[0] == before[0]
    assert current()[1] in (before[1], "0.6")  # pg_trgm's default once its module loaded


@pytest.mark.postgres
def test_a_rebuild_leaves_the_planner_statistics_of_the_new_vectors(space):
    PostFactory(space=space, body="mountain goats")
    rebuild()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'community_post' "
            "AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == 1


def test_a_new_language_is_refused_until_known_and_checked_until_rebuilt(settings, member):
    settings.SEARCH_LANGUAGE = "klingon"
    assert checks.check_index_language(databases=["default"])[0].id == "community.W101"
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="no text search configuration"):
            rebuild()
    settings.SEARCH_LANGUAGE = "english"
    assert checks.check_index_language(databases=["default"]) == []


def test_a_rebuild_in_another_language_changes_the_stemming(settings, member, space):
    post = PostFactory(space=space, body="the runners were running")
    assert found(member, "run ") == [post.pk]  # English stems both to "run"
    settings.SEARCH_LANGUAGE = "simple"  # no stemming (SQLite: no porter)
    rebuild()
    assert found(member, "run ") == []
    assert found(member, "running ") == [post.pk]
    settings.SEARCH_LANGUAGE = "english"
    rebuild()
    assert found(member, "run ") == [post.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's table rebuilds only")
def test_triggers_a_table_rebuild_dropped_are_put_back_after_migrate(member, space):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER community_post_fts_insert")
    PostFactory(space=space, body="unindexed walrus")  # written while the trigger was gone
    indexes.repair_sqlite_triggers([POSTS])
    assert len(found(member, "walrus")) == 1
    PostFactory(space=space, body="indexed walrus")
    assert len(found(member, "walrus")) == 2


# --- PostgreSQL only -----------------------------------------------------------------------


@pytest.mark.postgres
def test_names_tolerate_a_typo():
    # A searcher of a fixed name: a drawn one ("Johnson", "Smithers") may be as near.
    member = UserFactory(display_name="Quentin Blake", handle="qblake")
    john = UserFactory(display_name="John Smith", handle="jsmith")
    UserFactory(display_name="Mary Poppins", handle="mary")
    assert found(member, "jonh ", "members") == [john.pk]
    assert found(member, "smiht ", "members") == [john.pk]
    assert found(member, "jsmiht ", "members") == [john.pk]  # a handle too


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the threshold lasts until its transaction ends
def test_the_trigram_threshold_stays_in_the_search(member):
    found(member, "jonh", "members")
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) not in WORD_SIMILARITY.values()


@pytest.mark.postgres
def test_a_stop_word_alone_finds_nothing_and_does_not_fail(member, space):
    PostFactory(space=space, body="the end")
    assert found(member, "the ") == []


def _plan(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_queries_use_the_gin_indexes(member, space):
    PostFactory(space=space, body="x")
    query = SearchQuery("'goat':*", search_type="raw", config=CONFIG)
    posts = Post.objects.alias(_vector=VECTOR).filter(_vector=query).values("pk")
    assert "community_post_search_idx" in _plan(*posts.query.sql_with_params())
    names = User.objects.filter(TrigramWordSimilar(F("display_name"), Value("jonh")))
    assert "community_user_name_trgm_idx" in _plan(*names.values("pk").query.sql_with_params())


@pytest.mark.postgres
@pytest.mark.parametrize(
    "matching",
    [range(10), range(4), range(7, 10), [0, 9], []],
    ids=["in-every-row", "old-rows-only", "newest-rows-only", "one-new-one-old", "in-no-row"],
)
def test_the_newest_matches_are_found_whichever_way_is_cheaper(
    member, space, settings, monkeypatch, matching
):
    """On a table larger than the window, the walk over the newest rows, the walk on and
    the index for the older rows together find exactly the newest matches."""
    monkeypatch.setattr(postgres, "WINDOW_PER_CANDIDATE", 1)
    monkeypatch.setattr(postgres, "PLANNED_ROWS", 0)
    settings.SEARCH_CANDIDATES = 4  # a window of the newest 4 rows
    posts = [
        PostFactory(space=space, body="quinoa salad" if i in matching else "plain rice")
        for i in range(10)
    ]
    newest = sorted((posts[i].pk for i in matching), reverse=True)[:4]
    (group,) = search.search(member, "quinoa", kinds=["posts"], size=10)
    assert sorted((result.id for result in group.results), reverse=True) == newest


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("by_name", "by_word"),
    [([], range(10)), ([0, 1], []), ([0, 5], [2, 8, 9]), ([8, 9], [0, 1, 2]), ([], [])],
    ids=["words-in-every-row", "old-names-only", "mixed", "new-names-old-words", "none"],
)
def test_a_kind_matched_by_names_too_walks_for_its_words_beside_its_names(
    settings, monkeypatch, by_name, by_word
):
    """Members are found by the words of their profile (walked, in a table many times the
    window) and by a name near the query (its trigram indexes): the newest of both."""
    monkeypatch.setattr(postgres, "WINDOW_PER_CANDIDATE", 1)
    monkeypatch.setattr(postgres, "PLANNED_ROWS", 0)
    monkeypatch.setattr(postgres, "NAMED_TABLE_WINDOWS", 1)
    settings.SEARCH_CANDIDATES = 4  # a window of the newest 4 rows
    searcher = UserFactory(display_name="Quentin Blake", handle="qblake")
    members = [
        UserFactory(
            display_name="John Smith" if i in by_name else f"Mary Poppins {i}",
            handle=f"member{i}",
            bio="Plays jonh ball on Sundays" if i in by_word else "Likes tea",
        )
        for i in range(10)
    ]
    newest = sorted((members[i].pk for i in {*by_name, *by_word}), reverse=True)[:4]
    with search_pages_sent() as pages:
        assert sorted(found(searcher, "jonh ", "members"), reverse=True) == newest
    assert len(pages) == 1 and postgres._WINDOW in pages[0]  # walked


@pytest.mark.postgres
def test_every_kinds_page_is_sent_in_one_pipeline(member, space):
    PostFactory(space=space, body="quinoa salad")
    pipelined = []

    def record(execute, sql, params, many, context):
        if "ts_headline" in sql:  # a page (the visibility rules' own reads come first)
            pipelined.append(connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        groups = search.search(member, "quinoa")
    assert len(pipelined) == len(groups) > 1 and all(pipelined)
    assert [result.object.body for result in groups[0].results] == ["quinoa salad"]
    assert connection.connection.pgconn.pipeline_status == pq.PipelineStatus.OFF


@pytest.mark.postgres
def test_visibility_rules_that_read_rows_read_them_before_any_page_is_sent(member, space):
    """Lessons' drip reads the member's enrollments, every gated kind the tiers they hold:
    read after a page was sent, such a read would wait for the page."""
    PostFactory(space=space, body="quinoa salad")
    sent = []

    def record(execute, sql, params, many, context):
        if "ts_headline" in sql:
            sent.append("page")
        elif sql.startswith('SELECT "courses_enrollment"'):
            sent.append("enrollments")
        elif sql.startswith('SELECT "community_accessgrant"'):
            sent.append("tiers")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        search.search(member, "quinoa")
    assert sent[:2] == ["tiers", "enrollments"] and set(sent[2:]) == {"page"}


def test_pages_are_sent_personal_kinds_first_then_the_rest():
    """A personal kind's page (the searcher's own messages, all rechecked) is the slowest on
    the server, so it runs while Python builds the rest."""
    kinds = search.registered_sources()
    order = [source.kind for source in postgres.send_order(kinds)]
    assert order == ["messages", *(s.kind for s in kinds if s.kind != "messages")]


@pytest.mark.postgres
def test_a_walked_kind_costs_one_query_its_page(member, space, settings, monkeypatch):
    """The walk over the newest rows, the walk on and the index are one subquery of the
    page: nothing is read before every page is sent."""
    monkeypatch.setattr(postgres, "WINDOW_PER_CANDIDATE", 1)
    monkeypatch.setattr(postgres, "PLANNED_ROWS", 0)
    settings.SEARCH_CANDIDATES = 2  # a window of the newest 2 rows
    posts = [PostFactory(space=space, body="quinoa salad") for _ in range(3)]
    queries = []

    def record(execute, sql, params, many, context):
        if 'FROM "community_post"' in sql and "set_config" not in sql:  # not the settings'
            queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        (group,) = search.search(member, "quinoa", kinds=["posts"])
    assert len(queries) == 1 and postgres._WINDOW in queries[0]
    assert sorted(result.id for result in group.results) == [posts[1].pk, posts[2].pk]  # newest


@pytest.mark.postgres
def test_a_page_is_read_up_to_its_own_result_not_past_it(db):
    """psycopg's own read in a pipeline reads every query sent; the search reads each page
    as soon as it has run (postgres._read_up_to). This fails if a later psycopg keeps its
    pipeline's pending results otherwise (the search would then read them all at once)."""
    with transaction.atomic(), postgres.pipelined():
        cursors = []
        for number, seconds in ((1, 0), (2, 0.2), (3, 0)):  # 2 still runs when 1 is read
            cursor = connection.cursor()
            cursor.execute("SELECT %s FROM pg_sleep(%s)", [number, seconds])
            postgres._flush_when_run()
            cursors.append(cursor)
        pending = connection.connection._pipeline.result_queue
        assert postgres._fetched(cursors[0]) == [(1,)]
        assert len(pending) == 2
        assert [postgres._fetched(cursor) for cursor in cursors[1:]] == [[(2,)], [(3,)]]
        assert len(pending) == 0


@pytest.mark.postgres
def test_a_page_that_fails_on_the_server_raises_and_the_next_search_works(
    member, space, monkeypatch
):
    PostFactory(space=space, body="quinoa salad")
    failing = dataclasses.replace(
        SPACES, visible=lambda searcher, spaces: spaces.extra(where=["1 / 0 = 1"])
    )
    monkeypatch.setitem(sources._sources, "spaces", failing)
    with pytest.raises(DataError, match="division by zero"):
        search.search(member, "quinoa")
    monkeypatch.setitem(sources._sources, "spaces", SPACES)
    (group,) = search.search(member, "quinoa", kinds=["posts"])
    assert [result.object.body for result in group.results] == ["quinoa salad"]


@pytest.mark.postgres
def test_a_first_page_compiled_once_answers_each_search_with_its_own_words_and_rows(
    member, space, monkeypatch
):
    """A kind's first page is compiled once per kind and size, with stand-ins for the query's
    text and a hole for the ids (postgres._PageTemplate): each later search reads its own
    matches, marks its own words and ranks by its own query, whether the ids come as a walk's
    list (posts, walked here) or as a subquery (members, matched by name too); and the next
    pages, built afresh from the cursor, go on from it without a gap or a repeat."""
    monkeypatch.setattr(postgres, "WINDOW_PER_CANDIDATE", 1)
    monkeypatch.setattr(postgres, "PLANNED_ROWS", 0)
    monkeypatch.setattr(postgres, "_first_pages", {})
    quinoa = [PostFactory(space=space, body="quinoa " * n + "salad") for n in (1, 3, 2)]
    lentil = PostFactory(space=space, body="lentil soup")
    # Names no drawn one is near (a factory's "Johnson" would be as near as John to "jonh").
    xanthippe = UserFactory(display_name="Xanthippe Quorvale", handle="xquorvale")
    mary = UserFactory(display_name="Mary Poppins", handle="mpoppins")

    (posts,) = search.search(member, "quinoa", kinds=["posts"], size=2)
    assert [r.id for r in posts.results] == [quinoa[1].pk, quinoa[2].pk]  # the most mentions
    (rest,) = search.search(member, "quinoa", kinds=["posts"], cursor=posts.next_cursor, size=2)
    assert [r.id for r in rest.results] == [quinoa[0].pk] and rest.next_cursor is None
    (posts,) = search.search(member, "lentil", kinds=["posts"], size=2)
    assert [(r.id, str(r.snippet)) for r in posts.results] == [
        (lentil.pk, "<mark>lentil</mark> soup")
    ]
    assert found(member, "xanthipe ", "members") == [xanthippe.pk]
    assert found(member, "poppins", "members") == [mary.pk]
    assert found(member, "nothing matches this", "members") == []
    assert sorted(postgres._first_pages) == [
        ("members", 20, search.service.START, search.service.STOP),
        ("posts", 2, search.service.START, search.service.STOP),
    ]
