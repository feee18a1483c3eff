"""Search (community/search): what each searcher finds, ranking, snippets, filters, bad input
and cursors. Every test here runs on both engines (SQLite's FTS5 and PostgreSQL's full-text
search) and expects the same answer; test_search_index.py holds what only PostgreSQL does."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community import search, services
from community.models import Post
from community.search.query import MAX_LENGTH, parse
from tests.factories import (
    AccessGrantFactory,
    CommentFactory,
    PaidSpaceFactory,
    PostFactory,
    SpaceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def found(searcher, query, kind="posts", **filters):
    """The ids of `kind` that `searcher` finds, in order."""
    groups = {group.kind: group for group in search.search(searcher, query, **filters)}
    return [result.id for result in groups[kind].results] if kind in groups else []


def snippets(searcher, query, kind="posts"):
    (group,) = search.search(searcher, query, kinds=[kind])
    return [str(result.snippet) for result in group.results]


# --- Finding and ranking -------------------------------------------------------------------


def test_it_finds_posts_by_title_and_body_titles_first(member, space):
    in_body = PostFactory(space=space, body="A note about sourdough bread")
    in_title = PostFactory(space=space, title="Sourdough starters", body="How I feed mine")
    PostFactory(space=space, body="Nothing to see")
    assert found(member, "sourdough") == [in_title.pk, in_body.pk]


def test_equal_ranks_come_newest_first(member, space):
    old = PostFactory(space=space, body="kombucha", created_at=timezone.now() - timedelta(days=2))
    new = PostFactory(space=space, body="kombucha")
    assert found(member, "kombucha") == [new.pk, old.pk]


def test_only_the_newest_matches_are_ranked(member, space, settings):
    settings.SEARCH_CANDIDATES = 3
    oldest = PostFactory(space=space, title="Tempeh", body="tempeh")  # the best rank: a title
    newer = [PostFactory(space=space, body=f"tempeh {i}") for i in range(3)]
    assert found(member, "tempeh", kinds=["posts"], size=10) == [p.pk for p in reversed(newer)]
    # A narrower query reaches it again.
    assert found(member, "tempeh", since=oldest.created_at, until=newer[0].created_at) == [
        oldest.pk
    ]


def test_several_kinds_at_once_rank_fewer_of_each_and_their_cursors_keep_to_them(
    member, space, settings
):
    """An overview (every kind, or several) ranks each kind's newest
    SEARCH_OVERVIEW_CANDIDATES; its next pages continue that list, where the kind's own tab
    ranks SEARCH_CANDIDATES."""
    settings.SEARCH_CANDIDATES = 4
    settings.SEARCH_OVERVIEW_CANDIDATES = 2
    oldest = PostFactory(space=space, title="Tempeh", body="tempeh")  # the best rank: a title
    newer = [PostFactory(space=space, body=f"tempeh {i}") for i in range(3)]
    newest_two = [newer[2].pk, newer[1].pk]
    assert found(member, "tempeh") == newest_two
    assert found(member, "tempeh", kinds=["posts", "comments"]) == newest_two
    assert found(member, "tempeh", kinds=["posts"]) == [oldest.pk, *reversed_ids(newer)]
    groups = {group.kind: group for group in search.search(member, "tempeh", size=1)}
    (rest,) = search.search(member, "tempeh", cursor=groups["posts"].next_cursor, size=5)
    assert [result.id for result in rest.results] == [newer[1].pk]
    assert rest.next_cursor is None


def test_an_overview_narrowed_to_one_kind_by_its_filters_searches_as_that_kind(
    member, space, settings
):
    """A #hashtag leaves only posts: every kind asked for, one searched, as its own tab."""
    settings.SEARCH_CANDIDATES = 4
    settings.SEARCH_OVERVIEW_CANDIDATES = 2
    tagged = [services.create_post(member, space=space, body=f"tempeh {i} #vegan")
              for i in range(3)]  # fmt: skip
    (group,) = search.search(member, "tempeh #vegan")
    assert group.kind == "posts"
    assert [result.id for result in group.results] == reversed_ids(tagged)


def reversed_ids(posts):
    return [post.pk for post in reversed(posts)]


def test_words_are_stemmed_and_all_required(member, space):
    running = PostFactory(space=space, body="She was running the marathon")
    PostFactory(space=space, body="A marathon of baking")
    assert found(member, "runs marathon ") == [running.pk]


def test_the_last_word_matches_as_a_prefix_while_typing(member, space):
    post = PostFactory(space=space, body="Deploying with containers")
    assert found(member, "contai") == [post.pk]
    assert found(member, "contai ") == []  # a space after it: the word is complete


def test_a_quoted_phrase_keeps_its_words_together(member, space):
    together = PostFactory(space=space, body="the blue whale swims")
    apart = PostFactory(space=space, body="a whale, and the sky so blue")
    assert found(member, '"blue whale"') == [together.pk]
    assert set(found(member, "blue whale ")) == {together.pk, apart.pk}


def test_results_are_grouped_by_kind_in_registration_order(member, space):
    author = UserFactory(display_name="Quentin Horticulturist")
    PostFactory(space=space, body="horticulturist tips", author=author)
    CommentFactory(post=PostFactory(space=space), body="ask the horticulturist")
    SpaceFactory(name="Horticulturist corner")
    groups = search.search(member, "horticulturist")
    assert [group.kind for group in groups] == [s.kind for s in search.registered_sources()]
    groups = groups[:4]  # community's kinds come first: the apps' register after it
    assert [group.kind for group in groups] == ["posts", "comments", "members", "spaces"]
    assert [len(group.results) for group in groups] == [1, 1, 1, 1]
    assert [group.label for group in groups] == ["Posts", "Comments", "Members", "Spaces"]


def test_a_result_has_a_title_a_link_a_time_and_a_rank(member, space):
    post = PostFactory(space=space, title="Tomatoes", body="Growing tomatoes indoors")
    comment = CommentFactory(post=post, body="My tomatoes split")
    (result,) = search.search(member, "tomatoes", kinds=["posts"])[0].results
    assert (result.title, result.url, result.time) == ("Tomatoes", f"/posts/{post.pk}/",
                                                       post.created_at)  # fmt: skip
    assert result.rank > 0
    (on_post,) = search.search(member, "split", kinds=["comments"])[0].results
    assert on_post.title == "On “Tomatoes”"
    assert on_post.url == f"/posts/{post.pk}/#comment-{comment.pk}"


def test_members_are_found_by_name_handle_prefix_and_bio(member):
    ada = UserFactory(display_name="Ada Lovelace", handle="countess", bio="Loves engines")
    assert found(member, "lovel", "members") == [ada.pk]
    assert found(member, "countess", "members") == [ada.pk]
    assert found(member, "engines", "members") == [ada.pk]


def test_spaces_are_found_by_name_and_description(member):
    space = SpaceFactory(name="Woodworking", description="Chisels, planes and joinery")
    assert found(member, "joinery", "spaces") == [space.pk]
    assert found(member, "woodw", "spaces") == [space.pk]


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def garden(space, member, other_member):
    other_space = SpaceFactory(name="Kitchen", slug="kitchen")
    return {
        "mine": PostFactory(space=space, author=member, body="compost heap", hashtags=["soil"]),
        "theirs": PostFactory(space=space, author=other_member, body="compost bin"),
        "kitchen": PostFactory(
            space=other_space, author=member, body="compost scraps", hashtags=["soil", "waste"]
        ),
    }


def test_from_in_and_hashtags_in_the_query_filter(member, garden):
    assert set(found(member, f"compost from:@{member.handle}")) == {
        garden["mine"].pk, garden["kitchen"].pk
    }  # fmt: skip
    assert set(found(member, "compost in:general")) == {garden["mine"].pk, garden["theirs"].pk}
    assert set(found(member, "compost #soil")) == {garden["mine"].pk, garden["kitchen"].pk}
    assert found(member, "compost #soil #waste") == [garden["kitchen"].pk]


def test_filters_alone_list_the_newest_first(member, garden):
    assert found(member, f"from:{member.handle}") == [garden["kitchen"].pk, garden["mine"].pk]
    assert found(member, "#waste") == [garden["kitchen"].pk]


def test_the_parameters_filter_as_the_query_does(member, other_member, garden):
    assert found(member, "compost", space="kitchen") == [garden["kitchen"].pk]
    assert found(member, "compost", author=other_member.handle) == [garden["theirs"].pk]
    assert found(member, "compost in:general", space="kitchen") == []  # both apply


def test_a_filter_a_kind_cannot_apply_leaves_the_kind_out(member, garden):
    UserFactory(display_name="Compost Carl")
    kinds = [group.kind for group in search.search(member, "compost in:general")]
    assert kinds == ["posts", "comments"]
    assert [group.kind for group in search.search(member, "compost #soil")] == ["posts"]


def test_a_date_range_since_inclusive_until_exclusive(member, space):
    now = timezone.now()
    old = PostFactory(space=space, body="harvest", created_at=now - timedelta(days=10))
    recent = PostFactory(space=space, body="harvest", created_at=now - timedelta(days=1))
    assert found(member, "harvest", since=now - timedelta(days=2)) == [recent.pk]
    assert found(member, "harvest", until=now - timedelta(days=2)) == [old.pk]
    assert found(member, "harvest", since=recent.created_at, until=now) == [recent.pk]


def test_kinds_narrow_the_search(member, space):
    PostFactory(space=space, body="origami")
    assert [group.kind for group in search.search(member, "origami", kinds=["posts"])] == ["posts"]


def test_an_unknown_kind_is_refused_by_name(member):
    with pytest.raises(ValidationError) as refused:
        search.search(member, "x", kinds=["posts", "recipes"])
    assert "“recipes” is not one of" in refused.value.message_dict["kinds"][0]


# --- Bad input -----------------------------------------------------------------------------


def test_an_empty_query_is_refused(member):
    for query in ("", "   ", None):
        with pytest.raises(ValidationError) as refused:
            search.search(member, query)
        assert refused.value.message_dict == {"q": ["Type something to search for."]}


def test_a_query_longer_than_the_limit_is_refused_not_cut(member):
    search.search(member, "a" * MAX_LENGTH)
    with pytest.raises(ValidationError) as refused:
        search.search(member, "word " * 2000)
    assert refused.value.message_dict["q"] == [
        f"A search can be at most {MAX_LENGTH} characters (this one has 9999)."
    ]


HOSTILE = ["&", "|", "!", ":", "*", "(", ")", "'", "\\", "<->", '"', "NEAR", "AND", "OR",
           "NOT", "^", "-", "+", "NEAR(a b)", "a:*", "'a' & !b", '"unclosed', "a\\", "::", "*a",
           "col:word", "title:x", "{a b}", "!!", "a <2> b", "%", "_", "%_", "'; DROP TABLE x; --",
           "\x01", "ﬁ", "Ⅻ", "٣", "🙂", "a" * 200]  # fmt: skip


@pytest.mark.parametrize("syntax", HOSTILE)
def test_engine_syntax_in_a_query_never_raises(member, space, syntax):
    post = PostFactory(space=space, body="word and more")
    for query in (syntax, f"word {syntax}", f"{syntax} word", f"word{syntax}word"):
        search.search(member, query[:MAX_LENGTH])
    if not parse(syntax).terms:  # punctuation only: the word beside it still finds the post
        assert found(member, f"{syntax} word"[-MAX_LENGTH:]) == [post.pk]


def test_punctuation_alone_finds_nothing(member, space):
    PostFactory(space=space, body="anything")
    assert all(group.results == [] for group in search.search(member, "&|!*()"))


def test_a_query_naming_many_hashtags_still_answers(member, space):
    tags = " ".join(f"#{i}" for i in range(70))[:MAX_LENGTH]  # 66 tags
    assert search.search(member, tags)[0].results == []


# --- Snippets ------------------------------------------------------------------------------


def test_the_snippet_marks_the_matched_words(member, space):
    PostFactory(space=space, body="Bees make honey in summer")
    (snippet,) = snippets(member, "honey")
    assert "<mark>honey</mark>" in snippet and "Bees make" in snippet


def test_markup_in_content_stays_escaped_in_the_snippet(member, space):
    PostFactory(space=space, body='xss <script>alert("x")</script> <img src=x onerror=alert(1)>')
    (snippet,) = snippets(member, "xss")
    # SQLite shows the tags escaped; PostgreSQL's parser reads them as tags and leaves them
    # out of its headline: neither lets one through.
    assert "<script" not in snippet and "<img" not in snippet and "&lt;img src=x" in snippet
    assert "<mark>xss</mark>" in snippet


def test_marks_typed_into_content_cannot_open_tags(member, space):
    PostFactory(space=space, body="fake \ue000<b>bold\ue001 mark and \ue001 lonely \ue000 word")
    (snippet,) = snippets(member, "lonely")
    assert "<b>" not in snippet and "\ue000" not in snippet and "\ue001" not in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>")


def test_a_match_in_the_title_only_gives_the_start_of_the_body(member, space):
    PostFactory(space=space, title="Pottery", body="Wheel throwing for beginners & friends")
    (snippet,) = snippets(member, "pottery")
    assert "Wheel throwing for beginners &amp; friends" in snippet and "<mark>" not in snippet


# --- Who finds what ------------------------------------------------------------------------


@pytest.fixture
def matrix(admin, moderator, pro, space, banned_member, other_member):
    """One findable thing of each sort; every body holds the word "zebra"."""
    public = SpaceFactory(name="Open", public=True)
    private_space = SpaceFactory(name="Staff", visibility="paid",
                                 required_tier=AccessGrantFactory(user=moderator).tier)  # fmt: skip
    paid_space = PaidSpaceFactory(required_tier=pro)
    hidden = PostFactory(space=space, body="zebra hidden")
    services.hide_post(moderator, post=hidden)
    secret_author = UserFactory(display_name="Zebra Private", profile_visibility="private")
    return {
        "public post": PostFactory(space=public, body="zebra public"),
        "members post": PostFactory(space=space, author=other_member, body="zebra members"),
        "private space post": PostFactory(space=private_space, body="zebra staff"),
        "paid post": PostFactory(space=paid_space, body="zebra paid"),
        "hidden post": hidden,
        "banned member's post": PostFactory(space=space, author=banned_member, body="zebra ban"),
        "private profile": secret_author,
        "public profile": UserFactory(display_name="Zebra Public"),
    }


EVERYONE = ("anonymous", "member", "paid_member", "moderator", "banned_member", "author")
# Who may see each thing, as the feed, the space pages and the directory decide (access.py):
# a banned member's posts stay up for others (the ban stops the member, not their past
# posts), and a banned member searches as a visitor does.
MAY_SEE = {
    "public post": set(EVERYONE),
    "members post": {"member", "paid_member", "moderator", "author"},
    "private space post": {"moderator"},
    "paid post": {"paid_member", "moderator"},
    "hidden post": {"moderator"},
    "banned member's post": {"member", "paid_member", "moderator", "author"},
    "private profile": {"moderator", "author"},
    "public profile": {"member", "paid_member", "moderator", "author"},
}


@pytest.mark.parametrize("persona", EVERYONE)
def test_each_searcher_finds_exactly_what_they_may_see(request, matrix, persona):
    searcher = (
        matrix["private profile"] if persona == "author" else request.getfixturevalue(persona)
    )
    groups = {group.kind: group for group in search.search(searcher, "zebra", size=20)}
    shown = {(result.kind, result.id) for group in groups.values() for result in group.results}
    for name, thing in matrix.items():
        kind = "members" if name.endswith("profile") else "posts"
        assert ((kind, thing.pk) in shown) is (persona in MAY_SEE[name]), (persona, name)


def test_comments_follow_their_post_and_hiding_and_deleting(member, moderator, space):
    paid_post = PostFactory(space=PaidSpaceFactory(), body="x")
    in_paid = CommentFactory(post=paid_post, body="giraffe paid")
    shown = CommentFactory(post=PostFactory(space=space), body="giraffe shown")
    hidden = CommentFactory(post=PostFactory(space=space), body="giraffe hidden",
                            hidden_at=timezone.now())  # fmt: skip
    CommentFactory(post=PostFactory(space=space), body="giraffe gone", deleted_at=timezone.now())
    assert found(member, "giraffe", "comments") == [shown.pk]
    assert set(found(moderator, "giraffe", "comments")) == {in_paid.pk, shown.pk, hidden.pk}


def test_visitors_find_no_members(anonymous):
    UserFactory(display_name="Yolanda Visible")
    assert found(anonymous, "yolanda", "members") == []


# --- Staying current -----------------------------------------------------------------------


def test_results_follow_an_edit_a_hide_and_a_delete(member, moderator, space):
    post = services.create_post(member, space=space, body="An otter at the river")
    assert found(member, "otter") == [post.pk]
    services.edit_post(member, post=post, body="A beaver at the river")
    assert found(member, "otter") == []
    assert found(member, "beaver") == [post.pk]
    services.hide_post(moderator, post=post)
    assert found(member, "beaver") == []
    assert found(moderator, "beaver") == [post.pk]
    services.unhide_post(moderator, post=post)
    services.delete_post(member, post=post)
    assert found(member, "beaver") == [] and found(moderator, "beaver") == []


def test_a_comment_edit_and_a_purge_update_the_index(member, space):
    comment = services.create_comment(member, post=PostFactory(space=space), body="first lark")
    services.edit_comment(member, comment=comment, body="second swallow")
    assert found(member, "lark", "comments") == []
    assert found(member, "swallow", "comments") == [comment.pk]
    comment.delete()  # the admin's purge
    assert found(member, "swallow", "comments") == []


def test_a_bulk_insert_and_a_queryset_update_are_indexed(member, space):
    """The benchmark's loaders and data fixes write without save(): the index still
    follows, as the database keeps it."""
    (bulk,) = Post.objects.bulk_create(
        [Post(space=space, author=member, body="narwhal", body_html="<p>narwhal</p>")]
    )
    assert found(member, "narwhal") == [bulk.pk]
    Post.objects.filter(pk=bulk.pk).update(title="Walrus")
    assert found(member, "walrus") == [bulk.pk]


def test_a_profile_change_updates_the_index(member, other_member):
    services.update_profile(other_member, display_name="Petronella Quill")
    assert found(member, "petronella", "members") == [other_member.pk]


# --- Pages ---------------------------------------------------------------------------------


def test_the_cursor_pages_through_without_duplicates(member, space):
    now = timezone.now()
    for i in range(7):  # equal ranks too: the time and then the id break ties
        PostFactory(space=space, body="lemur " * (1 + i % 3), created_at=now - timedelta(i % 2))
    seen, cursor = [], None
    while True:
        (group,) = search.search(member, "lemur", kinds=["posts"], cursor=cursor, size=3)
        seen += [result.id for result in group.results]
        cursor = group.next_cursor
        if cursor is None:
            break
    assert len(seen) == 7 and len(set(seen)) == 7
    (whole,) = search.search(member, "lemur", kinds=["posts"], size=10)
    assert seen == [result.id for result in whole.results]


def test_a_cursor_serves_only_its_own_search(member, space):
    for _ in range(3):
        PostFactory(space=space, body="ibis")
    (group,) = search.search(member, "ibis", kinds=["posts"], size=1)
    for kwargs in ({"query": "heron"}, {"kinds": ["comments"]}, {"space": "elsewhere"}):
        arguments = {"query": "ibis", "kinds": ["posts"], **kwargs}
        query = arguments.pop("query")
        with pytest.raises(ValidationError) as refused:
            search.search(member, query, cursor=group.next_cursor, **arguments)
        assert "cursor" in refused.value.message_dict
    for forged in ("abc", group.next_cursor[:-2] + "xx", "x" * 5000):
        with pytest.raises(ValidationError):
            search.search(member, "ibis", cursor=forged)


def test_a_cursor_gives_the_next_page_of_its_kind_only(member, space):
    for _ in range(2):
        PostFactory(space=space, body="puffin")
        CommentFactory(post=PostFactory(space=space, body="x"), body="puffin")
    posts = next(g for g in search.search(member, "puffin", size=1) if g.kind == "posts")
    assert [group.kind for group in search.search(member, "puffin", cursor=posts.next_cursor,
                                                  size=1)] == ["posts"]  # fmt: skip
