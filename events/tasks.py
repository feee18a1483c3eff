"""Events' idempotent tasks: the RSVP count set from count(*) of its rows, and the
reminders before each occurrence announced once per member, occurrence and kind."""

from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community import access as community_access
from community import effects
from community.counters import recount

from . import recurrence, signals
from .models import Event, OccurrenceChange, ReminderSent, Rsvp


def _going_count():
    going = (
        Rsvp.objects.filter(event=OuterRef("pk"), status=Rsvp.Status.GOING)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(going.values("n")[:1]), Value(0))


@shared_task
def recount_event(event_id):
    """An event's rsvp_count (members going, every occurrence), from count(*) in one UPDATE."""
    recount(Event.objects.filter(pk=event_id), rsvp_count=_going_count())


@shared_task
def recount_all_events():
    """Periodic repair of every event's rsvp_count (idempotent)."""
    recount(Event.objects.all(), rsvp_count=_going_count())


# A reminder is due from its moment until the next kind's: the 24-hour one while between
# 24 hours and 1 hour remain, the 1-hour one during the last hour. A run that comes late
# (a worker down) sends only the kind still due, never a "tomorrow" note an hour before.
DAY, HOUR = timedelta(hours=24), timedelta(hours=1)


def _kind_due(time_left):
    if time_left <= timedelta(0) or time_left > DAY:
        return None
    return ReminderSent.Kind.HOUR if time_left <= HOUR else ReminderSent.Kind.DAY


@shared_task
def send_due_reminders(now=None):
    """Periodic: each member going to an occurrence that starts within 24 hours gets the
    reminder now due (24h, or 1h in the last hour), recorded in ReminderSent (unique per
    member, occurrence and kind) before reminder_due is sent after commit, so that a second
    or concurrent run sends nothing twice. A cancelled event or occurrence gets none; a
    moved occurrence is reminded by its new start."""
    now = now or timezone.now()
    for occurrence in _occurrences_within_a_day(now):
        kind = _kind_due(occurrence.starts_at - now)
        if kind is None or occurrence.cancelled:
            continue
        for user_id in _members_to_remind(occurrence, kind, now):
            _remind(occurrence, user_id, kind)


def _occurrences_within_a_day(now):
    """The occurrences starting in the next 24 hours of the alive, not cancelled events that
    may have one with members going: their RSVPs name such an original start, or one of
    their occurrences was moved into the window."""
    end = now + DAY
    going = Rsvp.objects.filter(
        status=Rsvp.Status.GOING, occurrence_start__gt=now, occurrence_start__lte=end
    )
    moved_in = OccurrenceChange.objects.filter(starts_at__gt=now, starts_at__lte=end)
    events = Event.objects.alive().filter(
        Q(cancelled_at__isnull=True)
        & (Q(pk__in=going.values("event_id")) | Q(pk__in=moved_in.values("event_id")))
    )
    # The window ends a moment after `end`, so that an occurrence starting exactly then is
    # in it (occurrences_of lists those overlapping [start, end)).
    occurrences = recurrence.occurrences_of(list(events), start=now, end=end + timedelta(seconds=1))
    return [o for o in occurrences if now < o.starts_at <= end]


def _members_to_remind(occurrence, kind, now):
    """Members going to the occurrence who may still see the event (in good standing, with
    its tier when it is paid), not yet sent this kind."""
    sent = ReminderSent.objects.filter(
        event=occurrence.event, occurrence_start=occurrence.original_start, kind=kind,
        user=OuterRef("user"),
    )  # fmt: skip
    return (
        Rsvp.objects.filter(
            event=occurrence.event,
            occurrence_start=occurrence.original_start,
            status=Rsvp.Status.GOING,
        )
        .filter(community_access.gated_audience(occurrence.event, prefix="user__"))
        .exclude(Exists(sent))
        .values_list("user_id", flat=True)
    )


def _remind(occurrence, user_id, kind):
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                event=occurrence.event, occurrence_start=occurrence.original_start,
                user_id=user_id, kind=kind,
            )  # fmt: skip
            effects.send_signal_on_commit(
                signals.reminder_due, user_id=user_id, event_id=occurrence.event.pk,
                occurrence_start=occurrence.original_start.isoformat(), kind=str(kind),
            )  # fmt: skip
    except IntegrityError:
        pass  # sent by another run a moment ago
