"""What the writes of events share: wall-clock times read in an event's zone and stored in
UTC, saving a row whole (slug, Markdown, recurrence checked), the cover picture, moving the rows
keyed by an occurrence when its time moves, and the announcement after commit."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from community import effects, live, uploads
from community.richtext import render_markdown
from community.services.common import unique_slug

from .. import recurrence, signals
from ..models import Event, OccurrenceChange, Rsvp

EVENT_FIELDS = ("title", "slug", "description", "cover", "starts_at", "ends_at", "time_zone",
                "all_day", "location", "online_url", "capacity", "visibility", "required_tier",
                "rrule")  # fmt: skip
TIME_FIELDS = ("starts_at", "ends_at", "time_zone", "all_day")
COVER_MAX_SIDE = 1600


def announce(event, *, changed=False, cancelled=False, occurrence_start=None):
    """After commit: open pages reload the event; members are told what happened to it (or
    to one occurrence of it)."""
    live.publish_on_commit(f"event:{event.pk}", "event.updated", id=event.pk)
    start = occurrence_start.isoformat() if occurrence_start else None
    if cancelled:
        effects.send_signal_on_commit(
            signals.event_cancelled, event_id=event.pk, occurrence_start=start
        )
    elif changed:
        effects.send_signal_on_commit(
            signals.event_changed, event_id=event.pk, occurrence_start=start
        )


def _zone(name):
    return recurrence.validate_time_zone(name)


def to_utc(local, zone, field):
    """A wall-clock time in `zone` as UTC; one the clocks skip (02:30 on the night they go
    forward) is refused rather than silently moved."""
    if not isinstance(local, datetime) or timezone.is_aware(local):
        raise TypeError(f"{field} is a naive datetime, the wall-clock time in the event's zone")
    # Whole seconds: RFC 5545 (and dateutil's expansion) has no smaller unit, so a start
    # with microseconds would not be an occurrence of its own series.
    local = local.replace(microsecond=0)
    aware = local.replace(tzinfo=zone).astimezone(UTC)
    if aware.astimezone(zone).replace(tzinfo=None) != local:
        raise ValidationError({field: [f"{local:%H:%M} does not exist on that day in {zone.key}."]})
    return aware


def local(moment, zone):
    """The wall-clock time of an instant in `zone`, as the services take it (naive)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def typed_end(ends_at, zone, all_day):
    """An end as the organiser types it: an all-day event's last day, not the midnight
    after it that is stored."""
    return local(ends_at, zone) - timedelta(days=1 if all_day else 0)


def rdate_moments(event):
    """The event's RDATEs as instants (a date alone is that day at the event's start)."""
    zone = ZoneInfo(event.time_zone)
    return recurrence.rdate_values(  # the reading the expansion itself uses
        event.rdates, tz=zone, local_start=event.starts_at.astimezone(zone)
    )


def shifted(moment, zone, new_zone, delta):
    """`moment` moved by `delta` of wall-clock time (and into `new_zone`), the way a series
    that moves from 18:00 to 19:00 moves every occurrence, whatever their offsets."""
    return (local(moment, zone) + delta).replace(tzinfo=new_zone).astimezone(UTC)


def instants(*, starts_at, ends_at, time_zone, all_day):
    """(start, end) in UTC from wall-clock times in `time_zone`, refused by field: an
    unknown zone, a time the clocks skip, an end before the start."""
    zone = _zone(time_zone)
    if all_day:
        # Whole days, from the first day's midnight to the one after the last (RFC 5545's
        # exclusive DTEND): the times typed are ignored.
        starts_at = datetime.combine(starts_at.date(), datetime.min.time())
        ends_at = datetime.combine(ends_at.date() + timedelta(days=1), datetime.min.time())
    start, end = to_utc(starts_at, zone, "starts_at"), to_utc(ends_at, zone, "ends_at")
    if end < start:
        raise ValidationError({"ends_at": ["An event ends after it starts."]})
    return start, end


def set_times(event, *, starts_at, ends_at, time_zone, all_day):
    event.starts_at, event.ends_at = instants(
        starts_at=starts_at, ends_at=ends_at, time_zone=time_zone, all_day=all_day
    )
    event.time_zone, event.all_day = time_zone, all_day


# Paths under /events/ (pages and API) that an event's slug must not shadow.
RESERVED_SLUGS = {"calendar", "past", "feed", "import", "manage"}


def clean_cover(upload):
    try:
        return uploads.clean_image(upload, max_side=COVER_MAX_SIDE)
    except ValidationError as error:
        raise ValidationError({"cover": error.messages}) from error


def delete_file_on_commit(field_file):
    """A replaced or removed cover leaves the storage once the change is committed."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        effects.on_commit(lambda: storage.delete(name))


def save_event(event):
    for name in ("title", "slug", "location", "online_url", "rrule"):
        setattr(event, name, getattr(event, name).strip())
    if not event.slug:
        event.slug = unique_slug(
            Event.objects.all(),
            event.title,
            noun="event",
            max_length=200,
            reserved=RESERVED_SLUGS,
            exclude=event.pk,
        )
    if event.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": [f"“{event.slug}” is reserved; choose another."]})
    event.description_html = render_markdown(event.description)
    if event.rrule or event.rdates:
        recurrence.validate_recurrence(rrule=event.rrule, starts_at=event.starts_at,
                                       time_zone=event.time_zone, rdates=event.rdates)  # fmt: skip
    event.full_clean()
    event.save()


def seats_added(old, new):
    """A capacity raised or removed (None: no limit) frees seats for the waitlist."""
    return new != old and old is not None and (new is None or new > old)


def check_alive(event):
    if event.deleted_at is not None:
        raise ValidationError("This event is deleted.", code="deleted")


def move_occurrence_rows(model, rows, *, to_event, shift):
    """Moves rows keyed by an occurrence (RSVPs, occurrence changes) to `to_event`, with each
    key mapped by `shift`. One update per occurrence, latest first when times move later
    (earliest first otherwise), so that no key lands on one not yet moved (the
    one-row-per-occurrence constraints)."""
    field = "original_start" if model is OccurrenceChange else "occurrence_start"
    keys = sorted(set(rows.values_list(field, flat=True)))
    if keys and shift(keys[0]) > keys[0]:
        keys.reverse()
    for key in keys:
        rows.filter(**{field: key}).update(event=to_event, **{field: shift(key)})


def drop_vanished_occurrences(event):
    """After its rule, extra dates or start changed: the RSVPs and changes of upcoming
    occurrences the series no longer has are deleted (members were told of the change by
    its signal); those of past ones stay, for the record. Returns how many RSVPs went."""
    now = timezone.now()
    rsvps = Rsvp.objects.filter(event=event, occurrence_start__gte=now)
    changes = OccurrenceChange.objects.filter(event=event, original_start__gte=now)
    keys = set(rsvps.values_list("occurrence_start", flat=True).distinct())
    keys |= set(changes.values_list("original_start", flat=True))
    vanished = keys - recurrence.instances_among(event, keys)
    if not vanished:
        return 0
    changes.filter(original_start__in=vanished).delete()
    gone = rsvps.filter(occurrence_start__in=vanished)
    for user_id, start in gone.values_list("user_id", "occurrence_start"):
        effects.send_signal_on_commit(
            signals.rsvp_changed, user_id=user_id, event_id=event.pk,
            occurrence_start=start.isoformat(), status=None,
        )  # fmt: skip
    dropped, _ = gone.delete()
    return dropped
