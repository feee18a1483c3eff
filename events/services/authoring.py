"""Every write an admin makes to a whole event: create, edit, cancel and delete it, and the
RRULE of the authoring page's recurrence choices (one occurrence and "this and following" are
events.services.occurrences). Each call checks events.access.check_can_author, validates the
whole row (ValidationError by field) before writing, records an audit entry in its
transaction, and after commit announces "event.updated" on the event's topic and sends the
domain signal members are told by.

Times come in as the event's own wall-clock: naive datetimes read in `time_zone` (what an
organiser types: 18:00 in Europe/Paris), stored in UTC. An occurrence is named by its
original start, an aware datetime (Occurrence.original_start)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from icalendar import vRecur

from community import audit, effects
from community.services.common import reject_unknown

from .. import recurrence, tasks
from ..access import check_can_author
from ..models import Event, OccurrenceChange, Rsvp
from . import rsvps
from .common import (
    EVENT_FIELDS,
    TIME_FIELDS,
    announce,
    check_alive,
    clean_cover,
    delete_file_on_commit,
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

CREATE = audit.register_action("events.create", "Created an event")
UPDATE = audit.register_action("events.update", "Edited an event")
CANCEL = audit.register_action("events.cancel", "Cancelled an event")
DELETE = audit.register_action("events.delete", "Deleted an event")

# A change to one of these may take dates out of the series.
RULE_FIELDS = ("starts_at", "time_zone", "all_day", "rrule", "rdates")
# What members are told about (signals.event_changed): when, where and what.
NOTICED_FIELDS = ("title", "starts_at", "ends_at", "time_zone", "all_day", "location",
                  "online_url", "rrule", "rdates")  # fmt: skip

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MONTHLY_BY = ("date", "weekday")


# --- Recurrence -----------------------------------------------------------------------------


def build_rrule(*, freq, start, time_zone, interval=1, weekdays=(), monthly_by="date",
                until=None, count=None):  # fmt: skip
    """The RRULE text for the authoring page's simple choices: DAILY, WEEKLY on `weekdays`
    ("MO"…"SU"; the start's day when none), MONTHLY by the start's date or by its nth
    weekday ("the 2nd Tuesday"; "the last" for a fifth); every `interval`; ending on the
    date `until` (that day included, in the event's zone), after `count` occurrences, or
    never. `start` is the first occurrence's wall-clock time in `time_zone`.

    icalendar's vRecur writes it, not dateutil: dateutil's str() adds a DTSTART line and
    writes UNTIL without the UTC "Z" RFC 5545 requires beside a zoned start (which dateutil
    itself then refuses to read back)."""
    errors = {}
    if freq not in FREQUENCIES:
        errors["freq"] = ["Choose daily, weekly or monthly."]
    if not isinstance(interval, int) or interval < 1:
        errors["interval"] = ["Repeat every 1 or more days, weeks or months."]
    unknown = set(weekdays) - set(WEEKDAYS)
    if unknown:
        errors["weekdays"] = [f"Unknown weekdays: {', '.join(sorted(unknown))}."]
    if monthly_by not in MONTHLY_BY:
        errors["monthly_by"] = ["Repeat monthly by date or by weekday."]
    if until is not None and count is not None:
        errors["count"] = ["End on a date or after a number of occurrences, not both."]
    elif count is not None and count < 1:
        errors["count"] = ["At least 1 occurrence."]
    elif until is not None and until < start.date():
        errors["until"] = ["The last day is on or after the first."]
    if errors:
        raise ValidationError(errors)
    start_day = WEEKDAYS[start.weekday()]
    parts = {"FREQ": freq}
    if interval > 1:
        parts["INTERVAL"] = interval
    if freq == "WEEKLY":
        days = [day for day in WEEKDAYS if day in weekdays] or [start_day]
        if start_day not in days:
            # RFC 5545 leaves a start outside its own rule undefined; calendars disagree.
            raise ValidationError({"weekdays": ["Include the weekday of the first occurrence."]})
        parts["BYDAY"] = days
    elif freq == "MONTHLY" and monthly_by == "weekday":
        nth = (start.day - 1) // 7 + 1
        parts["BYDAY"] = [f"{-1 if nth == 5 else nth}{start_day}"]
    elif freq == "MONTHLY":
        parts["BYMONTHDAY"] = start.day
    if count is not None:
        parts["COUNT"] = count
    if until is not None:
        last_moment = datetime.combine(until, datetime.max.time().replace(microsecond=0))
        parts["UNTIL"] = to_utc(last_moment, recurrence.validate_time_zone(time_zone), "until")
    return vRecur(parts).to_ical().decode()


# --- Events ---------------------------------------------------------------------------------


def create_event(actor, *, title, starts_at, ends_at, time_zone, visibility, slug="",
                 description="", cover=None, all_day=False, location="", online_url="",
                 capacity=None, required_tier=None, rrule=""):  # fmt: skip
    """A new event; `starts_at`/`ends_at` are wall-clock times in `time_zone` (naive), and
    `rrule` an RFC 5545 rule (build_rrule makes one) for a series."""
    check_can_author(actor)
    event = Event(title=title, slug=slug, description=description, location=location,
                  online_url=online_url, capacity=capacity, visibility=visibility,
                  required_tier=required_tier, rrule=rrule,
                  created_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    set_times(event, starts_at=starts_at, ends_at=ends_at, time_zone=time_zone, all_day=all_day)
    if cover is not None:
        event.cover = clean_cover(cover)
    with transaction.atomic():
        save_event(event)
        audit.record(actor, CREATE, event)
        announce(event)
    return event


def _noticed(event):
    return {name: getattr(event, name) for name in NOTICED_FIELDS}


def update_event(actor, *, event, **changes):
    """Changes some of EVENT_FIELDS. Times are wall-clock (naive) in the event's zone (the
    new one when `time_zone` changes; times not given keep their wall-clock). Moving the
    start moves the series: its occurrences' RSVPs and changes follow by the same wall-clock
    shift (reminders already sent stay with the old time: members are reminded of the new
    one); a new rule drops the RSVPs of upcoming dates it no longer has. `cover=None` removes
    the picture. A raised capacity seats waiting members."""
    check_can_author(actor)
    reject_unknown(changes, EVENT_FIELDS)
    check_alive(event)
    before, old_capacity = _noticed(event), event.capacity
    old_zone, old_start, old_rdates = (
        ZoneInfo(event.time_zone),
        event.starts_at,
        rdate_moments(event),
    )
    if any(name in changes for name in TIME_FIELDS):
        set_times(
            event,
            starts_at=changes.pop("starts_at", local(event.starts_at, old_zone)),
            ends_at=changes.pop("ends_at", typed_end(event.ends_at, old_zone, event.all_day)),
            time_zone=changes.pop("time_zone", event.time_zone),
            all_day=changes.pop("all_day", event.all_day),
        )
    new_zone = ZoneInfo(event.time_zone)
    delta = local(event.starts_at, new_zone) - local(old_start, old_zone)
    if delta:
        event.rdates = [shifted(moment, old_zone, new_zone, delta).isoformat()
                        for moment in old_rdates]  # fmt: skip
    old_cover = event.cover if "cover" in changes else None
    if "cover" in changes:
        upload = changes.pop("cover")
        event.cover = clean_cover(upload) if upload is not None else ""
    for name, value in changes.items():
        setattr(event, name, value)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # beside RSVPs' lock
        save_event(event)
        after = _noticed(event)
        if delta or old_zone != new_zone:

            def shift(key):
                return shifted(key, old_zone, new_zone, delta)

            for model in (Rsvp, OccurrenceChange):
                move_occurrence_rows(model, model.objects.filter(event=event), to_event=event,
                                      shift=shift)  # fmt: skip
        changed = sorted(name for name in before if before[name] != after[name])
        if set(changed) & set(RULE_FIELDS) and drop_vanished_occurrences(event):
            effects.enqueue_on_commit(tasks.recount_event, event.pk)
        audit.record(actor, UPDATE, event, ", ".join(changed or sorted(changes)))
        if seats_added(old_capacity, event.capacity):
            rsvps.fill_free_seats(event)
        if old_cover is not None:
            delete_file_on_commit(old_cover)
        announce(event, changed=bool(changed))
    return event


def cancel_event(actor, *, event):
    """Every occurrence is off: the event stays listed as cancelled and takes no RSVP."""
    check_can_author(actor)
    check_alive(event)
    if event.cancelled_at is not None:
        return event
    with transaction.atomic():
        event.cancelled_at = timezone.now()
        event.save(update_fields=["cancelled_at", "updated_at"])
        audit.record(actor, CANCEL, event)
        announce(event, cancelled=True)
    return event


def delete_event(actor, *, event):
    """Soft delete: the event leaves every list, page and feed; the admin can purge it."""
    check_can_author(actor)
    with transaction.atomic():
        event.deleted_at = event.deleted_at or timezone.now()
        event.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, DELETE, event)
        # For the members going, a deleted event is a cancelled one.
        announce(event, cancelled=True)
    return event
