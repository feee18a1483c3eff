"""Members' RSVPs to one occurrence of an event, with exact capacity and a waitlist.

Every RSVP write takes the event row's lock (`select_for_update`) first, so RSVPs to an
event happen one at a time: the seats are counted from the GOING rows of the occurrence
(never from the task-kept `rsvp_count`), and the unique (event, occurrence, member)
constraint keeps one answer per member. Asking for "going" with no free seat puts the
member on the waitlist, ordered by `status_changed_at`; a member leaving "going" frees a
seat that the first waiting member takes in the same transaction.

There is no separate "cancel RSVP": answering "not going" is how a member withdraws (from a
seat or from the waitlist), and the organiser keeps seeing that they declined.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from community import access as community_access
from community import effects, live

from .. import recurrence, signals, tasks
from ..access import check_can_rsvp
from ..models import Event, Rsvp

Status = Rsvp.Status
CHOICES = (Status.GOING, Status.MAYBE, Status.NOT_GOING)


def rsvp(actor, *, event, occurrence_start, status):
    """Answers for `actor` to the occurrence whose original start is `occurrence_start`.
    "going" gives a seat, or a place on the waitlist when none is free (a member already
    seated or waiting keeps their place). Returns the Rsvp row."""
    if status not in CHOICES:
        raise ValidationError({"status": "Choose going, maybe or not going."})
    if timezone.is_naive(occurrence_start):
        raise ValidationError({"occurrence_start": "Give the occurrence's start with its offset."})
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        occurrence = recurrence.occurrence_at(event, occurrence_start)
        check_can_rsvp(actor, event, occurrence)
        start = occurrence.original_start
        current = Rsvp.objects.filter(event=event, occurrence_start=start, user=actor).first()
        previous = current.status if current else None
        if status == Status.GOING and previous in (Status.GOING, Status.WAITLISTED):
            return current
        if status == Status.GOING:
            # Those already waiting come first, should a seat be free (a capacity raised).
            _promote(event, start)
            status = Status.GOING if _seat_free(event, start) else Status.WAITLISTED
        if status == previous:
            return current
        now = timezone.now()
        if current is None:
            current = Rsvp.objects.create(
                event=event, occurrence_start=start, user=actor, status=status,
                status_changed_at=now,
            )  # fmt: skip
        else:
            current.status, current.status_changed_at = status, now
            current.save(update_fields=["status", "status_changed_at"])
        _announce(actor.pk, event, start, status)
        _refresh(event, start)
        if previous == Status.GOING:
            _promote(event, start)
    return current


def fill_free_seats(event, occurrence_start=None):
    """Gives the free seats of an occurrence (or of every occurrence with a waitlist) to its
    first waiting members, in order. The authoring service calls it in its own transaction
    after raising or removing a capacity; it takes the event's lock itself. A cancelled or
    deleted event, and a past or cancelled occurrence, have no seat to give. Returns the
    promoted RSVPs."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.cancelled_at is not None or event.deleted_at is not None:
            return []
        promoted = []
        for start in _upcoming_waitlists(event, occurrence_start):
            promoted_here = _promote(event, start)
            if promoted_here:
                _refresh(event, start)
            promoted += promoted_here
        return promoted


def _upcoming_waitlists(event, occurrence_start):
    """The original starts of the event's upcoming, not cancelled occurrences that have a
    waitlist (only `occurrence_start`'s, when given)."""
    waited = Rsvp.objects.filter(event=event, status=Status.WAITLISTED)
    if occurrence_start is not None:
        waited = waited.filter(occurrence_start=occurrence_start)
    starts = (
        waited.values_list("occurrence_start", flat=True).distinct().order_by("occurrence_start")
    )
    now = timezone.now()
    upcoming = []
    for start in starts:
        occurrence = recurrence.occurrence_at(event, start)
        if occurrence and not occurrence.cancelled and occurrence.starts_at > now:
            upcoming.append(start)
    return upcoming


def _seat_free(event, start):
    if event.capacity is None:
        return True
    return _going(event, start).count() < event.capacity


def _going(event, start):
    return Rsvp.objects.filter(event=event, occurrence_start=start, status=Status.GOING)


def _promote(event, start):
    """The first waiting members take the free seats of the occurrence (the caller holds
    the event's lock). Members who may no longer see the event (banned, deactivated, or
    without the tier of a paid event any more) are passed over, keeping their place.
    Returns the promoted RSVPs, each announced after commit; the caller calls _refresh."""
    now = timezone.now()
    waiting = (
        Rsvp.objects.filter(event=event, occurrence_start=start, status=Status.WAITLISTED)
        .filter(community_access.gated_audience(event, prefix="user__"))
        .order_by("status_changed_at", "id")
    )
    if event.capacity is not None:
        free = event.capacity - _going(event, start).count()
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for row in promoted:
        row.status, row.status_changed_at = Status.GOING, now
        effects.send_signal_on_commit(
            signals.waitlist_promoted, user_id=row.user_id, event_id=event.pk,
            occurrence_start=start.isoformat(),
        )  # fmt: skip
        _announce(row.user_id, event, start, Status.GOING)
    Rsvp.objects.bulk_update(promoted, ["status", "status_changed_at"])
    return promoted


def _announce(user_id, event, start, status):
    effects.send_signal_on_commit(
        signals.rsvp_changed, user_id=user_id, event_id=event.pk,
        occurrence_start=start.isoformat(), status=str(status),
    )  # fmt: skip


def _refresh(event, start):
    """After commit: the event's count recomputed, and open pages told to reload the
    occurrence's attendees and seats."""
    effects.enqueue_on_commit(tasks.recount_event, event.pk)
    live.publish_on_commit(
        f"event:{event.pk}", "rsvp.changed", id=event.pk, occurrence_start=start.isoformat()
    )
