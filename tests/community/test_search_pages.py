"""The search pages (community/views/search.py): the results page with its tabs and next
pages, the palette's suggestions, their errors, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CommentFactory,
    PaidSpaceFactory,
    PostFactory,
    SpaceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = reverse("community:search")
SUGGESTIONS = reverse("community:search_suggestions")


def test_the_page_without_a_query_says_what_search_can_do(client, member):
    client.force_login(member)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert b"from:@handle" in response.content
    assert b"Ctrl</kbd>" in response.content


def test_all_shows_each_kind_with_a_link_to_its_tab(client, member, space):
    posts = [PostFactory(space=space, body=f"Fermentation notes {n}") for n in range(7)]
    CommentFactory(post=posts[0], body="My fermentation crock cracked")
    client.force_login(member)
    response = client.get(SEARCH, {"q": "fermentation"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="search-result"') == 5 + 1  # the best five posts, one comment
    assert f'{SEARCH}?q=fermentation&amp;kind=posts">See all posts' in html
    assert "See all comments" not in html  # all of them are shown already
    assert "<mark>" in html.lower()


def test_a_kind_tab_pages_through_every_result(client, member, space):
    posts = [PostFactory(space=space, body=f"Sourdough {n}") for n in range(23)]
    client.force_login(member)
    first = client.get(SEARCH, {"q": "sourdough", "kind": "posts"})
    html = first.content.decode()
    assert html.count('class="search-result"') == 20
    assert 'aria-current="page">Posts</a>' in html
    cursor_url = first.context["next_url"]
    assert "cursor=" in cursor_url and "kind=posts" in cursor_url
    # The next page as the infinite scroll asks for it: its rows only, no page around them.
    rest = client.get(cursor_url, headers={"HX-Request": "true"})
    assert rest.status_code == 200
    assert "<html" not in rest.content.decode()
    assert rest.content.decode().count('class="search-result"') == 3
    seen = [r.id for r in first.context["groups"][0].results]
    seen += [r.id for r in rest.context["groups"][0].results]
    assert sorted(seen) == sorted(post.pk for post in posts)
    assert rest.context.get("next_url") is None


def test_no_results_offers_ways_to_widen_the_search(client, member, space):
    PostFactory(space=space, body="Only about tomatoes")
    client.force_login(member)
    html = client.get(SEARCH, {"q": "cucumbers", "kind": "posts"}).content.decode()
    assert "No results for “cucumbers” in posts" in html
    assert f'href="{SEARCH}?q=cucumbers">Search everything</a>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [("x" * 10_000, "characters"), ("a" * 201, "characters")],
    ids=["ten-thousand", "one-over"],
)
def test_a_query_too_long_is_refused_clearly(client, member, query, message):
    client.force_login(member)
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 400
    assert message in response.context["errors"][0]
    assert 'role="alert"' in response.content.decode()
    palette = client.get(SUGGESTIONS, {"q": query})
    assert palette.status_code == 200
    assert 'role="alert"' in palette.content.decode()


def test_engine_syntax_in_the_query_is_only_words(client, member, space):
    post = PostFactory(space=space, body="Pickles and jam")
    client.force_login(member)
    for query in ["pickles & | ! : * ( ) ' \\ <->", '"pickles', "pickles' --", "(pickles*)"]:
        response = client.get(SEARCH, {"q": query, "kind": "posts"})
        assert response.status_code == 200, query
        assert [r.id for r in response.context["groups"][0].results] == [post.pk], query


def test_content_never_escapes_the_snippet(client, member, space):
    PostFactory(space=space, body='<script>alert("x")</script> sauerkraut <img src=x onerror=1>')
    client.force_login(member)
    for url in (SEARCH, SUGGESTIONS):
        html = client.get(url, {"q": "sauerkraut"}).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html
        assert "<mark>sauerkraut</mark>" in html


def test_the_palette_lists_options_grouped_by_kind(client, space):
    # Names of our choosing: the factory's random ones are found by their likeness to the
    # query too ("Kim" to "kimch"), and the count below would then be theirs as well.
    searcher = UserFactory(display_name="Grace Hopper")
    author = UserFactory(display_name="Ada Lovelace")
    post = PostFactory(space=space, author=author, title="Kimchi recipe", body="Napa cabbage")
    client.force_login(searcher)
    html = client.get(SUGGESTIONS, {"q": "kimch"}).content.decode()
    assert 'role="group" aria-labelledby="palette-group-posts"' in html
    assert f'role="option" id="palette-posts-{post.pk}" href="/posts/{post.pk}/"' in html
    assert 'data-summary="1 result"' in html
    assert f'href="{SEARCH}?q=kimch"' in html  # the last option: every result
    empty = client.get(SUGGESTIONS, {"q": "nothingatall"}).content.decode()
    assert 'data-summary="No results for “nothingatall”"' in empty
    assert client.get(SUGGESTIONS).content.strip() == b""


def test_visitors_find_only_public_content(client, space):
    public = SpaceFactory(visibility="public")
    PostFactory(space=space, body="Secret miso")
    shown = PostFactory(space=public, body="Open miso")
    response = client.get(SEARCH, {"q": "miso", "kind": "posts"})
    assert [r.id for r in response.context["groups"][0].results] == [shown.pk]


@pytest.mark.parametrize("rows", [1, 12], ids=["one-post", "twelve-posts"])
def test_the_pages_read_a_fixed_number_of_queries(
    client, member, space, django_assert_max_num_queries, rows
):
    for n in range(rows):
        post = PostFactory(space=space, body=f"Kefir grains {n}")
        CommentFactory(post=post, body="kefir is great")
    client.force_login(member)
    client.get(SEARCH, {"q": "kefir"})  # sessions and per-process caches warm
    # One per kind (its newest matches and their page; on SQLite two, none for rows when
    # nothing matched); on PostgreSQL, for the whole search, its settings in a savepoint (in a
    # test's transaction: set, then put back); the member's enrollments for the lessons.
    with django_assert_max_num_queries(18):
        assert client.get(SEARCH, {"q": "kefir"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(SEARCH, {"q": "kefir", "kind": "comments"}).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(SUGGESTIONS, {"q": "kefi"}).status_code == 200


def test_the_filters_narrow_the_results_and_follow_the_tabs(client, member, space):
    other = SpaceFactory(name="Kitchen")
    wanted = PostFactory(space=space, author=member, body="Kimchi recipe")
    PostFactory(space=other, author=member, body="Kimchi in the kitchen")
    PostFactory(space=space, body="Kimchi by someone else")
    PostFactory(space=space, author=member, body="Old kimchi",
                created_at=timezone.now() - timedelta(days=40))  # fmt: skip
    client.force_login(member)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    params = {"q": "kimchi", "space": space.slug, "author": f"@{member.handle}", "since": since}
    response = client.get(SEARCH, params)
    html = response.content.decode()
    assert [r.id for r in response.context["groups"][0].results] == [wanted.pk]
    assert '<details class="search-filters" open>' in html
    assert f'<option value="{space.slug}" selected>' in html
    # A tab keeps the filters, and so does the next page's link.
    tab = f"?q=kimchi&amp;space={space.slug}&amp;author=%40{member.handle}&amp;since={since}"
    assert f'href="{SEARCH}{tab}&amp;kind=posts"' in html
    assert "Search without the filters" not in html  # something was found


def test_a_filter_in_error_is_shown_and_left_out(client, member, space):
    PostFactory(space=space, body="Miso soup")
    client.force_login(member)
    today = timezone.localdate()
    params = {"q": "miso", "since": today.isoformat(), "until": (today - timedelta(days=1))}
    response = client.get(SEARCH, params)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The last day comes before the first." in html
    # The first day alone still applies: today's post is found.
    assert len(response.context["groups"][0].results) == 1


def test_an_empty_filtered_search_offers_to_drop_the_filters(client, member, space):
    PostFactory(space=space, body="Natto")
    client.force_login(member)
    html = client.get(SEARCH, {"q": "natto", "author": "@nobody"}).content.decode()
    assert "No results for “natto”" in html
    assert 'href="/search/?q=natto">Search without the filters' in html


@pytest.mark.parametrize(
    "dates", [{"until": "9999-12-31"}, {"since": "0001-01-01"}], ids=["last-day", "first-day"]
)
def test_a_day_at_the_calendars_end_is_refused_not_a_server_error(client, member, space, dates):
    member.time_zone = "Pacific/Auckland"  # east of UTC: the first day's midnight is before 1 AD
    member.save(update_fields=["time_zone"])
    PostFactory(space=space, body="Tahini")
    client.force_login(member)
    response = client.get(SEARCH, {"q": "tahini", **dates})
    assert response.status_code == 200
    assert "Ensure this value is" in response.content.decode()
    assert len(response.context["groups"][0].results) == 1  # the day is left out


def test_a_space_the_member_may_not_see_is_not_a_filter_choice(client, member, space):
    paid = PaidSpaceFactory(name="Inner circle")
    PostFactory(space=paid, body="Sourdough secrets")
    shown = PostFactory(space=space, body="Sourdough for all")
    client.force_login(member)
    response = client.get(SEARCH, {"q": "sourdough", "space": paid.slug})
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert f'<option value="{paid.slug}"' not in html
    # The refused filter is left out; the paid space's post stays unseen.
    assert [r.id for r in response.context["groups"][0].results] == [shown.pk]
