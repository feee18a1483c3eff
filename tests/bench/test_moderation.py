"""The benchmark's admin side (bench/moderation.py, bench/export.py): the tiny scale loads its
open and closed reports with the audit entries of the closed ones' decisions, a scale loaded
before them gets the same rows added, the admin and moderator scenarios answer 200 within
query budgets that do not grow with the data, and the members' export is measured."""

import json
import os

import pytest
from django.db import connection
from django.db.models import Count

from bench import export as bench_export
from bench import moderation as bench_moderation
from bench import report
from bench.scales import SCALES
from bench.scenarios import SCENARIOS, members_signed_in
from community import audit, services
from community.models import AuditEntry, Comment, Post, Report, User
from tests.factories import CommentFactory, PostFactory, UserFactory

from .conftest import seed_tiny
from .reader import ScenarioReader

SCENARIO_NAMES = bench_moderation.MODERATION_SCENARIOS
pytestmark = pytest.mark.usefixtures("bench_app", "default_ladder")


def test_the_admin_pages_are_registered_read_scenarios_signed_in_as_staff():
    scenarios = {scenario.name: scenario for scenario in SCENARIOS.registered()}
    for name in SCENARIO_NAMES:
        assert scenarios[name].auth == ("token" if name.startswith("api-") else "session")
        assert scenarios[name].member in ("admin", "moderator"), name
    assert scenarios["moderation-queue"].member == "moderator"
    assert scenarios["audit-log"].member == "admin"
    assert scenarios["feed-all"].member == "reader"
    assert members_signed_in(scenarios.values()) == ["reader", "admin", "moderator"]
    assert members_signed_in([scenarios["feed-all"]]) == ["reader"]


def _rows():
    """The reports and audit entries, as comparable tuples (their times are relative to the
    load's moment, so they are left out)."""
    reports = sorted(
        Report.objects.values_list(
            "reporter_id", "content_type_id", "object_id", "status", "resolved_by_id", "reason"
        )
    )
    entries = sorted(
        AuditEntry.objects.values_list(
            "actor_id", "action", "target_type_id", "target_id", "reason"
        )
    )
    return reports, entries


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_reports_load_over_their_targets_and_are_added_to_an_older_scale():
    seed_tiny()
    scale = SCALES["tiny"]
    assert bench_moderation.loaded("tiny")
    counts = bench_moderation.report_counts("tiny")
    assert counts["open_targets"] == scale.report_targets
    assert counts["open"] == scale.open_reports  # the cap (members) is far off on tiny
    assert counts["resolved"] + counts["dismissed"] == scale.closed_reports
    assert counts["resolved"] and counts["dismissed"]
    # Some target has several open reports, none is reported twice by one member.
    per_target = (
        Report.objects.filter(status="open")
        .values("content_type", "object_id")
        .annotate(n=Count("id"))
    )
    assert max(row["n"] for row in per_target) > 1
    # Nobody reports themselves or their own content; staff content is not reported.
    staff = set(User.objects.filter(role__in=["admin", "moderator"]).values_list("pk", flat=True))
    for report_row in Report.objects.select_related("content_type"):
        target = report_row.target
        author = target if isinstance(target, User) else target.author_id
        author_id = getattr(author, "pk", author)
        assert author_id != report_row.reporter_id and author_id not in staff
        assert report_row.reporter_id not in staff
        if isinstance(target, Post | Comment):
            assert target.deleted_at is None
            assert report_row.created_at >= target.created_at
    # Each closed target: one decision, its entry in the audit log.
    closed_targets = (
        Report.objects.exclude(status="open").values("content_type", "object_id").distinct().count()
    )
    decisions = AuditEntry.objects.filter(action__in=[audit.REPORT_RESOLVE, audit.REPORT_DISMISS])
    assert decisions.count() == closed_targets == scale.closed_reports // 2
    assert not decisions.exclude(actor__in=staff).exists()
    # The admin and the moderators are on the admin site with their groups' permissions.
    admin = User.objects.get(handle="bench-tiny-0")
    assert admin.is_staff and admin.has_perm("community.view_user")
    assert User.objects.get(handle="bench-tiny-1").has_perm("community.change_report")

    shape = _rows()
    Report.objects.all().delete()
    AuditEntry.objects.all().delete()
    assert not bench_moderation.loaded("tiny")
    assert "reports" in seed_tiny()
    assert _rows() == shape  # the same draw
    assert "reports" not in seed_tiny()  # once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_admin_scenarios_answer_within_their_query_budgets():
    seed_tiny()
    reader = ScenarioReader()
    assert reader.path("moderation-queue") == "/moderation/reports/"
    assert reader.path("admin-members") == "/admin/community/user/"
    before = reader.responses(SCENARIO_NAMES)
    for name, (count, _response) in before.items():
        assert count <= bench_moderation.QUERY_BUDGETS[name], (name, count)
    queue = before["api-moderation-queue"][1].json()
    assert len(queue["results"]) == SCALES["tiny"].report_targets
    assert before["api-audit-log"][1].json()["results"]

    # More members, reports on more posts, comments and members (past a page of the queue,
    # the three kinds on it, as before) and audit entries: the number of queries stays.
    moderator = User.objects.get(handle="bench-tiny-1")
    for i in range(27):
        target = (PostFactory, CommentFactory, UserFactory)[i % 3]()
        for _ in range(2):
            services.report(UserFactory(), target=target, reason="Spam.")
    services.moderate(moderator, target=target, action="dismiss", reason="Fine.")
    after = reader.responses(SCENARIO_NAMES)
    for name in SCENARIO_NAMES:
        assert after[name][0] == before[name][0], (name, before[name][0], after[name][0])


def _check_numbers(numbers, members):
    assert numbers["members"] == numbers["rows"] == members
    assert numbers["bytes"] > 40 * members  # a line per member: name, email, handle, …
    assert numbers["wall_s"] > 0 and numbers["cpu_s"] >= 0
    assert numbers["peak_rss_mib"] >= numbers["rss_before_mib"] > 0
    assert 0 < numbers["traced_peak_mib"] < 50
    assert numbers["queries"] >= 2  # the batch's members and their tiers
    line = report.export_line(numbers)
    assert line.startswith(f"export of {members:,} members: ")
    assert "MiB" in line
    whole = numbers["community_zip"]
    assert whole["rows"] >= members  # every member's row, and the rest of the community
    assert whole["models"] > 10 and whole["bytes"] > 0 and whole["wall_s"] > 0
    assert whole["first_byte_s"] <= whole["wall_s"]
    assert whole["peak_rss_mib"] >= whole["rss_before_mib"] > 0
    assert report.zip_line(whole).startswith(f"zip of the whole community, {whole['rows']:,} rows")


@pytest.mark.django_db
def test_the_members_export_is_timed_with_its_peak_memory():
    admin = UserFactory(role=User.Role.ADMIN)
    UserFactory.create_batch(30)
    numbers = bench_export.measure(admin=admin)
    _check_numbers(numbers, User.objects.count())
    markdown = "\n".join(report._export({"export": numbers}))
    assert "## The members' CSV export" in markdown
    assert "## The whole community's zip" in markdown


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_export_phase_measures_in_a_process_of_its_own():
    """What the runner's export phase runs (bench.export.run), on the test database."""
    seed_tiny()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    numbers = bench_export.run("tiny", env=env, timeout=120)
    _check_numbers(numbers, User.objects.count())
    assert numbers["peak_exact"] in (True, False)
    assert json.dumps(numbers)
