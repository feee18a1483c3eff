"""The events' demo content (issue 15, item 7): a one-off event, a weekly series with one
cancelled occurrence, a full event with a waitlist, and a past event; seeding twice
duplicates nothing."""

import io
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from community import demo
from events import demo as events_demo
from events import recurrence
from events.models import Event, OccurrenceChange, Rsvp

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def shape():
    return {
        "events": sorted(Event.objects.values_list("slug", "starts_at", "rsvp_count")),
        "changes": OccurrenceChange.objects.count(),
        "rsvps": sorted(Rsvp.objects.values_list("event__slug", "user__email", "status")),
    }


def test_the_events_seeder_runs_after_communitys():
    seed()
    order = demo.seeders()
    assert order.index(demo.seed_community) < order.index(events_demo.seed_events)


def test_the_demo_has_the_four_kinds_of_event():
    seed()
    now = timezone.now()
    one_off = Event.objects.get(slug="community-town-hall")
    assert not one_off.is_recurring and one_off.starts_at > now
    assert "<strong>" in one_off.description_html and one_off.rsvp_count == 3

    series = Event.objects.get(slug="weekly-co-working")
    assert series.rrule == "FREQ=WEEKLY" and series.starts_at < now
    following = recurrence.next_occurrence(series, now).starts_at
    coming = recurrence.occurrences(series, start=following, end=following + timedelta(weeks=3))
    assert [o.cancelled for o in coming] == [False, True, False]
    london = ZoneInfo(series.time_zone)
    assert {o.starts_at.astimezone(london).time() for o in coming} == {time(9, 0)}

    past = Event.objects.get(slug="launch-party")
    assert past.ends_at < now and past.rsvp_count == 3


def test_the_full_event_has_its_seats_taken_and_a_member_waiting():
    members = demo.seed_demo()
    review = Event.objects.get(slug="portfolio-review")
    assert review.capacity == 2 and review.starts_at > timezone.now()
    rsvps = Rsvp.objects.filter(event=review, occurrence_start=review.starts_at)
    going = set(rsvps.filter(status=Rsvp.Status.GOING).values_list("user", flat=True))
    assert going == {members["lena"].pk, members["tomas"].pk}
    waiting = rsvps.get(status=Rsvp.Status.WAITLISTED)
    assert waiting.user == members["mei"]
    assert review.rsvp_count == review.capacity


def test_seeding_twice_duplicates_nothing():
    seed()
    first = shape()
    seed()
    assert shape() == first
    assert len(first["events"]) == 4 and first["changes"] == 1
