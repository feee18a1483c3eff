"""The benchmark's notifications (bench/notifications.py): the tiny scale's rows are those
messaging.tasks would have written for its comments, likes and follows (recounted here with
the ORM), a scale loaded before them gets the same rows added, and the notification
scenarios answer 200 for the reader within query budgets that do not grow with the data."""

import pytest

from bench import notifications as bench_notifications
from bench.scenarios import SCENARIOS
from community.models import Comment, Follow, Like, Post
from messaging import tasks
from messaging.models import Notification
from tests.factories import CommentFactory, PostFactory

from .conftest import seed_tiny
from .reader import ScenarioReader

SCENARIO_NAMES = bench_notifications.NOTIFICATION_SCENARIOS
pytestmark = pytest.mark.usefixtures("bench_app", "default_ladder")


def registered():
    return {scenario.name: scenario for scenario in SCENARIOS.registered()}


def test_the_notification_pages_and_lists_are_registered_read_scenarios():
    scenarios = registered()
    for name in SCENARIO_NAMES:
        assert scenarios[name].needs
        assert scenarios[name].auth == ("token" if name.startswith("api-") else "session")


def _recount():
    """(kind, rows) the tiny scale's sources give, counted with the ORM."""
    shown = Post.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)
    authors = dict(shown.values_list("pk", "author_id"))
    comments = sum(
        1
        for post_id, author_id in Comment.objects.filter(deleted_at__isnull=True).values_list(
            "post_id", "author_id"
        )
        if post_id in authors and authors[post_id] != author_id
    )
    liked = {
        object_id
        for user_id, object_id in Like.objects.filter(content_type__model="post").values_list(
            "user_id", "object_id"
        )
        if object_id in authors and authors[object_id] != user_id
    }
    return {"comment": comments, "like": len(liked), "follow": Follow.objects.count()}


def _by_kind():
    counts = {}
    for kind in Notification.objects.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_notifications_are_those_of_the_sources_and_added_to_an_older_scale():
    seed_tiny()
    assert bench_notifications.loaded("tiny")
    expected = _recount()
    assert _by_kind() == expected and all(expected.values()), expected
    # A grouped like row: the latest liker as actor, the others counted.
    row = Notification.objects.filter(kind="like").order_by("-others").first()
    likes = Like.objects.filter(content_type__model="post", object_id=row.target_id).exclude(
        user_id=row.recipient_id
    )
    assert row.others == likes.count() - 1
    assert row.actor_id == likes.order_by("-created_at", "-pk").first().user_id
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    # The same rows as the task writes: its sentence reads the data the load wrote.
    comment = Notification.objects.filter(kind="comment").first()
    assert comment.data["title"] and comment.data["post_id"]

    shape = Notification.objects.count()
    Notification.objects.all().delete()
    assert not bench_notifications.loaded("tiny")
    assert "notifications" in seed_tiny()
    assert Notification.objects.count() == shape
    assert "notifications" not in seed_tiny()  # once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_notification_scenarios_answer_within_their_query_budgets():
    seed_tiny()
    reader = ScenarioReader()
    assert reader.path("notifications-unread") == "/notifications/?show=unread"
    before = reader.responses(SCENARIO_NAMES)
    for name, (count, _response) in before.items():
        assert count <= bench_notifications.QUERY_BUDGETS[name], (name, count)

    post = PostFactory(author=reader.member)  # past a page of new, unread ones
    for _ in range(30):
        tasks.comment_created(CommentFactory(post=post).pk)
    after = reader.responses(SCENARIO_NAMES)
    for name in SCENARIO_NAMES:
        assert after[name][0] == before[name][0], (name, before[name][0], after[name][0])
