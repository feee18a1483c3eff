"""A paid space is not a dead end: members without the tier see it locked, in the sidebar and
on its page (what it is, how to get in, never its posts). What they may never see stays a
404: a space behind an unlisted (staff) tier, a deleted one; visitors who are not signed in
get a 404 for paid spaces as for members' spaces."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import reverse

from community import access, services
from community.models import Post, Tier
from community.selectors.sidebar import sidebar_spaces
from tests.factories import AccessGrantFactory, PaidSpaceFactory, PostFactory, UserFactory
from tests.helpers import api_as, assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def pro(db):
    """The conftest tier, listed: members may ask for it (the demo's "pro" is one)."""
    return Tier.objects.create(name="Pro", slug="pro", listed=True,
                               description="Office hours with the team.")  # fmt: skip


@pytest.fixture
def lounge(pro):
    return PaidSpaceFactory(name="Pro lounge", slug="pro-lounge", icon="⭐", required_tier=pro,
                            description="Deep dives for Pro members.")  # fmt: skip


@pytest.fixture
def secret_posts(lounge):
    author = UserFactory()
    return [PostFactory(space=lounge, author=author, title=f"Secret {i}",
                        body=f"Secret deep dive {i}") for i in range(2)]  # fmt: skip


@pytest.fixture
def staff_room(db):
    """Modelled as a paid space behind a tier nobody may ask for: it never shows."""
    staff = Tier.objects.create(name="Staff", slug="staff")  # listed=False by default
    return PaidSpaceFactory(name="Staff room", slug="staff-room", required_tier=staff,
                            description="Staff notes")  # fmt: skip


def url(space):
    return reverse("community:space", args=[space.slug])


# --- The rule ------------------------------------------------------------------------------


def test_only_members_without_a_listed_tier_preview_a_paid_space(
    member, paid_member, moderator, admin, banned_member, lounge, staff_room, space
):
    assert access.can_preview_space(member, lounge)
    for who in (paid_member, moderator, admin, banned_member, AnonymousUser()):
        assert not access.can_preview_space(who, lounge)
    assert not access.can_preview_space(member, staff_room)  # unlisted tier: hidden
    assert not access.can_preview_space(member, space)  # not paid: nothing to lock
    services.delete_space(admin, space=lounge)
    assert not access.can_preview_space(member, lounge)  # deleted: gone


def test_a_grant_that_ended_locks_the_space_again(member, pro, lounge):
    AccessGrantFactory(user=member, tier=pro, expired=True)
    assert access.can_preview_space(member, lounge)
    assert not access.can_see_space(member, lounge)


# --- The sidebar ---------------------------------------------------------------------------


def test_the_sidebar_marks_the_paid_space_locked_for_a_member_without_the_tier(
    client, member, paid_member, moderator, lounge, staff_room, space, secret_posts
):
    client.force_login(member)
    page = client.get(reverse("community:feed")).content.decode()
    assert f'href="{url(lounge)}" class="space-link space-link--locked' in page
    assert "data-locked" in page and "(locked)" in page
    assert "Staff room" not in page  # what may never be seen is not listed
    for holder in (paid_member, moderator):
        client.force_login(holder)
        page = client.get(reverse("community:feed")).content.decode()
        assert "Pro lounge" in page and "data-locked" not in page


def test_a_locked_space_shows_no_unread_marker(member, lounge, secret_posts):
    spaces = {s.slug: s for s in sidebar_spaces(member)}
    assert spaces["pro-lounge"].is_locked is True
    assert spaces["pro-lounge"].has_unread is False


def test_visitors_see_neither_locked_nor_members_spaces(client, lounge, space):
    assert list(sidebar_spaces(AnonymousUser())) == []
    assert "Pro lounge" not in client.get(reverse("community:feed")).content.decode()


def test_the_sidebar_stays_two_queries_with_locked_spaces(member, pro):
    def add_spaces(count):
        for _ in range(count):
            PaidSpaceFactory(required_tier=pro)

    def fetch():
        member._held_tier_ids = None  # a new request: the member's tiers are read again
        return list(sidebar_spaces(member))

    add_spaces(3)
    # The member's tiers (1), then the spaces with their lock and unread markers (1).
    assert_constant_queries(fetch, grow=lambda: add_spaces(20), bound=2)
    assert all(space.is_locked for space in sidebar_spaces(member))


# --- The locked page -----------------------------------------------------------------------


def test_the_locked_page_says_what_the_space_holds_and_how_to_get_in(
    client, member, lounge, secret_posts
):
    client.force_login(member)
    response = client.get(url(lounge))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pro lounge" in page and "Deep dives for Pro members." in page and "⭐" in page
    assert "2 posts" in page and "Office hours with the team." in page
    assert 'href="/pricing/">See plans' in page  # the payments app's pricing page
    assert "Secret" not in page  # no titles, no bodies
    assert 'name="body"' not in page  # no compose form
    assert "No such space" not in page


def test_the_locked_pages_count_is_kept_for_a_few_minutes(client, member, lounge, secret_posts):
    """Counting a large space on every visit made the page the benchmark's slowest."""
    client.force_login(member)
    assert "2 posts" in client.get(url(lounge)).content.decode()
    PostFactory(space=lounge)
    cached = client.get(url(lounge)).content.decode()
    assert "2 posts" in cached  # counted at most every LOCKED_COUNT_SECONDS
    cache.delete(f"locked-space-post-count:{lounge.pk}")  # as when it expires
    assert "3 posts" in client.get(url(lounge)).content.decode()


def test_the_locked_page_leaks_no_posts_by_any_door(client, member, lounge, secret_posts):
    client.force_login(member)
    newer = client.get(url(lounge), {"newer": "x"}, headers={"HX-Request": "true"})
    assert newer.status_code == 403 and "Secret" not in newer.content.decode()
    paged = client.get(url(lounge), {"cursor": "x"})
    assert "Secret" not in paged.content.decode()
    posted = client.post(url(lounge), {"body": "Let me in"})
    assert posted.status_code == 403
    assert not Post.objects.filter(body="Let me in").exists()
    # The API tells no more than the page: the posts stay unreachable.
    api = api_as(member)
    assert api.get(f"/api/v1/spaces/{lounge.slug}/posts/").status_code == 404
    assert api.get(f"/api/v1/posts/{secret_posts[0].pk}/").status_code == 404


def test_holders_and_moderators_get_the_space_itself(
    client, paid_member, moderator, lounge, secret_posts
):
    for who in (paid_member, moderator):
        client.force_login(who)
        page = client.get(url(lounge)).content.decode()
        assert "Secret deep dive 0" in page and "See plans" not in page


def test_the_space_opens_once_an_admin_grants_the_tier(client, member, admin, pro, lounge,
                                                      secret_posts):  # fmt: skip
    client.force_login(member)
    assert "See plans" in client.get(url(lounge)).content.decode()
    services.grant_access(admin, member=member, tier=pro)
    page = client.get(url(lounge)).content.decode()
    assert "Secret deep dive 1" in page and "See plans" not in page


def test_what_may_never_be_seen_stays_404(client, member, admin, staff_room, lounge):
    client.force_login(member)
    assert client.get(url(staff_room)).status_code == 404
    services.delete_space(admin, space=lounge)
    assert client.get(url(lounge)).status_code == 404
    assert client.get("/spaces/no-such-space/").status_code == 404


def test_visitors_get_404_for_a_paid_space_as_for_a_members_space(client, lounge, space):
    assert client.get(url(lounge)).status_code == 404
    assert client.get(url(space)).status_code == 404


def test_the_locked_page_costs_the_same_with_few_or_many_posts(client, member, lounge):
    def add_posts(count):
        author = UserFactory()
        for _ in range(count):
            PostFactory(space=lounge, author=author)

    client.force_login(member)
    add_posts(2)
    # Session and user (2), the space with its tier (1), the member's tiers (1), the post
    # count (1), the sidebar (1).
    queries, _ = count_queries(lambda: client.get(url(lounge)))
    assert_constant_queries(lambda: client.get(url(lounge)), grow=lambda: add_posts(30),
                            bound=7)  # fmt: skip
    assert queries <= 7
