"""The benchmark's events (bench/events.py): the tiny scale loads events and RSVPs of the
right shape with consistent counters, the checks see a drifted count, a broken capacity and
a waitlist out of order, the read scenarios answer for the reader with a number of queries
that does not grow with the data, and the RSVP rush seats exactly the capacity and waitlists
the rest in the order their answers were committed."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench import events as bench_events
from bench.accounts import READER, bench_members, issue_tokens
from bench.checks import run_checks
from bench.scales import SCALES
from bench.scenarios import SCENARIOS, build_context
from community.models import User
from events import recurrence
from events.models import Event, OccurrenceChange, Rsvp
from events.services import rsvps
from events.tasks import recount_all_events
from events.views.common import parse_key
from tests.factories import EventFactory, RsvpFactory, UserFactory

from .conftest import seed_tiny
from .reader import ScenarioReader

TINY = SCALES["tiny"]
EVENT_SCENARIOS = ("events-month", "events-upcoming", "event-page", "api-events")
pytestmark = pytest.mark.usefixtures("bench_app")


def registered():
    return {scenario.name: scenario for scenario in SCENARIOS.registered()}


def member(n):
    return User.objects.get(handle=f"bench-tiny-{n}")


def bad_checks():
    return [r.line() for r in run_checks() if not r.ok]


def test_every_scale_has_events_and_the_largest_is_the_issues():
    large, small = SCALES["large"], SCALES["small"]
    assert (large.events, large.rsvps) == (2_000, 300_000)
    assert (small.events, small.rsvps) == (150, 6_000)
    for scale in SCALES.values():
        assert scale.events > bench_events.RUSH
        assert bench_events.showcase_going(scale) < scale.rsvps


def test_the_event_pages_are_registered_read_scenarios():
    scenarios = registered()
    for name in EVENT_SCENARIOS:
        scenario = scenarios[name]
        assert scenario.needs
        if name.startswith("api-"):
            assert scenario.auth == "token" and not scenario.targets
        else:
            assert scenario.auth == "session" and scenario.explain
            assert [t.describe() for t in scenario.targets] == ["≥ 0.5x feed-probe req/s"]


@pytest.mark.django_db
def test_the_checks_see_a_drifted_count_a_broken_capacity_and_a_waitlist_out_of_order():
    rush = EventFactory(slug="bench-tiny-event-1", weekly=True, capacity=10)
    start = rush.starts_at
    answered = [UserFactory() for _ in range(13)]
    for person in answered:
        rsvps.rsvp(person, event=rush, occurrence_start=start, status="going")
    recount_all_events()
    assert bad_checks() == []
    checked = {r.name: r.checked for r in run_checks()}
    assert checked[bench_events.RUSH_CHECK] == 13

    # The second and third waiting swap places: the waitlist no longer follows the commits.
    second, third = Rsvp.objects.filter(status="waitlisted").order_by("id")[1:3]
    Rsvp.objects.filter(pk=second.pk).update(status_changed_at=third.status_changed_at)
    Rsvp.objects.filter(pk=third.pk).update(status_changed_at=second.status_changed_at)
    assert {r.name: r.bad for r in run_checks()}[bench_events.RUSH_CHECK] == 2

    # An eleventh member going (and the counter left behind).
    Rsvp.objects.filter(pk=third.pk).update(status="going")
    bad = {r.name: r.bad for r in run_checks()}
    assert bad["rsvp going <= capacity"] == 1
    assert bad["event.rsvp_count"] == 1
    assert bad[bench_events.RUSH_CHECK] == 1  # the 13th answer is going

    # Other events' answers are not the rush's: only the capacity and the counter apply.
    other = EventFactory(capacity=1)
    RsvpFactory(event=other, occurrence_start=other.starts_at, status="going")
    RsvpFactory(event=other, occurrence_start=other.starts_at, status="going")
    bad = {r.name: r.bad for r in run_checks()}
    assert (bad["rsvp going <= capacity"], bad["event.rsvp_count"]) == (2, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tiny_scale_loads_events_and_rsvps_of_the_right_shape():
    output = seed_tiny()
    assert "FAIL" not in output
    events = list(Event.objects.all())
    assert len(events) == TINY.events
    series = [e for e in events if e.rrule]
    # A third of the others, and the showcase and the rush.
    assert len(series) == sum(1 for i in range(2, TINY.events) if i % 3 == 2) + 2
    assert {e.visibility for e in events} == {"public", "members", "paid"}
    assert {e.rrule.split(";")[0] for e in series} >= {"FREQ=WEEKLY", "FREQ=MONTHLY"}
    for event in series:
        recurrence.validate_recurrence(
            rrule=event.rrule, starts_at=event.starts_at, time_zone=event.time_zone
        )
    changes = list(OccurrenceChange.objects.select_related("event"))
    assert changes and all(c.event.rrule for c in changes)
    for change in changes:  # each names an occurrence its series has
        assert recurrence.occurrence_at(change.event, change.original_start) is not None

    # RSVPs: within the scale's number, one per member and occurrence, each to an occurrence
    # the event has; waitlists only behind a full capacity; the counters agree.
    total = Rsvp.objects.count()
    assert 0.8 * TINY.rsvps <= total <= TINY.rsvps
    assert set(Rsvp.objects.values_list("status", flat=True)) == {
        "going", "maybe", "not_going", "waitlisted",
    }  # fmt: skip
    by_event = {e.pk: e for e in events}
    for event_id, start in set(Rsvp.objects.values_list("event_id", "occurrence_start")):
        assert recurrence.occurrence_at(by_event[event_id], start) is not None
    going = Counter(Rsvp.objects.filter(status="going").values_list("event_id", "occurrence_start"))
    for event_id, start in set(
        Rsvp.objects.filter(status="waitlisted").values_list("event_id", "occurrence_start")
    ):
        assert going[(event_id, start)] == by_event[event_id].capacity
    assert not Rsvp.objects.filter(
        event__visibility="paid", user__access_grants__isnull=True
    ).exists()
    assert bad_checks() == []

    # The showcase: weekly, its busiest occurrence upcoming with the reader among many going;
    # the rush: capacity 10 and nobody has answered.
    reader = member(READER)
    facts = bench_events.scenario_facts("tiny", reader)
    showcase = Event.objects.get(slug=facts["event_slug"])
    assert showcase.rrule == "FREQ=WEEKLY;BYDAY=" + showcase.rrule[-2:]
    assert facts["event_going"] == bench_events.showcase_going(TINY)
    assert Rsvp.objects.filter(event=showcase, user=reader, status="going").exists()
    upcoming = [o for o in recurrence.occurrences(
        showcase, start=timezone.now(), end=timezone.now() + timedelta(days=30)
    )]  # fmt: skip
    assert facts["event_occurrence"] in {
        o.original_start.strftime("%Y%m%dT%H%M%SZ") for o in upcoming
    }
    assert showcase.changes.count() == 2
    rush = Event.objects.get(slug=bench_events.rush_slug("tiny"))
    assert rush.capacity == bench_events.RUSH_CAPACITY and not rush.rsvps.exists()

    # Running again adds nothing.
    assert "already loaded" in seed_tiny()
    assert (Event.objects.count(), Rsvp.objects.count()) == (TINY.events, total)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_scale_loaded_before_events_gets_them():
    seed_tiny()
    shape = (Event.objects.count(), OccurrenceChange.objects.count(), Rsvp.objects.count())
    Event.objects.all().delete()  # as if loaded before events existed
    out = seed_tiny()
    assert f"Added {TINY.events} events" in out
    assert (Event.objects.count(), OccurrenceChange.objects.count(), Rsvp.objects.count()) == (
        shape
    )  # the same draw
    assert bad_checks() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_event_scenarios_answer_for_the_reader_in_a_fixed_number_of_queries():
    seed_tiny()
    scenario_reader = ScenarioReader()
    reader, ctx = scenario_reader.member, scenario_reader.ctx
    assert ctx.event_slug == bench_events.event_slug("tiny", bench_events.SHOWCASE)
    paths = {name: scenario_reader.path(name) for name in EVENT_SCENARIOS}
    assert paths["events-upcoming"] == "/events/"
    assert paths["events-month"] == f"/events/calendar/{ctx.events_year}/{ctx.events_month}/"
    assert paths["event-page"] == f"/events/{ctx.event_slug}/{ctx.event_occurrence}/"
    assert paths["api-events"].startswith(f"/api/v1/events/?start={ctx.events_year}-")
    before = scenario_reader.responses(EVENT_SCENARIOS)

    # Twice the events in the scenarios' month and the next weeks (one-off and weekly, with
    # capacities, answered by the reader and others), and the showcase's attendees doubled.
    month_start = timezone.now().replace(
        year=ctx.events_year, month=ctx.events_month, day=1, hour=18, minute=0, second=0,
        microsecond=0,
    )  # fmt: skip
    soon = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    others = list(User.objects.filter(handle__startswith="bench-tiny-")[20:50])
    for k in range(12):
        event = EventFactory(
            starts_at=max(soon, month_start) + timedelta(days=k % 20, hours=k),
            capacity=5 if k % 2 else None, weekly=k % 3 == 0,
        )  # fmt: skip
        for person in others[k : k + 8]:
            RsvpFactory(event=event, occurrence_start=event.starts_at, user=person)
        RsvpFactory(event=event, occurrence_start=event.starts_at, user=reader, status="maybe")
    showcase = Event.objects.get(slug=ctx.event_slug)
    start = parse_key(ctx.event_occurrence)
    going = set(Rsvp.objects.filter(event=showcase, occurrence_start=start).values_list(
        "user_id", flat=True))  # fmt: skip
    for person in User.objects.exclude(pk__in=going).filter(handle__startswith="bench-tiny-"):
        RsvpFactory(event=showcase, occurrence_start=start, user=person, status="going")

    after = scenario_reader.responses(EVENT_SCENARIOS)
    for name in EVENT_SCENARIOS:
        assert after[name][0] == before[name][0], (name, before[name][0], after[name][0])
        assert len(after[name][1].content) > len(before[name][1].content), name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_rsvp_rush_seats_the_capacity_and_waitlists_the_rest_in_commit_order():
    from rest_framework.test import APIClient

    from bench.writes import WRITE_SCENARIOS, build_write_context

    seed_tiny()
    ctx = build_context("tiny", member=READER)
    writers = bench_members("tiny", first=20, count=16)
    wctx = build_write_context("tiny", issue_tokens(writers), ctx)
    assert wctx.rush_slug == bench_events.rush_slug("tiny") and wctx.rush_occurrence
    scenario = next(s for s in WRITE_SCENARIOS.registered() if s.name == "rsvp-rush")
    requests = scenario.requests(wctx)
    assert len(requests) == len(writers)

    # Every writer at once (each thread its own connection), then each once more, as wrk
    # cycles: the second answer changes nothing.
    ready = threading.Barrier(len(requests))

    def send(request):
        method, path, token, body = request
        try:
            ready.wait()
            response = APIClient().generic(
                method, path, body, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )  # fmt: skip
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(send, requests))
    assert {status for status, _ in answers} == {200}
    positions = sorted(a["waitlist_position"] for _, a in answers if a["status"] == "waitlisted")
    assert positions == list(range(1, len(writers) - bench_events.RUSH_CAPACITY + 1))
    client = APIClient()
    for method, path, token, body in requests:
        response = client.generic(method, path, body, content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
        assert response.status_code == 200

    rows = Rsvp.objects.filter(event__slug=wctx.rush_slug).order_by("id")
    assert [r.status for r in rows] == ["going"] * 10 + ["waitlisted"] * (len(writers) - 10)
    waiting = [r.pk for r in rows.filter(status="waitlisted").order_by("status_changed_at", "id")]
    assert waiting == [r.pk for r in rows if r.status == "waitlisted"]
    results = {r.name: r for r in run_checks()}
    assert results[bench_events.RUSH_CHECK].ok
    assert results[bench_events.RUSH_CHECK].checked == len(writers)
    assert bad_checks() == []

    # The next run takes a fresh occurrence.
    assert build_write_context("tiny", [], ctx).rush_occurrence > wctx.rush_occurrence


def test_the_report_says_whether_every_rush_writer_has_a_seat_or_its_place_in_line():
    from bench.report import _targets, passed

    wrk = dict.fromkeys(("errors_status", "errors_connect", "errors_read", "errors_write"), 0)
    row = {"rps": 50.0, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0, "requests": 64, "wrk": wrk}

    def run(check_line):
        writes = {"writers": 64, "checks": [check_line], "checks_ok": check_line.startswith("ok"),
                  "scenarios": {"rsvp-rush": row}}  # fmt: skip
        data = {"runs": {}, "writes": writes, "scale": "small",
                "settings": {"production_setup": "granian-2-pool"}}  # fmt: skip
        return passed(data), "\n".join(_targets(data)).strip()

    ok, table = run(f"ok   {bench_events.RUSH_CHECK} 0 bad of 64")
    assert ok and "64 answers: 10 going, 54 waitlisted, 0 out of commit order |" in table
    assert table.endswith("committed | **met** |")
    # A request the run's end cut off is a target not met; an answer out of place a failure.
    ok, table = run(f"ok   {bench_events.RUSH_CHECK} 0 bad of 60")
    assert ok and "(4 writers' requests cut off by the run's end)" in table
    assert table.endswith("**not met** |")
    assert not run(f"FAIL {bench_events.RUSH_CHECK} 2 bad of 64")[0]
