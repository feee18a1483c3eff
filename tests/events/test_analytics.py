"""Events' analytics series: members going per day of the occurrences (community.analytics)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from community import analytics
from community.analytics import Period
from tests.factories import EventFactory, OccurrenceChangeFactory, RsvpFactory

pytestmark = pytest.mark.django_db


def going():
    period = Period(date(2026, 3, 1), date(2026, 3, 14))
    rows = analytics.figures(analytics.series_by_key("event_attendance"), period).rows
    return {day.day: values[0] for day, values in rows if values[0]}


def test_members_going_are_counted_on_the_occurrences_day():
    first = datetime(2026, 3, 2, 18, tzinfo=UTC)
    weekly = EventFactory(weekly=True, starts_at=first, ends_at=first + timedelta(hours=1))
    RsvpFactory.create_batch(2, event=weekly)
    RsvpFactory(event=weekly, occurrence_start=first + timedelta(days=7))
    RsvpFactory(event=weekly, waitlisted=True)
    RsvpFactory(event=weekly, status="not_going")
    assert going() == {2: 2, 9: 1}


def test_cancelled_and_deleted_events_and_cancelled_occurrences_are_left_out():
    first = datetime(2026, 3, 2, 18, tzinfo=UTC)
    weekly = EventFactory(weekly=True, starts_at=first, ends_at=first + timedelta(hours=1))
    OccurrenceChangeFactory(event=weekly, original_start=first)
    RsvpFactory(event=weekly)  # the cancelled first occurrence
    RsvpFactory(event=weekly, occurrence_start=first + timedelta(days=7))
    for gone in (EventFactory(cancelled=True, starts_at=first, ends_at=first),
                 EventFactory(deleted=True, starts_at=first, ends_at=first)):  # fmt: skip
        RsvpFactory(event=gone)
    assert going() == {9: 1}
