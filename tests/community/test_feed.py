"""The activity feed, space pages and hashtag pages: what each viewer sees, tabs, filters,
keyset pages, the "new posts" marker and the number of queries."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import selectors, services, tasks
from community.models import AccessGrant, Follow, Hashtag, Like, PopularPost, Post
from community.pagination import encode_cursor
from tests.factories import UserFactory
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def spaces(admin, pro):
    make = services.create_space
    return {
        "general": make(admin, name="General", visibility="members", icon="💬"),
        "public": make(admin, name="Announcements", visibility="public"),
        "paid": make(admin, name="Pro lounge", visibility="paid", required_tier=pro),
    }


def post(author, space, body="Hello", *, title="", ago=None, **fields):
    """A post written through the service, optionally dated in the past."""
    created = services.create_post(author, space=space, body=body, title=title)
    changes = dict(fields)
    if ago is not None:
        changes["created_at"] = timezone.now() - ago
    if changes:
        Post.objects.filter(pk=created.pk).update(**changes)
        created.refresh_from_db()
    return created


def make_posts(count, spaces, authors, *, tag=None, start=None):
    """Many posts at once (bulk insert), newest last, spread over spaces and authors."""
    start = start or timezone.now() - timedelta(hours=1)
    posts = Post.objects.bulk_create(
        Post(space=spaces[i % len(spaces)], author=authors[i % len(authors)],
             title=f"Title {i}" if i % 2 else "", body=f"Post {i}", body_html=f"<p>Post {i}</p>",
             like_count=i % 7, comment_count=i % 3, created_at=start + timedelta(seconds=i))
        for i in range(count)
    )  # fmt: skip
    if tag:
        hashtag, _ = Hashtag.objects.get_or_create(name=tag)
        Post.hashtags.through.objects.bulk_create(
            Post.hashtags.through(post_id=p.pk, hashtag_id=hashtag.pk) for p in posts
        )
    return posts


def ids(response):
    return [item["id"] for item in response.json()["results"]]


def walk_pages(viewer, **params):
    """Every post of a feed tab, page after page by cursor, in the order shown."""
    seen, cursor = [], None
    while True:
        page = selectors.feed(viewer, cursor=cursor, **params)
        seen += [p.pk for p in page.items]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


# --- Who sees what ---------------------------------------------------------------------


def test_the_feed_shows_visible_posts_newest_first(member, other_member, spaces):
    old = post(other_member, spaces["general"], "Old", ago=timedelta(hours=2))
    new = post(other_member, spaces["public"], "New")
    page = selectors.feed(member)
    assert [p.pk for p in page.items] == [new.pk, old.pk]
    assert page.next_cursor is None


def test_private_space_posts_never_reach_another_members_feed_api_or_hashtag_page(
    member, other_member, pro, spaces, client
):
    post(other_member, spaces["general"], "Open #news")
    AccessGrant.objects.create(user=other_member, tier=pro)
    secret = post(other_member, spaces["paid"], "Secret plans #news", title="Paid only")
    # The member without the tier: feed page, hashtag page, API feed, space and hashtag lists.
    client.force_login(member)
    for url in (reverse("community:feed"), reverse("community:hashtag", args=["news"])):
        html = client.get(url).content.decode()
        assert "Open" in html and "Secret plans" not in html and "Paid only" not in html
    api = api_as(member)
    assert secret.pk not in ids(api.get("/api/v1/posts/"))
    assert secret.pk not in ids(api.get("/api/v1/hashtags/news/posts/"))
    assert secret.pk not in ids(api.get("/api/v1/posts/?space=paid"))
    assert api.get("/api/v1/spaces/paid/posts/").status_code == 404
    assert api.get(f"/api/v1/posts/{secret.pk}/").status_code == 404
    # Visitors see public spaces only.
    assert [p.space.slug for p in selectors.feed(AnonymousUser()).items] == []
    # The tier holder sees it.
    assert secret.pk in ids(api_as(other_member).get("/api/v1/posts/"))


def test_deleted_posts_spaces_and_hidden_posts_leave_the_feed(
    admin, member, other_member, moderator, spaces
):
    kept = post(other_member, spaces["general"], "Kept")
    deleted = post(other_member, spaces["general"], "Deleted")
    hidden = post(other_member, spaces["general"], "Hidden")
    in_gone_space = post(other_member, spaces["public"], "Gone")
    services.delete_post(other_member, post=deleted)
    services.hide_post(moderator, post=hidden)
    services.delete_space(admin, space=spaces["public"])
    assert [p.pk for p in selectors.feed(member).items] == [kept.pk]
    assert {p.pk for p in selectors.feed(moderator).items} == {kept.pk, hidden.pk}
    assert in_gone_space.pk not in {p.pk for p in selectors.feed(moderator).items}


# --- Tabs and filters ------------------------------------------------------------------


def test_the_following_tab_shows_only_authors_the_member_follows(member, spaces):
    followed, stranger = UserFactory(), UserFactory()
    Follow.objects.create(follower=member, followed=followed)
    mine = post(followed, spaces["general"], "From a friend")
    post(stranger, spaces["general"], "From a stranger")
    assert [p.pk for p in selectors.feed(member, tab="following").items] == [mine.pk]
    assert ids(api_as(member).get("/api/v1/posts/?tab=following")) == [mine.pk]
    assert selectors.feed(AnonymousUser(), tab="following").items == []


def test_pages_split_ties_on_time_by_id_and_start_the_scan_at_the_cursor(member, spaces):
    """Posts sharing one timestamp across page edges appear once each, in order; and the
    next page's query bounds the time column itself, so the index scan starts at the cursor
    instead of reading every newer row (what made page 500 slower than page 1)."""
    same_time = timezone.now() - timedelta(minutes=5)
    made = make_posts(9, [spaces["general"]], [UserFactory()])
    Post.objects.filter(pk__in=[p.pk for p in made]).update(created_at=same_time)
    expected = sorted((p.pk for p in made), reverse=True)
    seen, cursor = [], None
    while True:
        with CaptureQueriesContext(connection) as queries:
            page = selectors.feed(member, cursor=cursor, size=4)
        if cursor:
            feed_sql = next(q["sql"] for q in queries.captured_queries if "LIMIT 5" in q["sql"])
            assert '"community_post"."created_at" <=' in feed_sql
        seen += [p.pk for p in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == expected


def test_following_pages_hold_every_visible_post_of_the_followed_in_order(member, spaces):
    """Pages of the Following tab, walked by cursor, equal the followed authors' visible
    posts newest first: none skipped at a page edge, none from a space the member cannot see,
    hidden or deleted (PostgreSQL pages from each author's newest posts; SQLite filters)."""
    busy, quiet, stranger = UserFactory(), UserFactory(), UserFactory()
    for author in (busy, quiet):
        Follow.objects.create(follower=member, followed=author)
    general, paid = spaces["general"], spaces["paid"]
    make_posts(23, [general], [busy])  # the busy author alone fills pages
    make_posts(5, [general, paid], [quiet], start=timezone.now() - timedelta(hours=2))
    make_posts(3, [general], [stranger], start=timezone.now() - timedelta(hours=3))
    hidden = post(busy, general, "Hidden", hidden_at=timezone.now())
    deleted = post(quiet, general, "Deleted", deleted_at=timezone.now())
    expected = list(
        Post.objects.filter(author__in=[busy, quiet], space=general, hidden_at=None,
                            deleted_at=None)
        .order_by("-created_at", "-id").values_list("id", flat=True)
    )  # fmt: skip
    seen = walk_pages(member, tab="following", size=4)
    assert seen == expected
    assert len(expected) == 23 + 3  # quiet's 2 posts in the paid space are not visible
    assert hidden.pk not in seen and deleted.pk not in seen


def test_the_popular_tab_ranks_the_last_week_by_likes_and_comments(member, other_member, spaces):
    general = spaces["general"]
    quiet = post(other_member, general, "Quiet", like_count=0, comment_count=1)
    liked = post(other_member, general, "Liked", like_count=5, comment_count=0)
    talked = post(other_member, general, "Talked", like_count=2, comment_count=9)
    post(other_member, general, "Old hit", like_count=99, ago=timedelta(days=8))
    tasks.rank_popular_posts()
    assert [p.pk for p in selectors.feed(member, tab="popular").items] == [
        talked.pk, liked.pk, quiet.pk
    ]  # fmt: skip


def test_the_popular_ranking_is_written_every_minute_not_per_request(member, other_member, spaces):
    """A page reads the ranking the periodic task wrote (settings.CELERY_BEAT_SCHEDULE): a
    new like moves a post at the next run, and running it again changes nothing."""
    general = spaces["general"]
    first = post(other_member, general, "First", like_count=3)
    second = post(other_member, general, "Second", like_count=1)
    fresh = post(other_member, general, "Fresh")
    tasks.rank_popular_posts()
    Post.objects.filter(pk=second.pk).update(like_count=10)
    ranked = [p.pk for p in selectors.feed(member, tab="popular").items]
    assert ranked == [first.pk, second.pk, fresh.pk]  # as ranked a moment ago
    tasks.rank_popular_posts()
    tasks.rank_popular_posts()
    assert [p.pk for p in selectors.feed(member, tab="popular").items] == [
        second.pk, first.pk, fresh.pk
    ]  # fmt: skip
    assert PopularPost.objects.count() == 3
    schedule = settings.CELERY_BEAT_SCHEDULE["rank-popular-posts"]
    assert schedule == {"task": "community.tasks.rank_popular_posts", "schedule": 60}


def test_the_popular_tab_pages_through_ties_without_gaps(member, other_member, spaces):
    posts = make_posts(45, [spaces["general"]], [other_member])
    tasks.rank_popular_posts()
    seen = walk_pages(member, tab="popular", size=10)
    assert sorted(seen) == sorted(p.pk for p in posts) and len(seen) == len(set(seen))
    scores = [Post.objects.get(pk=pk).like_count + Post.objects.get(pk=pk).comment_count
              for pk in seen]  # fmt: skip
    assert scores == sorted(scores, reverse=True)


def test_filter_by_space_and_kind(member, other_member, spaces):
    discussion = post(other_member, spaces["general"], "Quick question")
    article = post(other_member, spaces["general"], "Long read", title="An article")
    elsewhere = post(other_member, spaces["public"], "Elsewhere")
    api = api_as(member)
    assert ids(api.get("/api/v1/posts/?space=general")) == [article.pk, discussion.pk]
    assert ids(api.get("/api/v1/posts/?kind=article")) == [article.pk]
    assert ids(api.get("/api/v1/posts/?kind=discussion")) == [elsewhere.pk, discussion.pk]
    assert ids(api.get("/api/v1/posts/?space=general&kind=discussion")) == [discussion.pk]


def test_unknown_tab_kind_or_a_bad_cursor_is_a_json_error_in_the_api(member, spaces):
    api = api_as(member)
    for query, field in (("tab=best", "tab"), ("kind=poll", "kind"), ("cursor=!!", "cursor"),
                         ("cursor=WzFd", "cursor"), ("size=lots", "size")):  # fmt: skip
        response = api.get(f"/api/v1/posts/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid" and field in response.json()["fields"]
    response = api.get("/api/v1/spaces/general/posts/?cursor=nope")
    assert response.status_code == 400 and "cursor" in response.json()["fields"]


def test_a_bad_cursor_on_a_page_shows_an_error_not_a_crash(member_client, spaces):
    response = member_client.get(reverse("community:feed") + "?cursor=garbage")
    assert response.status_code == 400
    assert "This cursor is not valid." in response.content.decode()
    response = member_client.get(reverse("community:space", args=["general"]) + "?cursor=x")
    assert response.status_code == 400


# --- Keyset pages ----------------------------------------------------------------------


def test_api_pages_have_no_duplicates_or_gaps_even_with_equal_times(member, other_member,
                                                                    spaces):  # fmt: skip
    posts = make_posts(45, [spaces["general"], spaces["public"]], [other_member])
    same_time = timezone.now() - timedelta(minutes=5)
    Post.objects.filter(pk__in=[p.pk for p in posts[10:30]]).update(created_at=same_time)
    api, seen, url = api_as(member), [], "/api/v1/posts/?size=10"
    while url:
        data = api.get(url).json()
        seen += [item["id"] for item in data["results"]]
        url = (
            f"/api/v1/posts/?size=10&cursor={data['next_cursor']}" if data["next_cursor"] else None
        )
    assert len(seen) == 45 and set(seen) == {p.pk for p in posts}
    expected = Post.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    assert seen == list(expected)


def test_infinite_scroll_loads_the_next_page_as_a_fragment(member_client, other_member, spaces):
    make_posts(25, [spaces["general"]], [other_member])
    html = member_client.get(reverse("community:feed")).content.decode()
    assert html.count('<article class="post-card') == 20
    assert 'hx-trigger="revealed"' in html
    next_url = html.split('class="feed-more" hx-get="')[1].split('"')[0].replace("&amp;", "&")
    fragment = member_client.get(next_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert fragment.count('<article class="post-card') == 5
    assert 'hx-trigger="revealed"' not in fragment and "all caught up" in fragment


def test_the_new_posts_marker_loads_only_newer_posts(member_client, member, other_member, spaces):
    first = post(other_member, spaces["general"], "Already seen", ago=timedelta(minutes=5))
    html = member_client.get(reverse("community:feed")).content.decode()
    assert f'data-live-topic="space:{spaces["general"].pk}"' in html
    assert f'data-live-topic="space:{spaces["paid"].pk}"' not in html
    assert "data-newest-cursor" in html
    cursor = encode_cursor([first.created_at, first.pk])
    fresh = post(other_member, spaces["general"], "Brand new")
    response = member_client.get(
        reverse("community:feed") + f"?newer={cursor}", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert f'id="post-{fresh.pk}"' in body and f'id="post-{first.pk}"' not in body
    assert response["X-Newest-Cursor"] == encode_cursor([fresh.created_at, fresh.pk])
    bad = member_client.get(reverse("community:feed") + "?newer=bad", HTTP_HX_REQUEST="true")
    assert bad.status_code == 400


# --- Space and hashtag pages -----------------------------------------------------------


def test_the_space_page_shows_pinned_posts_first_and_only_on_the_first_page(
    member, moderator, other_member, spaces, client
):
    general = spaces["general"]
    posts = make_posts(25, [general], [other_member])
    services.pin_post(moderator, post=posts[0])  # the oldest
    data = selectors.space_feed(member, general)
    assert [p.pk for p in data.pinned] == [posts[0].pk]
    assert posts[0].pk not in [p.pk for p in data.items] and len(data.items) == 20
    second = selectors.space_feed(member, general, cursor=data.next_cursor)
    assert second.pinned == [] and len(second.items) == 4
    api = api_as(member).get(f"/api/v1/spaces/{general.slug}/posts/").json()
    assert [p["id"] for p in api["pinned"]] == [posts[0].pk] and api["next_cursor"]
    client.force_login(member)
    html = client.get(reverse("community:space", args=[general.slug])).content.decode()
    assert html.index(f'id="post-{posts[0].pk}"') < html.index(f'id="post-{posts[24].pk}"')
    assert "Pinned" in html and general.name in html and "💬" in html


def test_the_hashtag_page_lists_its_posts(member_client, other_member, spaces):
    tagged = post(other_member, spaces["general"], "All about #Django")
    post(other_member, spaces["general"], "Nothing to see")
    html = member_client.get(reverse("community:hashtag", args=["django"])).content.decode()
    assert f'id="post-{tagged.pk}"' in html and "Nothing to see" not in html
    assert ids(api_as(tagged.author).get("/api/v1/hashtags/DJANGO/posts/")) == [tagged.pk]
    empty = member_client.get(reverse("community:hashtag", args=["nothing"]))
    assert empty.status_code == 200 and "No posts with this hashtag yet." in empty.content.decode()


def test_liked_by_me_is_marked_on_the_page_and_in_the_api(member, other_member, spaces):
    liked, unliked = make_posts(2, [spaces["general"]], [other_member])
    services.toggle_like(member, target=liked)
    data = {item["id"]: item["liked"] for item in api_as(member).get("/api/v1/posts/").json()[
        "results"]}  # fmt: skip
    assert data == {liked.pk: True, unliked.pk: False}
    assert {p.pk: p.liked for p in selectors.feed(member).items} == data


# --- Query counts ----------------------------------------------------------------------


def _build(count, spaces, viewer):
    authors = [UserFactory() for _ in range(3)]
    posts = make_posts(count, [spaces["general"], spaces["public"], spaces["paid"]], authors,
                       tag="news")  # fmt: skip
    from django.contrib.contenttypes.models import ContentType

    post_type = ContentType.objects.get_for_model(Post)
    Like.objects.bulk_create(
        Like(user=viewer, content_type=post_type, object_id=p.pk) for p in posts[::2]
    )
    return posts


@pytest.mark.parametrize(
    ("name", "url", "bound"),
    [
        # Session, user, held tiers, the spaces with their unread markers (read once for the
        # filters, compose picker, live topics and the layout's sidebar), the page of posts
        # with space and author joined, liked-by-me (6 today): bound 9.
        ("feed page", "/", 9),
        # Session, user, the space, held tiers, pinned posts, the page of posts, liked-by-me,
        # the sidebar (8 today); the visit (savepoint, select, update, release) at most once
        # a minute, and not here: the test's transaction never commits.
        ("space page", "/spaces/general/", 12),
        # Session, user, held tiers, posts, liked-by-me, the sidebar (6 today).
        ("hashtag page", "/hashtags/news/", 9),
        # Session, user, held tiers, posts (with space and author joined), liked-by-me.
        ("api feed", "/api/v1/posts/?size=100", 5),
        # As above plus the space and the pinned posts.
        ("api space", "/api/v1/spaces/general/posts/?size=100", 7),
        ("api hashtag", "/api/v1/hashtags/news/posts/?size=100", 5),
    ],
)
def test_a_page_of_posts_costs_the_same_queries_for_5_and_50_posts(
    name, url, bound, paid_member, spaces, client
):
    client.force_login(paid_member)
    client.get(url)  # the first visit of a space inserts its SpaceVisit; later ones update it
    _build(5, spaces, paid_member)
    assert_constant_queries(
        {name: lambda: client.get(url)},
        grow=lambda: _build(45, spaces, paid_member),
        bound={name: bound},
    )


def test_visitors_read_public_spaces_without_compose_form_or_live_marker(client, member, spaces):
    public = post(member, spaces["public"], "Hello world")
    private = post(member, spaces["general"], "Members only")
    html = client.get(reverse("community:feed")).content.decode()
    assert f'id="post-{public.pk}"' in html and f'id="post-{private.pk}"' not in html
    assert 'name="body"' not in html and "data-live-topic" not in html
    assert client.get(reverse("community:space", args=["general"])).status_code == 404
