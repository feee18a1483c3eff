"""An admin imports an .ics file: each VEVENT becomes an event (its UID kept), its EXDATEs
and RECURRENCE-ID overrides become occurrence changes, all in one transaction. A VEVENT that
cannot be an event (no start, a rule we refuse, a UID already imported) is skipped and named
in the errors returned; the rest are imported. events/ical.py reads the file."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from community import audit, uploads

from .. import ical, recurrence
from ..access import check_can_author
from ..models import Event, OccurrenceChange
from .common import save_event

IMPORT = audit.register_action("events.import", "Imported an event from a calendar file")
UNTITLED = "Untitled event"


def import_calendar(actor, *, upload, visibility=Event.Visibility.MEMBERS, required_tier=None):
    """Imports every VEVENT of `upload` (an uploaded .ics file) as an event of
    `visibility`; returns (events, errors), one error sentence per VEVENT skipped. Floating
    times are read in the calendar's X-WR-TIMEZONE, else the admin's own zone."""
    check_can_author(actor)
    try:
        uploads.check_size(upload, ical.MAX_IMPORT_BYTES)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    upload.seek(0)
    parsed = ical.parse_calendar(
        upload.read(), default_time_zone=getattr(actor, "time_zone", "") or "UTC"
    )
    events, errors = [], list(parsed.errors)
    known_uids = set(
        Event.objects.alive()
        .filter(uid__in=[item.uid for item in parsed.events if item.uid])
        .values_list("uid", flat=True)
    )
    with transaction.atomic():
        for item in parsed.events:
            label = f"“{item.title or UNTITLED}”"
            if item.uid and item.uid in known_uids:
                errors.append(f"{label} was imported before (same UID): skipped.")
                continue
            try:
                with transaction.atomic():  # a refused VEVENT leaves nothing behind
                    event, skipped = _import_event(actor, item, visibility, required_tier)
            except ValidationError as error:
                errors.append(f"{label} cannot be imported: {' '.join(_messages(error))}")
                continue
            known_uids.add(item.uid)
            events.append(event)
            errors += [f"{label}: {message}" for message in skipped]
    return events, errors


def _messages(error):
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return error.messages


def _url(text):
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        return ""  # not a link a member could follow: the event comes without it
    return text


def _import_event(actor, item, visibility, required_tier):
    """The event of one ParsedEvent, and a sentence per override that names no occurrence."""
    event = Event(
        title=(item.title or UNTITLED)[:200], description=item.description,
        starts_at=item.starts_at, ends_at=item.ends_at, time_zone=item.time_zone,
        all_day=item.all_day, location=item.location[:300], online_url=_url(item.url),
        rrule=item.rrule, rdates=item.rdates, uid=item.uid, visibility=visibility,
        required_tier=required_tier, cancelled_at=timezone.now() if item.cancelled else None,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    save_event(event)
    audit.record(actor, IMPORT, event, item.uid)
    changes, skipped = {}, []
    for original_start in item.exdates:
        if recurrence.occurrence_at(event, original_start, changes=()):
            changes[original_start] = OccurrenceChange(
                event=event, original_start=original_start, cancelled_at=timezone.now()
            )
    for override in item.overrides:
        if not recurrence.occurrence_at(event, override.original_start, changes=()):
            skipped.append(f"the change of {override.original_start:%Y-%m-%d %H:%M} UTC names "
                           "no occurrence of the series: skipped.")  # fmt: skip
            continue
        changes[override.original_start] = _change(event, override)
    OccurrenceChange.objects.bulk_create(changes.values())
    return event, skipped


def _change(event, override):
    """An override keeps only what differs from the series (the pages show the rest)."""
    change = OccurrenceChange(event=event, original_start=override.original_start)
    if override.cancelled:
        change.cancelled_at = timezone.now()
        return change
    if (override.starts_at, override.ends_at) != (
        override.original_start,
        override.original_start + event.duration,
    ):
        change.starts_at, change.ends_at = override.starts_at, override.ends_at
    change.title = "" if override.title == event.title else override.title[:200]
    change.location = "" if override.location == event.location else override.location[:300]
    return change
