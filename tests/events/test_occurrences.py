"""One occurrence of a series cancelled or changed, and "this and following" splitting a
series and taking its RSVPs along (events/services/occurrences.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from community.models import AuditEntry
from events import recurrence
from events.models import Event, OccurrenceChange, ReminderSent, Rsvp
from events.services import occurrences
from tests.factories import EventFactory, RsvpFactory

from .test_authoring import create, paris, starts

pytestmark = pytest.mark.django_db


# --- One occurrence -------------------------------------------------------------------------


def test_cancelling_one_occurrence_strikes_it_out_and_tells_members(
    admin, domain_signals, django_capture_on_commit_callbacks
):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=3")
    first, second, third = starts(event)
    with django_capture_on_commit_callbacks(execute=True):
        occurrence = occurrences.cancel_occurrence(admin, event=event, original_start=second)
    assert occurrence.cancelled and starts(event) == [first, third]
    assert domain_signals.of("events.event_cancelled") == [
        {"event_id": event.pk, "occurrence_start": second.isoformat()}
    ]


def test_an_occurrence_that_does_not_exist_is_refused(admin):
    series = create(admin, rrule="FREQ=WEEKLY;COUNT=3")
    wednesday = series.starts_at + timedelta(days=2)
    for call in (occurrences.cancel_occurrence, occurrences.change_occurrence):
        with pytest.raises(ValidationError) as refused:
            call(admin, event=series, original_start=wednesday)
        assert "original_start" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        occurrences.cancel_occurrence(admin, event=create(admin), original_start=series.starts_at)
    assert "original_start" in refused.value.message_dict
    assert not OccurrenceChange.objects.exists()


def test_changing_one_occurrence_moves_it_and_keeps_its_rsvps(
    admin, domain_signals, django_capture_on_commit_callbacks
):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=3")
    first, second, third = starts(event)
    going = RsvpFactory(event=event, occurrence_start=second)
    with django_capture_on_commit_callbacks(execute=True):
        occurrence = occurrences.change_occurrence(
            admin, event=event, original_start=second, starts_at=datetime(2030, 3, 12, 19),
            title="Yoga outdoors", location="Park",
        )  # fmt: skip
    assert occurrence.starts_at == paris(2030, 3, 12, 19)
    assert occurrence.ends_at == paris(2030, 3, 12, 20)  # same length
    assert (occurrence.title, occurrence.location) == ("Yoga outdoors", "Park")
    assert starts(event) == [first, paris(2030, 3, 12, 19), third]
    assert Rsvp.objects.get(pk=going.pk).occurrence_start == second
    assert domain_signals.of("events.event_changed") == [
        {"event_id": event.pk, "occurrence_start": second.isoformat()}
    ]
    with pytest.raises(ValidationError) as refused:
        occurrences.change_occurrence(admin, event=event, original_start=second,
                                    starts_at=datetime(2030, 3, 12, 19),
                                    ends_at=datetime(2030, 3, 12, 18))  # fmt: skip
    assert "ends_at" in refused.value.message_dict


# --- This and following ---------------------------------------------------------------------


def test_splitting_a_counted_series_shares_its_count_and_moves_later_rsvps(
    admin, domain_signals, django_capture_on_commit_callbacks
):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=6", capacity=10)
    old = starts(event)
    early = RsvpFactory(event=event, occurrence_start=old[1])
    late = RsvpFactory(event=event, occurrence_start=old[4])
    last_changed = OccurrenceChange.objects.create(
        event=event, original_start=old[5], title="Last one"
    )
    reminded = ReminderSent.objects.create(event=event, occurrence_start=old[4],
                                           user=late.user, kind="24h")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        later = occurrences.split_series(admin, event=event, original_start=old[3],
                                       starts_at=datetime(2030, 3, 25, 19),
                                       ends_at=datetime(2030, 3, 25, 20))  # fmt: skip
    event.refresh_from_db()
    assert starts(event) == old[:3]
    assert "COUNT" not in event.rrule and "UNTIL=" in event.rrule
    assert later.split_from == event and later.capacity == 10 and later.title == "Yoga"
    # The three that were left, an hour later (Paris time, across the change to summer time).
    assert starts(later) == [paris(2030, 3, 25, 19), paris(2030, 4, 1, 19), paris(2030, 4, 8, 19)]
    assert Rsvp.objects.get(pk=early.pk).event == event
    late.refresh_from_db()
    assert (late.event, late.occurrence_start) == (later, paris(2030, 4, 1, 19))
    last_changed.refresh_from_db()
    assert last_changed.event == later
    assert recurrence.occurrence_at(later, paris(2030, 4, 8, 19)).title == "Last one"
    reminded.refresh_from_db()
    assert reminded.event == later
    assert {signal["event_id"] for signal in domain_signals.of("events.event_changed")} == {
        event.pk, later.pk}  # fmt: skip
    assert AuditEntry.objects.filter(action="events.split").count() == 1


def test_splitting_a_series_without_end_leaves_the_rest_without_end(admin):
    event = create(admin, rrule="FREQ=WEEKLY;BYDAY=MO")
    old = starts(event, weeks=10)
    later = occurrences.split_series(admin, event=event, original_start=old[2], location="Hall")
    event.refresh_from_db()
    assert starts(event, weeks=10) == old[:2]
    assert later.rrule == "FREQ=WEEKLY;BYDAY=MO" and later.location == "Hall"
    # Windows are measured in UTC hours: each takes in one more Monday once summer time
    # moves 18:00 Paris an hour earlier in UTC.
    assert starts(later, weeks=8) == old[2:]


def test_splitting_at_the_first_occurrence_edits_the_whole_series(admin):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=3")
    same = occurrences.split_series(
        admin, event=event, original_start=event.starts_at, title="Pilates"
    )
    assert same == event and Event.objects.get().title == "Pilates"
    assert Event.objects.count() == 1


def test_a_split_at_no_occurrence_is_refused(admin):
    event = create(admin, rrule="FREQ=WEEKLY;COUNT=3")
    with pytest.raises(ValidationError) as refused:
        occurrences.split_series(
            admin, event=event, original_start=event.starts_at + timedelta(days=1)
        )
    assert "original_start" in refused.value.message_dict
    assert Event.objects.count() == 1 and Event.objects.get().rrule == "FREQ=WEEKLY;COUNT=3"


def test_a_split_shares_the_extra_dates_of_a_series(admin):
    start = datetime(2030, 3, 4, 17, tzinfo=UTC)
    extra_early, extra_late = start + timedelta(days=2), start + timedelta(days=16)
    event = EventFactory(starts_at=start, rrule="FREQ=WEEKLY;COUNT=4",
                         rdates=[extra_early.isoformat(), extra_late.isoformat()])  # fmt: skip
    later = occurrences.split_series(admin, event=event, original_start=start + timedelta(weeks=2))
    event.refresh_from_db()
    assert starts(event) == [start, extra_early, start + timedelta(weeks=1)]
    assert starts(later) == [start + timedelta(weeks=2), extra_late, start + timedelta(weeks=3)]
