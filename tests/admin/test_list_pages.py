"""The list pages over tables of millions of rows: a fixed number of queries whatever the
rows, and no count(*) over a whole table (the paginator counts at most CAP + 1 rows)."""

import itertools

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.admin_tools import CappedCountPaginator, LargeTableAdmin
from community.models import Post
from gamification.models import PointAward
from messaging.models import Notification
from payments.models import WebhookEvent
from tests.factories import (
    AuditEntryFactory,
    CommentFactory,
    EnrollmentFactory,
    LessonProgressFactory,
    LikeFactory,
    PostFactory,
    ReportFactory,
    RsvpFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries

_serial = itertools.count()


def _notification():
    Notification.objects.create(recipient=UserFactory(), actor=UserFactory(), kind="like",
                                group=f"like:post:{next(_serial)}", target_type="post")  # fmt: skip


def _award():
    post = PostFactory()
    PointAward.objects.create(member=post.author, actor=UserFactory(), action="post_created",
                              points=2, source_type=ContentType.objects.get_for_model(Post),
                              source_id=post.pk)  # fmt: skip


def _webhook_event():
    WebhookEvent.objects.create(stripe_id=f"evt_{next(_serial)}", type="invoice.paid",
                                created=timezone.now(), payload={})  # fmt: skip


# model: (changelist, one row)
LISTS = {
    "users": ("community_user", UserFactory),
    "posts": ("community_post", PostFactory),
    "comments": ("community_comment", CommentFactory),
    "reports": ("community_report", ReportFactory),
    "audit entries": ("community_auditentry", AuditEntryFactory),
    "likes": ("community_like", lambda: LikeFactory(target=PostFactory())),
    "notifications": ("messaging_notification", _notification),
    "awards": ("gamification_pointaward", _award),
    "enrollments": ("courses_enrollment", EnrollmentFactory),
    "lesson progress": ("courses_lessonprogress", LessonProgressFactory),
    "rsvps": ("events_rsvp", RsvpFactory),
    "webhook events": ("payments_webhookevent", _webhook_event),
}


def _build(make, n):
    for _ in range(n):
        make()


@pytest.mark.parametrize("name", LISTS)
def test_a_large_list_costs_the_same_queries_for_more_rows(admin_client, name):
    changelist, make = LISTS[name]
    url = reverse(f"admin:{changelist}_changelist")
    _build(make, 3)
    # Session and user (2), the capped count (1), the page with its joins (1), and one
    # small table at most: a filter's choices (spaces, courses, content types) or, on the
    # members' list, the action form's tiers.
    assert_constant_queries(lambda: admin_client.get(url), grow=lambda: _build(make, 3), bound=5)


@pytest.mark.parametrize("name", LISTS)
def test_a_large_list_never_counts_its_whole_table(admin_client, name):
    changelist, make = LISTS[name]
    _build(make, 2)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse(f"admin:{changelist}_changelist"))
    assert page.status_code == 200 and page.context["cl"].result_count >= 2
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the page counts its rows once"
    assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_every_admin_of_a_large_table_skips_the_full_count():
    large = [m for m in admin.site._registry.values() if isinstance(m, LargeTableAdmin)]
    assert len(large) >= 30
    for model_admin in large:
        assert model_admin.show_full_result_count is False, model_admin
        assert model_admin.paginator is CappedCountPaginator, model_admin
        assert model_admin.date_hierarchy is None, model_admin


def test_no_filter_of_a_large_list_reads_a_large_table():
    """A filter lists its choices on every page: from code (choices, booleans, empty or
    not) or a small table, never a SELECT DISTINCT or a list of every member."""
    registry = admin.site._registry
    for model, model_admin in registry.items():
        if not isinstance(model_admin, LargeTableAdmin):
            continue
        for spec in model_admin.list_filter:
            if not isinstance(spec, str):
                continue  # a SimpleListFilter or an EmptyFieldListFilter: no lookup query
            field = model._meta.get_field(spec)
            if field.is_relation:
                assert not isinstance(registry.get(field.related_model), LargeTableAdmin), spec
            else:
                assert field.choices or field.get_internal_type() == "BooleanField", spec


def test_a_count_under_the_cap_is_exact(db):
    PostFactory.create_batch(4)
    assert CappedCountPaginator(Post.objects.order_by("-id"), 2).count == 4


@pytest.mark.postgres
def test_past_the_cap_postgresql_estimates_instead_of_counting(monkeypatch, db):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    PostFactory.create_batch(5)
    with CaptureQueriesContext(connection) as queries:
        count = CappedCountPaginator(Post.objects.order_by("-id"), 2).count
    assert count >= 4  # the planner's estimate, never below what the capped count saw
    sql = [q["sql"].upper() for q in queries]
    assert any(s.startswith("EXPLAIN") for s in sql)
    assert all("LIMIT" in s for s in sql if "COUNT(" in s)


def test_past_the_cap_another_database_counts_exactly(monkeypatch, db):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL estimates (the test above)")
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    PostFactory.create_batch(5)
    assert CappedCountPaginator(Post.objects.order_by("-id"), 2).count == 5
