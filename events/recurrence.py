"""An event's occurrences, expanded on demand for a window: the one place pages, the API,
reminders and the calendar export ask "when does this event happen?".

The rule set is built with python-dateutil (an `rruleset` of the RRULE, the RDATEs and, for
a rule with only RDATEs, DTSTART) with DTSTART as the event's wall-clock start in its own
ZoneInfo, so a weekly 18:00 stays 18:00 across daylight-saving changes. The changes
(OccurrenceChange rows) are applied to the expanded instances here rather than written
into the set as EXDATEs, because a cancelled occurrence is still listed (cancelled=True)
for the pages that show it struck through. recurring-ical-events would need a VCALENDAR
built per event and drops cancelled instances; it agrees with dateutil on every case in
the shared iCalendar corpus, so the tests use it as the independent check of the export.

RFC 5545 leaves a DTSTART that does not match its rule "undefined": like dateutil (and the
corpus' expectations) it is not an occurrence then. A DATE or floating UNTIL, which
dateutil refuses next to an aware DTSTART, is read in the event's zone (a DATE includes
its whole day).
"""

import functools
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import rruleset, rrulestr
from django.core.exceptions import ValidationError
from icalendar import vRecur

# A window on a daily rule without end lists at most this many occurrences.
MAX_OCCURRENCES_PER_WINDOW = 1000
# A rule with an end (COUNT or UNTIL) yields at most this many occurrences in all.
MAX_OCCURRENCES_TOTAL = 10_000
# The Gregorian calendar repeats its dates and weekdays every 400 years.
_CYCLE_YEARS = 400


@dataclass(frozen=True)
class Occurrence:
    """One occurrence, named by its original start (RFC 5545's RECURRENCE-ID); all
    datetimes aware, in UTC."""

    event: object
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str
    cancelled: bool


# --- Validation ----------------------------------------------------------------------------


@functools.cache
def zone_names():
    """The IANA zone names this system knows."""
    return frozenset(available_timezones())


def validate_time_zone(time_zone):
    """The ZoneInfo of an IANA zone name, or a ValidationError on `time_zone`."""
    if time_zone not in zone_names():
        raise ValidationError(
            {"time_zone": f"“{time_zone}” is not a known time zone (e.g. Europe/Paris)."}
        )
    return ZoneInfo(time_zone)


def validate_recurrence(*, rrule, starts_at, time_zone, rdates=()):
    """Refuse a rule that cannot be parsed, repeats more often than daily, ends before it
    starts, never occurs, or (when it ends) yields more than MAX_OCCURRENCES_TOTAL."""
    tz = validate_time_zone(time_zone)
    local_start = starts_at.astimezone(tz)
    try:
        extra = rdate_values(rdates, tz=tz, local_start=local_start)
        if not rrule:
            return
        parts = _normalized(_parts(rrule), tz=tz)
        rule = rrulestr(parts.to_ical().decode(), dtstart=local_start)
    except (ValueError, TypeError, KeyError) as error:
        raise ValidationError({"rrule": f"This repeat rule cannot be read: {error}"}) from None
    if parts["FREQ"][0] in ("SECONDLY", "MINUTELY", "HOURLY"):
        raise ValidationError({"rrule": "An event repeats at most daily."})
    if "UNTIL" in parts and parts["UNTIL"][0] < starts_at:
        raise ValidationError({"rrule": "The repeat ends (UNTIL) before the event starts."})
    too_many = ValidationError(
        {"rrule": f"A series has at most {MAX_OCCURRENCES_TOTAL:,} occurrences."}
    )
    if parts.get("COUNT", [0])[0] > MAX_OCCURRENCES_TOTAL:
        raise too_many
    never = ValidationError({"rrule": "This repeat rule never gives a date."})
    if not extra and not _may_occur(parts, local_start):
        raise never
    instances = rruleset()
    instances.rrule(rule)
    for value in extra:
        instances.rdate(value)
    if "UNTIL" in parts or "COUNT" in parts:
        found = len(list(itertools.islice(instances, MAX_OCCURRENCES_TOTAL + 1)))
        if found > MAX_OCCURRENCES_TOTAL:
            raise too_many
    else:
        found = next(iter(instances), None) is not None
    if not found:
        raise never


def _may_occur(parts, local_start):
    """Whether the rule's date filters ever match a day. dateutil scans on to the year 9999
    before it gives up on a rule like "30 February" (seconds for a daily rule). A yearly
    probe of the same filters, moved by whole 400-year cycles (the Gregorian calendar
    repeats exactly) to just before 9999, answers in milliseconds."""
    probe = {
        key: parts[key]
        for key in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
        if key in parts
    }
    if "BYDAY" in parts:
        # "-1FR" (the last Friday) is a Friday: the weekday is what the probe can test.
        probe["BYDAY"] = sorted({str(day)[-2:] for day in parts["BYDAY"]})
    if not probe:
        return True
    probe["FREQ"] = ["YEARLY"]
    probe["COUNT"] = [1]
    start = local_start.replace(tzinfo=None)
    start = start.replace(
        year=start.year + _CYCLE_YEARS * ((9999 - 2 * _CYCLE_YEARS - start.year) // _CYCLE_YEARS)
    )
    return next(iter(rrulestr(vRecur(probe).to_ical().decode(), dtstart=start)), None) is not None


# --- The rule set ---------------------------------------------------------------------------


def _parts(rrule):
    if not isinstance(rrule, str) or any(sign in rrule for sign in ":\r\n"):
        raise ValueError("give one RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO")
    parts = vRecur.from_ical(rrule)
    if "FREQ" not in parts:
        raise ValueError("FREQ is missing")
    return parts


def _normalized(parts, *, tz):
    """The rule with its UNTIL as an aware UTC datetime, read in the event's zone when it
    is a DATE (that whole day included) or floating."""
    if "UNTIL" not in parts:
        return parts
    until = parts["UNTIL"][0]
    if not isinstance(until, datetime):
        until = datetime.combine(until, time(23, 59, 59), tzinfo=tz)
    elif until.tzinfo is None:
        until = until.replace(tzinfo=tz)
    normalized = vRecur(parts)
    normalized["UNTIL"] = [until.astimezone(UTC)]
    return normalized


def rule_parts(event):
    """The event's RRULE as an icalendar vRecur, UNTIL in UTC (for the export)."""
    return _normalized(_parts(event.rrule), tz=ZoneInfo(event.time_zone))


def rdate_values(rdates, *, tz, local_start):
    """RDATEs as aware datetimes in the event's zone: ISO strings with an offset are
    instants; a date alone is that day at the event's wall-clock start."""
    values = []
    for text in rdates:
        try:
            value = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            raise ValueError(f"“{text}” is not an ISO 8601 date or time") from None
        if len(text) <= len("YYYY-MM-DD"):
            value = datetime.combine(value.date(), local_start.time())
        values.append(value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz))
    return values


@functools.lru_cache(maxsize=512)
def _rule(rrule, local_start, time_zone):
    """The parsed dateutil rule, built once per distinct definition: iterating it changes
    nothing in it, so threads may share it (an rruleset sorts its RDATE list in place as
    it iterates, so a fresh one is made for each use)."""
    parts = _normalized(_parts(rrule), tz=ZoneInfo(time_zone))
    return rrulestr(parts.to_ical().decode(), dtstart=local_start)


def rdates_of(event):
    """The event's RDATEs as aware datetimes in its zone."""
    tz = ZoneInfo(event.time_zone)
    return rdate_values(event.rdates or (), tz=tz, local_start=event.starts_at.astimezone(tz))


def _instances(event):
    tz = ZoneInfo(event.time_zone)
    local_start = event.starts_at.astimezone(tz)
    instances = rruleset()
    if event.rrule:
        instances.rrule(_rule(event.rrule, local_start, event.time_zone))
    else:
        instances.rdate(local_start)
    for value in rdates_of(event):
        instances.rdate(value)
    return instances


def _end_of(event, local_start):
    """The occurrence's end: the event's length on the wall clock (a one-day all-day
    event ends at the next local midnight, whatever daylight saving does)."""
    tz = local_start.tzinfo
    length = event.ends_at.astimezone(tz).replace(tzinfo=None) - event.starts_at.astimezone(
        tz
    ).replace(tzinfo=None)
    return (local_start.replace(tzinfo=None) + length).replace(tzinfo=tz).astimezone(UTC)


def _occurrence(event, local_start, change):
    starts_at = local_start.astimezone(UTC)
    ends_at = _end_of(event, local_start)
    occurrence = Occurrence(
        event=event,
        original_start=starts_at,
        starts_at=starts_at,
        ends_at=ends_at,
        title=event.title,
        location=event.location,
        cancelled=event.cancelled_at is not None,
    )
    if change is None:
        return occurrence
    moved_start = change.starts_at or starts_at
    return Occurrence(
        event=event,
        original_start=starts_at,
        starts_at=moved_start,
        ends_at=change.ends_at or moved_start + (ends_at - starts_at),
        title=change.title or event.title,
        location=change.location or event.location,
        cancelled=occurrence.cancelled or change.cancelled_at is not None,
    )


def _is_instance(event, original_start):
    tz = ZoneInfo(event.time_zone)
    local = original_start.astimezone(tz)
    return next(_instances(event).xafter(local, inc=True), None) == local


def _overlaps(occurrence, start, end):
    # A zero-length occurrence at `start` is inside the window too.
    return occurrence.starts_at < end and (
        occurrence.ends_at > start or occurrence.starts_at >= start
    )


def _changes_of(event, changes):
    if changes is None:
        changes = event.changes.all() if event.pk else ()
    return {change.original_start.astimezone(UTC): change for change in changes}


# --- Reading occurrences --------------------------------------------------------------------


def occurrences(event, *, start, end, changes=None):
    """The occurrences overlapping [start, end), in order of start, with `changes` applied
    (read from the event when None). At most MAX_OCCURRENCES_PER_WINDOW are listed."""
    by_original = _changes_of(event, changes)
    tz = ZoneInfo(event.time_zone)
    # An occurrence that started before the window may still be running in it.
    reach = start - max(event.ends_at - event.starts_at, timedelta(0)) - timedelta(days=1)
    found = {}
    for local_start in _instances(event).xafter(reach.astimezone(tz), inc=True):
        if local_start >= end or len(found) >= MAX_OCCURRENCES_PER_WINDOW:
            break
        original = local_start.astimezone(UTC)
        found[original] = _occurrence(event, local_start, by_original.get(original))
    # A moved occurrence can land in the window from far outside it.
    for original, change in by_original.items():
        if original in found or not (change.starts_at or change.ends_at):
            continue
        moved = _occurrence(event, original.astimezone(tz), change)
        if _overlaps(moved, start, end) and _is_instance(event, original):
            found[original] = moved
    listed = [occurrence for occurrence in found.values() if _overlaps(occurrence, start, end)]
    return sorted(listed, key=lambda o: (o.starts_at, o.original_start))[
        :MAX_OCCURRENCES_PER_WINDOW
    ]


def changes_by_event(events):
    """Each event's OccurrenceChange rows, read in one query: {event id: [changes]}."""
    from events.models import OccurrenceChange

    grouped = {event.pk: [] for event in events}
    for change in OccurrenceChange.objects.filter(event__in=list(grouped)):
        grouped[change.event_id].append(change)
    return grouped


def occurrences_of(events, *, start, end):
    """The occurrences of several events overlapping [start, end), in order of start."""
    events = list(events)
    grouped = changes_by_event(events)
    listed = [
        occurrence
        for event in events
        for occurrence in occurrences(event, start=start, end=end, changes=grouped[event.pk])
    ]
    return sorted(listed, key=lambda o: (o.starts_at, o.event.pk, o.original_start))


def occurrence_at(event, original_start, *, changes=None):
    """The occurrence the event originally had at `original_start` (changes applied; a
    cancelled one has cancelled=True), or None when the event has no such occurrence."""
    if not _is_instance(event, original_start):
        return None
    original = original_start.astimezone(UTC)
    change = _changes_of(event, changes).get(original)
    return _occurrence(event, original.astimezone(ZoneInfo(event.time_zone)), change)


def instances_among(event, originals):
    """Those of `originals` (aware starts) that the event's rule and RDATEs still make, as
    UTC datetimes: one pass over the instances from the earliest to the latest."""
    wanted = {moment.astimezone(UTC) for moment in originals}
    if not wanted:
        return set()
    tz = ZoneInfo(event.time_zone)
    first, last = min(wanted), max(wanted)
    found = set()
    for local_start in _instances(event).xafter(first.astimezone(tz), inc=True):
        moment = local_start.astimezone(UTC)
        if moment > last:
            break
        if moment in wanted:
            found.add(moment)
    return found


def occurrences_at(event, originals, *, changes=None):
    """The occurrences the event originally had at `originals` (aware starts), in order,
    changes applied (a cancelled one has cancelled=True); those it no longer has are left
    out. One pass over its instances, however many are asked for."""
    by_original = _changes_of(event, changes)
    tz = ZoneInfo(event.time_zone)
    return [
        _occurrence(event, moment.astimezone(tz), by_original.get(moment))
        for moment in sorted(instances_among(event, originals))
    ]


def next_occurrence(event, after, *, changes=None):
    """The first occurrence not cancelled that starts at or after `after`, or None."""
    by_original = _changes_of(event, changes)
    tz = ZoneInfo(event.time_zone)
    # Moved occurrences may now start anywhere: each is a candidate of its own.
    candidates = [
        _occurrence(event, original.astimezone(tz), change)
        for original, change in by_original.items()
        if change.starts_at and _is_instance(event, original)
    ]
    instances = _instances(event).xafter(after.astimezone(tz), inc=True)
    for local_start in itertools.islice(instances, MAX_OCCURRENCES_PER_WINDOW):
        change = by_original.get(local_start.astimezone(UTC))
        if change is not None and change.starts_at:
            continue
        occurrence = _occurrence(event, local_start, change)
        if not occurrence.cancelled:
            candidates.append(occurrence)
            break
    upcoming = [o for o in candidates if not o.cancelled and o.starts_at >= after]
    return min(upcoming, key=lambda o: o.starts_at, default=None)


def local_midnight(day: date, time_zone):
    """The first instant of a calendar day in a zone, in UTC (an all-day event's start)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)
