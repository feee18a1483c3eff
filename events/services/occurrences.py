"""An admin's writes to one occurrence of a series: cancel it (an EXDATE), change it (an
override with its RECURRENCE-ID), or change it and every later one ("this and following": the
series splits in two). The same checks, audit and announcements as events.services.authoring;
an occurrence is named by its original start (Occurrence.original_start)."""

import itertools
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from community import audit, effects
from community.services.common import reject_unknown

from .. import recurrence, tasks
from ..access import check_can_author
from ..models import Event, OccurrenceChange, ReminderSent, Rsvp
from . import rsvps
from .authoring import CREATE, update_event
from .common import (
    EVENT_FIELDS,
    announce,
    check_alive,
    clean_cover,
    drop_vanished_occurrences,
    local,
    move_occurrence_rows,
    rdate_moments,
    save_event,
    seats_added,
    set_times,
    shifted,
    to_utc,
    typed_end,
)

OCCURRENCE_CANCEL = audit.register_action("events.occurrence_cancel", "Cancelled an occurrence")
OCCURRENCE_CHANGE = audit.register_action("events.occurrence_change", "Changed an occurrence")
SPLIT = audit.register_action("events.split", "Changed an event from one occurrence on")


def _occurrence(event, original_start):
    """The occurrence named by `original_start`, refused by field when there is none."""
    occurrence = recurrence.occurrence_at(event, original_start)
    if occurrence is None:
        raise ValidationError({"original_start": ["This event has no occurrence then."]})
    return occurrence


def _rule_starts(event):
    """The starts the event's RRULE makes (not its RDATEs), aware in its zone, in order."""
    rule = recurrence.rule_parts(event).to_ical().decode()
    return rrulestr(rule, dtstart=event.starts_at.astimezone(ZoneInfo(event.time_zone)))


def _split_rules(event, original_start):
    """(the old series' rule ending just before `original_start`, the rule of the rest).
    A COUNT is shared: the old part becomes an UNTIL, the new part counts what is left."""
    old, rest = recurrence.rule_parts(event), recurrence.rule_parts(event)
    old.pop("COUNT", None)
    old["UNTIL"] = [original_start.astimezone(UTC) - timedelta(seconds=1)]
    if "COUNT" in rest:
        before = sum(1 for _ in itertools.takewhile(lambda start: start < original_start,
                                                    _rule_starts(event)))  # fmt: skip
        rest["COUNT"] = [rest["COUNT"][0] - before]
    return old.to_ical().decode(), rest.to_ical().decode()


def _check_series(event):
    check_alive(event)
    if not event.is_recurring:
        raise ValidationError({"original_start": ["A one-off event is edited as a whole."]})


def cancel_occurrence(actor, *, event, original_start):
    """One occurrence of a series is off (an EXDATE); its RSVPs stay, for the record."""
    check_can_author(actor)
    _check_series(event)
    occurrence = _occurrence(event, original_start)
    if occurrence.cancelled:
        return occurrence
    with transaction.atomic():
        OccurrenceChange.objects.update_or_create(
            event=event, original_start=occurrence.original_start,
            defaults={"cancelled_at": timezone.now()},
        )  # fmt: skip
        audit.record(actor, OCCURRENCE_CANCEL, event, occurrence.original_start.isoformat())
        announce(event, cancelled=True, occurrence_start=occurrence.original_start)
    return recurrence.occurrence_at(event, occurrence.original_start)


def change_occurrence(actor, *, event, original_start, starts_at=None, ends_at=None, title="",
                      location=""):  # fmt: skip
    """Moves, renames or relocates one occurrence of a series (an override with its
    RECURRENCE-ID): times are wall-clock in the event's zone (a new start alone keeps the
    length); an empty title or location keeps the series'. Its RSVPs stay with it."""
    check_can_author(actor)
    _check_series(event)
    occurrence = _occurrence(event, original_start)
    if occurrence.cancelled:
        raise ValidationError({"original_start": ["This occurrence is cancelled."]})
    zone = ZoneInfo(event.time_zone)
    new_start = to_utc(starts_at, zone, "starts_at") if starts_at else occurrence.starts_at
    if ends_at:
        new_end = to_utc(ends_at, zone, "ends_at")
    else:
        new_end = new_start + (occurrence.ends_at - occurrence.starts_at)
    if new_end < new_start:
        raise ValidationError({"ends_at": ["An occurrence ends after it starts."]})
    change = OccurrenceChange.objects.filter(event=event, original_start=occurrence.original_start)
    change = change.first() or OccurrenceChange(
        event=event, original_start=occurrence.original_start
    )
    change.starts_at, change.ends_at = new_start, new_end
    change.title, change.location = title.strip(), location.strip()
    change.full_clean()
    with transaction.atomic():
        change.save()
        audit.record(actor, OCCURRENCE_CHANGE, event, occurrence.original_start.isoformat())
        announce(event, changed=True, occurrence_start=occurrence.original_start)
    return recurrence.occurrence_at(event, occurrence.original_start)


def split_series(actor, *, event, original_start, **changes):
    """ "This and following": the series ends just before the occurrence at `original_start`
    and a new event (split_from the old one) takes that occurrence and the rest, with
    `changes` (as update_event's) applied. The later occurrences' RSVPs, changes and
    reminders move with them. From the first occurrence on, it is the whole series: an
    update_event. Returns the event holding the changed occurrences."""
    check_can_author(actor)
    reject_unknown(changes, EVENT_FIELDS)
    _check_series(event)
    if not event.rrule:
        raise ValidationError({"original_start": ["Only a repeating rule can be split."]})
    occurrence = _occurrence(event, original_start)
    original_start = occurrence.original_start
    if original_start == event.starts_at:
        return update_event(actor, event=event, **changes)
    old_rule, rest_rule = _split_rules(event, original_start)
    zone = ZoneInfo(event.time_zone)
    rdates = dict(zip(event.rdates, rdate_moments(event), strict=True))
    split_rdates = [text for text, moment in rdates.items() if moment >= original_start]
    later = Event(
        title=event.title, description=event.description, location=event.location,
        online_url=event.online_url, capacity=event.capacity, visibility=event.visibility,
        required_tier=event.required_tier, rrule=rest_rule, uid="", split_from=event,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    if event.cover and "cover" not in changes:
        # A copy: replacing one series' cover must not delete the other's.
        later.cover = ContentFile(event.cover.read(), name=event.cover.name.rsplit("/", 1)[-1])
    if "cover" in changes:
        upload = changes.pop("cover")
        later.cover = clean_cover(upload) if upload is not None else ""
    set_times(
        later,
        starts_at=changes.pop("starts_at", local(original_start, zone)),
        ends_at=changes.pop(
            "ends_at", typed_end(original_start + event.duration, zone, event.all_day)
        ),
        time_zone=changes.pop("time_zone", event.time_zone),
        all_day=changes.pop("all_day", event.all_day),
    )
    later_zone = ZoneInfo(later.time_zone)
    delta = local(later.starts_at, later_zone) - local(original_start, zone)

    def shift(key):
        return shifted(key, zone, later_zone, delta)

    later.rdates = [shift(rdates[text]).isoformat() for text in split_rdates]
    for name, value in changes.items():
        setattr(later, name, value)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # beside RSVPs' lock
        event.rrule = old_rule
        event.rdates = [r for r in event.rdates if r not in split_rdates]
        save_event(event)
        save_event(later)
        for model in (Rsvp, OccurrenceChange):
            field = "original_start" if model is OccurrenceChange else "occurrence_start"
            rows = model.objects.filter(event=event, **{f"{field}__gte": original_start})
            move_occurrence_rows(model, rows, to_event=later, shift=shift)
        ReminderSent.objects.filter(event=event, occurrence_start__gte=original_start).update(
            event=later
        )
        drop_vanished_occurrences(later)  # the changes may leave some dates out
        audit.record(actor, SPLIT, event, f"{original_start.isoformat()} -> event {later.pk}")
        audit.record(actor, CREATE, later, f"split from event {event.pk}")
        if seats_added(event.capacity, later.capacity):
            rsvps.fill_free_seats(later)
        for each in (event, later):
            effects.enqueue_on_commit(tasks.recount_event, each.pk)
            announce(each, changed=True)
    return later
