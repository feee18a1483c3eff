"""Events' tasks (issue 15, items 2 and 4): rsvp_count set from the RSVP rows however often
the task runs, and the reminders 24 hours and 1 hour before each occurrence sent once per
member, occurrence and kind, respecting cancellations and moves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events import tasks
from events.models import Event, ReminderSent, Rsvp
from tests.factories import (
    AccessGrantFactory,
    EventFactory,
    OccurrenceChangeFactory,
    ReminderSentFactory,
    RsvpFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def remind(domain_signals, django_capture_on_commit_callbacks):
    """Runs send_due_reminders at `now` (committing) and returns what it announced, as
    (user_id, event_id, occurrence_start, kind), in order."""

    def run(now):
        before = len(domain_signals.of("events.reminder_due"))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.send_due_reminders(now=now)
        sent = domain_signals.of("events.reminder_due")[before:]
        return [(s["user_id"], s["event_id"], s["occurrence_start"], s["kind"]) for s in sent]

    return run


def minute_now():
    """Now, to the minute: events start on whole minutes (recurrence drops microseconds)."""
    return timezone.now().replace(second=0, microsecond=0)


def at(event, start=None):
    """The ISO original start the signals name."""
    return (start or event.starts_at).isoformat()


# --- rsvp_count ---------------------------------------------------------------------------------


def test_recount_counts_the_members_going_to_every_occurrence_and_twice_the_same():
    event = EventFactory(weekly=True)
    next_week = event.starts_at + timedelta(days=7)
    RsvpFactory.create_batch(2, event=event)
    RsvpFactory(event=event, occurrence_start=next_week)
    RsvpFactory(event=event, status=Rsvp.Status.MAYBE)
    RsvpFactory(event=event, waitlisted=True)
    RsvpFactory(event=EventFactory())  # another event's
    for _ in range(2):
        tasks.recount_event(event.pk)
        event.refresh_from_db()
        assert event.rsvp_count == 3


def test_the_periodic_recount_repairs_every_events_drift():
    full, empty = EventFactory(), EventFactory()
    RsvpFactory.create_batch(4, event=full)
    Event.objects.update(rsvp_count=7)  # drifted
    for _ in range(2):
        tasks.recount_all_events()
        assert dict(Event.objects.values_list("pk", "rsvp_count")) == {full.pk: 4, empty.pk: 0}


# --- Reminders ----------------------------------------------------------------------------------


def test_members_going_get_the_24h_then_the_1h_reminder_once_each(remind):
    now = minute_now()
    event = EventFactory(starts_at=now + 20 * H, ends_at=now + 21 * H)
    going = RsvpFactory.create_batch(2, event=event)
    RsvpFactory(event=event, status=Rsvp.Status.MAYBE)
    RsvpFactory(event=event, waitlisted=True)
    RsvpFactory(event=event, status=Rsvp.Status.NOT_GOING)
    day = sorted((r.user_id, event.pk, at(event), "24h") for r in going)
    assert sorted(remind(now)) == day
    assert remind(now) == []  # the task ran twice
    assert remind(now + 2 * H) == []  # and again later, still more than an hour before
    hour = sorted((r.user_id, event.pk, at(event), "1h") for r in going)
    assert sorted(remind(now + 19.5 * H)) == hour
    assert remind(now + 19.6 * H) == []
    assert remind(now + 21 * H) == []  # started: nothing more
    assert ReminderSent.objects.count() == 4


def test_a_late_run_sends_only_the_reminder_still_due(remind):
    now = minute_now()
    event = EventFactory(starts_at=now + 30 * H, ends_at=now + 31 * H)
    member = RsvpFactory(event=event).user
    assert remind(now) == []  # more than a day ahead
    # The worker was down from 24 hours before until 40 minutes before: no "tomorrow"
    # note now, only the 1-hour one.
    assert remind(event.starts_at - timedelta(minutes=40)) == [
        (member.pk, event.pk, at(event), "1h")
    ]
    assert remind(event.starts_at + timedelta(minutes=1)) == []


def test_a_reminder_another_run_recorded_is_not_sent_again(remind):
    now = minute_now()
    event = EventFactory(starts_at=now + 5 * H, ends_at=now + 6 * H)
    told, untold = RsvpFactory(event=event).user, RsvpFactory(event=event).user
    ReminderSentFactory(event=event, user=told)
    assert remind(now) == [(untold.pk, event.pk, at(event), "24h")]


def test_a_member_who_answers_going_late_is_reminded_on_the_next_run(remind):
    now = minute_now()
    event = EventFactory(starts_at=now + 3 * H, ends_at=now + 4 * H)
    assert remind(now) == []
    late = RsvpFactory(event=event).user
    assert remind(now + timedelta(minutes=1)) == [(late.pk, event.pk, at(event), "24h")]


def test_a_cancelled_or_deleted_event_reminds_nobody(remind):
    now = minute_now()
    for traits in ({"cancelled": True}, {"deleted": True}):
        event = EventFactory(starts_at=now + 5 * H, ends_at=now + 6 * H, **traits)
        RsvpFactory(event=event)
    assert remind(now) == []
    assert not ReminderSent.objects.exists()


def test_a_cancelled_occurrence_reminds_nobody_and_the_others_remind(remind):
    now = minute_now()
    event = EventFactory(weekly=True, starts_at=now + 5 * H, ends_at=now + 6 * H)
    next_week = event.starts_at + timedelta(days=7)
    OccurrenceChangeFactory(event=event, original_start=event.starts_at)
    member = UserFactory()
    RsvpFactory(event=event, user=member)
    RsvpFactory(event=event, user=member, occurrence_start=next_week)
    assert remind(now) == []
    assert remind(next_week - 5 * H) == [(member.pk, event.pk, at(event, next_week), "24h")]


def test_a_moved_occurrence_is_reminded_by_its_new_start(remind):
    now = minute_now()
    event = EventFactory(weekly=True, starts_at=now + 5 * H, ends_at=now + 6 * H)
    next_week = event.starts_at + timedelta(days=7)
    # This week's moved three days later; next week's moved into the coming day.
    later, sooner = event.starts_at + 72 * H, now + 10 * H
    OccurrenceChangeFactory(event=event, original_start=event.starts_at, cancelled_at=None,
                            starts_at=later, ends_at=later + H)  # fmt: skip
    OccurrenceChangeFactory(event=event, original_start=next_week, cancelled_at=None,
                            starts_at=sooner, ends_at=sooner + H)  # fmt: skip
    member = UserFactory()
    RsvpFactory(event=event, user=member)
    RsvpFactory(event=event, user=member, occurrence_start=next_week)
    assert remind(now) == [(member.pk, event.pk, at(event, next_week), "24h")]
    assert remind(later - 30 * timedelta(minutes=1)) == [(member.pk, event.pk, at(event), "1h")]


def test_a_banned_member_is_not_reminded(remind):
    now = minute_now()
    event = EventFactory(starts_at=now + 5 * H, ends_at=now + 6 * H)
    RsvpFactory(event=event, user=UserFactory(banned=True))
    assert remind(now) == []


def test_a_member_whose_tier_ended_is_not_reminded_of_a_paid_event(remind, pro):
    now = minute_now()
    event = EventFactory(starts_at=now + 5 * H, ends_at=now + 6 * H, paid=True, required_tier=pro)
    holder, lapsed = UserFactory.create_batch(2)
    AccessGrantFactory(user=holder, tier=pro)
    AccessGrantFactory(user=lapsed, tier=pro, expired=True)
    for member in (holder, lapsed):
        RsvpFactory(event=event, user=member)
    assert remind(now) == [(holder.pk, event.pk, at(event), "24h")]
