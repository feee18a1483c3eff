from datetime import timedelta

import pytest
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
