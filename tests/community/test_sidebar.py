from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import services
from community.models import Post, SpaceVisit, Tier
from community.selectors.sidebar import sidebar_spaces
from tests.factories import AdminFactory, UserFactory
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def general(db):
    return services.create_space(AdminFactory(), name="General", visibility="members")


def post_in(space, author, ago):
    post = services.create_post(author, space=space, body="Hello")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - ago)
    return post


def unread(member, space):
    return {s.pk: s.has_unread for s in sidebar_spaces(member)}[space.pk]


def test_a_post_by_someone_else_since_the_last_visit_marks_the_space_unread(
    member, other_member, general
):
    member.created_at = timezone.now() - timedelta(days=30)
    two_hours_ago = timezone.now() - timedelta(hours=2)
    SpaceVisit.objects.create(user=member, space=general, last_visited_at=two_hours_ago)
    post_in(general, other_member, timedelta(hours=3))  # before the visit
    post_in(general, member, timedelta(minutes=1))  # one's own posts are never unread
    assert unread(member, general) is False
    post_in(general, other_member, timedelta(minutes=5))
    assert unread(member, general) is True


def test_opening_a_space_clears_its_unread_marker(
    member_client, member, other_member, general, django_capture_on_commit_callbacks
):
    member.created_at = timezone.now() - timedelta(days=1)
    member.save()
    post_in(general, other_member, timedelta(minutes=5))
    assert unread(member, general) is True
    with django_capture_on_commit_callbacks(execute=True):  # the visit is written by a task
        member_client.get(reverse("community:space", args=[general.slug]))
    assert unread(member, general) is False


def test_a_space_never_opened_is_unread_for_posts_since_the_member_joined(other_member, general):
    post_in(general, other_member, timedelta(days=3))
    newcomer = UserFactory(created_at=timezone.now() - timedelta(days=1))
    assert unread(newcomer, general) is False  # older than the member
    post_in(general, other_member, timedelta(hours=1))
    assert unread(newcomer, general) is True


def test_the_sidebar_lists_only_visible_spaces_in_one_query(member, general):
    staff = Tier.objects.create(name="Staff", slug="staff")
    services.create_space(AdminFactory(), name="Staff", visibility="paid", required_tier=staff)
    for i in range(10):
        services.create_space(AdminFactory(), name=f"Room {i}", visibility="members")
    queries, names = count_queries(lambda: [space.name for space in sidebar_spaces(member)])
    assert "Staff" not in names and len(names) == 11
    assert queries == 2  # the member's tiers, then spaces with their unread markers


def test_pages_show_the_sidebar_with_unread_markers(member_client, member, other_member, general):
    member.created_at = timezone.now() - timedelta(days=1)
    member.save()
    post_in(general, other_member, timedelta(minutes=1))
    page = member_client.get(reverse("community:feed")).content.decode()
    assert 'aria-label="Spaces"' in page
    assert '<span class="visually-hidden">, new posts</span>' in page


# --- One reading per request ---------------------------------------------------------------


def space_reads(fetch):
    """The queries of fetch() that read the space table itself (not a join or a subquery)."""
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "community_space"."id"')]


def test_the_home_feed_reads_the_space_list_once_for_the_page_and_the_sidebar(
    member_client, member, general
):
    services.create_space(AdminFactory(), name="Lounge", visibility="members", icon="🛋")
    page = member_client.get(reverse("community:feed")).content.decode()
    assert 'aria-label="Spaces"' in page  # the sidebar
    assert '<option value="lounge">🛋 Lounge</option>' in page  # the filters
    assert len(space_reads(lambda: member_client.get(reverse("community:feed")))) == 1


def test_a_fragment_without_the_sidebar_does_not_read_the_space_list(member_client, general):
    url = reverse("community:space", args=["general"])
    reads = space_reads(lambda: member_client.get(url, headers={"HX-Request": "true"}))
    assert len(reads) == 1 and 'WHERE "community_space"."slug" = ' in reads[0]  # the space


# --- The visit: written at most once a minute ------------------------------------------------


def open_space(client, space, capture):
    """Opens the space's page; returns how many visit writes it queued (run at once)."""
    with capture(execute=True) as queued:
        response = client.get(reverse("community:space", args=[space.slug]))
    assert response.status_code == 200
    return len(queued)


def visited_at(member, space):
    return SpaceVisit.objects.get(user=member, space=space).last_visited_at


def move_visit(member, space, ago):
    SpaceVisit.objects.filter(user=member, space=space).update(last_visited_at=timezone.now() - ago)


def test_two_visits_within_a_minute_write_once(
    member_client, member, general, django_capture_on_commit_callbacks
):
    assert open_space(member_client, general, django_capture_on_commit_callbacks) == 1
    first = visited_at(member, general)
    assert open_space(member_client, general, django_capture_on_commit_callbacks) == 0
    assert visited_at(member, general) == first


def test_a_visit_after_a_minute_is_written_again(
    member_client, member, general, django_capture_on_commit_callbacks
):
    open_space(member_client, general, django_capture_on_commit_callbacks)
    move_visit(member, general, timedelta(seconds=61))
    before = visited_at(member, general)
    assert open_space(member_client, general, django_capture_on_commit_callbacks) == 1
    assert visited_at(member, general) > before + timedelta(seconds=60)


def test_a_post_since_a_recent_visit_is_marked_read_by_the_next_visit(
    member_client, member, other_member, general, django_capture_on_commit_callbacks
):
    member.created_at = timezone.now() - timedelta(days=1)
    member.save()
    open_space(member_client, general, django_capture_on_commit_callbacks)
    move_visit(member, general, timedelta(seconds=10))
    post_in(general, other_member, timedelta(seconds=5))  # after the visit: unread
    assert unread(member, general) is True
    # Less than a minute since the last visit, but the member now sees a newer post.
    assert open_space(member_client, general, django_capture_on_commit_callbacks) == 1
    assert unread(member, general) is False


def test_a_kept_visit_leaves_later_posts_unread(
    member_client, member, other_member, general, django_capture_on_commit_callbacks
):
    member.created_at = timezone.now() - timedelta(days=1)
    member.save()
    open_space(member_client, general, django_capture_on_commit_callbacks)
    assert open_space(member_client, general, django_capture_on_commit_callbacks) == 0
    post_in(general, other_member, timedelta(0))
    assert unread(member, general) is True


def test_the_open_space_shows_as_read_before_its_visit_is_written(
    member_client, member, other_member, general, django_capture_on_commit_callbacks
):
    member.created_at = timezone.now() - timedelta(days=1)
    member.save()
    post_in(general, other_member, timedelta(minutes=1))
    with django_capture_on_commit_callbacks() as queued:  # the task has not run yet
        page = member_client.get(reverse("community:space", args=[general.slug])).content
    assert len(queued) == 1
    assert b"new posts</span>" not in page
    assert unread(member, general) is True  # until the task writes the visit
