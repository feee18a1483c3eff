"""iCalendar (RFC 5545) in and out: the calendar export and feed, the import's reading of
an .ics file, and the "add to Google Calendar" link.

The icalendar library writes and reads the text (escaping, CRLF, folding at 75 octets
without splitting a character) and generates each VTIMEZONE from zoneinfo; the recurrence
itself is events/recurrence.py's, so the export and the pages agree.

Windows zone names ("GMT Standard Time", as Outlook and Exchange write them) are mapped to
IANA with the Unicode CLDR table icalendar ships and regenerates (WINDOWS_TO_OLSON); a
hand-kept table here would drift from it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from icalendar import Calendar, Timezone, vRecur
from icalendar import Event as VEvent
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events import recurrence

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_EVENTS = 2000
PRODID = "-//Agora//Events//EN"
# Google's link carries the description in its query string: a long one is cut.
GOOGLE_DETAILS_MAX = 1000


# --- Export --------------------------------------------------------------------------------


def event_uid(event):
    """The event's stable UID: an imported one's own, else one named after this site."""
    if event.uid:
        return event.uid
    host = urlsplit(settings.AGORA_BASE_URL).hostname or "agora"
    return f"event-{event.pk}@{host}"


def occurrence_uid(event, original_start):
    """The UID of one date exported on its own (in a member's feed): a one-off event's own
    UID, else the series' prefixed by the date's original start in UTC (the shape of RFC
    5545's examples), which stays when that date is moved or renamed."""
    if not event.is_recurring:
        return event_uid(event)
    return f"{original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}-{event_uid(event)}"


def _when(event, moment):
    """A datetime as the export writes it: in the event's zone, or its date if all-day."""
    local = moment.astimezone(ZoneInfo(event.time_zone))
    return local.date() if event.all_day else local


def _end_when(event, starts_at, ends_at):
    """DTEND: an all-day event's end is the day after its last day (exclusive)."""
    if not event.all_day:
        return _when(event, ends_at)
    end = ends_at.astimezone(ZoneInfo(event.time_zone))
    last = end.date() if end.time() == time(0) else end.date() + timedelta(days=1)
    return max(last, _when(event, starts_at) + timedelta(days=1))


def _rrule_for_export(event):
    """The RRULE with UNTIL in UTC, or as a DATE for an all-day event (RFC 5545 wants UNTIL
    of the same type as DTSTART)."""
    parts = recurrence.rule_parts(event)
    if event.all_day and "UNTIL" in parts:
        parts["UNTIL"] = [_when(event, parts["UNTIL"][0])]
    return parts


def _vevent(event, *, starts_at, ends_at, title, location, stamp, uid=None):
    vevent = VEvent()
    vevent.add("uid", uid or event_uid(event))
    vevent.add("dtstamp", stamp)
    vevent.add("last-modified", stamp)
    vevent.add("dtstart", _when(event, starts_at))
    vevent.add("dtend", _end_when(event, starts_at, ends_at))
    vevent.add("summary", title)
    if event.description:
        vevent.add("description", event.description)
    # Calendar apps show LOCATION, few show URL: an online event's link goes in both.
    if location or event.online_url:
        vevent.add("location", location or event.online_url)
    if event.online_url:
        vevent.add("url", event.online_url)
    if event.cancelled_at:
        vevent.add("status", "CANCELLED")
    return vevent


def _vevents(event, changes):
    stamp = event.updated_at.astimezone(UTC)
    master = _vevent(
        event,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        title=event.title,
        location=event.location,
        stamp=stamp,
    )
    if event.rrule:
        master.add("rrule", _rrule_for_export(event))
    rdates = recurrence.rdates_of(event)
    if rdates:
        master.add("rdate", [_when(event, value) for value in rdates])
    changes = sorted(changes, key=lambda change: change.original_start)
    cancelled = [change.original_start for change in changes if change.cancelled_at]
    if cancelled:
        master.add("exdate", [_when(event, original) for original in cancelled])
    yield master
    for change in changes:
        if change.cancelled_at:
            continue
        occurrence = recurrence.occurrence_at(event, change.original_start, changes=[change])
        if occurrence is None:
            continue  # a change left over from an earlier rule: nothing to override
        override = _vevent(
            event,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            title=occurrence.title,
            location=occurrence.location,
            stamp=change.updated_at.astimezone(UTC),
        )
        override.add("recurrence-id", _when(event, change.original_start))
        yield override


def _dated_vevents(event, changes, originals):
    """(day, VEVENT) of each date in `originals` that the event still has and has not
    cancelled, as it now is (moved, renamed), under occurrence_uid. A VEVENT of its own, not
    a RECURRENCE-ID instance: without its series in the file, calendar apps read those
    unevenly."""
    stamps = {change.original_start.astimezone(UTC): change.updated_at for change in changes}
    for occurrence in recurrence.occurrences_at(event, originals, changes=changes):
        if occurrence.cancelled:
            continue
        stamp = max(event.updated_at, stamps.get(occurrence.original_start, event.updated_at))
        vevent = _vevent(
            event,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            title=occurrence.title,
            location=occurrence.location,
            stamp=stamp.astimezone(UTC),
            uid=occurrence_uid(event, occurrence.original_start),
        )
        yield occurrence.starts_at.date(), vevent


def calendar_for(events_with_changes, *, name):
    """A VCALENDAR (bytes) of (event, its OccurrenceChange rows) pairs, each event whole
    (a series with its rule and changes), with a VTIMEZONE for each zone used;
    recurrence.changes_by_event reads the changes in one query."""
    pairs = list(events_with_changes)
    vevents = [vevent for event, changes in pairs for vevent in _vevents(event, changes)]
    return _calendar(vevents, days=[event.starts_at.date() for event, _ in pairs], name=name)


def dates_calendar(events_with_dates, *, name):
    """A VCALENDAR (bytes) of some dates of events: (event, its OccurrenceChange rows, the
    original starts of the dates) triples, each date a VEVENT of its own. A member's feed:
    going to one date of a weekly event puts that date in their calendar, not every week."""
    dated = [
        pair
        for event, changes, originals in events_with_dates
        for pair in _dated_vevents(event, changes, originals)
    ]
    return _calendar([vevent for _, vevent in dated], days=[day for day, _ in dated], name=name)


def _calendar(vevents, *, days, name):
    """The VCALENDAR of these VEVENTs, with the VTIMEZONEs of their zones spanning `days`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for vevent in vevents:
        calendar.add_component(vevent)
    if days:
        first, last = min(days), max(days)
        # The VTIMEZONEs span the events; a series without end is covered to 2038 at least.
        calendar.add_missing_timezones(
            first_date=min(first - timedelta(days=366), Timezone.DEFAULT_FIRST_DATE),
            last_date=max(last + timedelta(days=5 * 366), Timezone.DEFAULT_LAST_DATE),
        )
    return calendar.to_ical()


def google_calendar_url(occurrence):
    """A link that opens Google Calendar's "new event" form filled with this occurrence."""
    event = occurrence.event
    if event.all_day:
        start = _when(event, occurrence.starts_at)
        end = _end_when(event, occurrence.starts_at, occurrence.ends_at)
        dates = f"{start:%Y%m%d}/{end:%Y%m%d}"
    else:
        dates = f"{occurrence.starts_at:%Y%m%dT%H%M%SZ}/{occurrence.ends_at:%Y%m%dT%H%M%SZ}"
    query = {
        "action": "TEMPLATE",
        "text": occurrence.title,
        "dates": dates,
        "ctz": event.time_zone,
        "details": event.description[:GOOGLE_DETAILS_MAX],
        "location": occurrence.location or event.online_url,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {key: value for key, value in query.items() if value}
    )


# --- Import --------------------------------------------------------------------------------


@dataclass
class ParsedOverride:
    """A RECURRENCE-ID VEVENT: one occurrence of a series moved, edited or cancelled."""

    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str
    cancelled: bool


@dataclass
class ParsedEvent:
    """One VEVENT as the import needs it: datetimes aware in UTC, `time_zone` an IANA name,
    `rrule` an RRULE value, `rdates` ISO strings in UTC (as Event stores them), `exdates`
    the cancelled occurrences' original starts."""

    uid: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    all_day: bool
    location: str
    url: str
    rrule: str
    rdates: list = field(default_factory=list)
    exdates: list = field(default_factory=list)
    overrides: list = field(default_factory=list)
    cancelled: bool = False


@dataclass
class ParsedCalendar:
    name: str
    events: list
    # One sentence per VEVENT that was skipped, naming it: the others are imported.
    errors: list


def _read_calendar(data):
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": f"The file is over {MAX_IMPORT_BYTES // (1024 * 1024)} MB: import less."}
        )
    not_a_calendar = ValidationError({"file": "This is not an iCalendar (.ics) file."})
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, TypeError, IndexError, KeyError):
        raise not_a_calendar from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise not_a_calendar
    if len(calendar.walk("VEVENT")) > MAX_IMPORT_EVENTS:
        raise ValidationError(
            {"file": f"The file has over {MAX_IMPORT_EVENTS:,} events: import fewer at once."}
        )
    return calendar


def _iana(tzid):
    """The IANA name of a TZID: itself, a Windows name mapped, or the Olson tail of a
    "globally unique" /vendor/Europe/Berlin; None when none is known. (icalendar's own
    lookup is not used: it caches a file's VTIMEZONE under the Windows name for every
    later file.)"""
    cleaned = tzid.strip("/")
    parts = cleaned.split("/")
    tails = ["/".join(parts[start:]) for start in range(1, len(parts))] if tzid[:1] == "/" else []
    for candidate in [cleaned, WINDOWS_TO_OLSON.get(cleaned), *tails]:
        if candidate in recurrence.zone_names():
            return candidate
    return None


def _zone_name(value, calendar_zone):
    """The IANA zone of a DTSTART: its TZID's, else UTC for a UTC time, else the
    calendar's."""
    tzid = value.params.get("TZID")
    if tzid and _iana(tzid):
        return _iana(tzid)
    if isinstance(value.dt, datetime) and value.dt.utcoffset() == timedelta(0) and not tzid:
        return "UTC"
    return calendar_zone


def _instant(value, tz):
    """A DATE, floating, TZID or UTC value as an aware UTC datetime: a date is its first
    instant in `tz`, a floating time is read in `tz`."""
    if not isinstance(value, datetime):
        return recurrence.local_midnight(value, tz.key)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz).astimezone(UTC)
    return value.astimezone(UTC)


def _day(value):
    """The day a RECURRENCE-ID or EXDATE names for an all-day series: its date as written."""
    return value.date() if isinstance(value, datetime) else value


def _dates(component, name):
    values = component.get(name) or []
    for item in values if isinstance(values, list) else [values]:
        for entry in item.dts:
            # A PERIOD (start, end or duration) names an occurrence by its start.
            yield entry.dt[0] if isinstance(entry.dt, tuple) else entry.dt


def _moment(value, *, tz, all_day):
    if all_day:
        return recurrence.local_midnight(_day(value), tz.key)
    return _instant(value, tz)


def _end(component, starts_at, *, tz, all_day, start_value):
    if component.get("DTEND") is not None:
        end_value = component["DTEND"].dt
    elif component.get("DURATION") is not None:
        end_value = start_value + component["DURATION"].dt
    else:
        # RFC 5545: without DTEND or DURATION, an all-day event lasts its day, else no time.
        end_value = start_value + timedelta(days=1) if all_day else start_value
    return max(_moment(end_value, tz=tz, all_day=all_day), starts_at)


def _rrule_text(component, all_day):
    rules = component.get("RRULE")
    if rules is None:
        return ""
    rule = vRecur(rules[0] if isinstance(rules, list) else rules)
    if all_day and "UNTIL" in rule and isinstance(rule["UNTIL"][0], datetime):
        # Outlook writes a UTC UNTIL on all-day series; RFC 5545 wants a DATE: the date
        # as written is the last day (what Outlook and recurring-ical-events read).
        rule["UNTIL"] = [rule["UNTIL"][0].date()]
    return rule.to_ical().decode()


def _text(component, name):
    value = component.get(name)
    return str(value).strip() if value is not None else ""


def _parse_event(component, calendar_zone):
    start = component["DTSTART"]
    all_day = not isinstance(start.dt, datetime)
    zone_name = _zone_name(start, calendar_zone)
    tz = ZoneInfo(zone_name)
    starts_at = _moment(start.dt, tz=tz, all_day=all_day)
    return ParsedEvent(
        uid=_text(component, "UID"),
        title=_text(component, "SUMMARY"),
        description=_text(component, "DESCRIPTION"),
        starts_at=starts_at,
        ends_at=_end(component, starts_at, tz=tz, all_day=all_day, start_value=start.dt),
        time_zone=zone_name,
        all_day=all_day,
        location=_text(component, "LOCATION"),
        url=_text(component, "URL"),
        rrule=_rrule_text(component, all_day),
        rdates=[
            _moment(value, tz=tz, all_day=all_day).isoformat()
            for value in _dates(component, "RDATE")
        ],
        exdates=[_moment(value, tz=tz, all_day=all_day) for value in _dates(component, "EXDATE")],
        cancelled=_text(component, "STATUS").upper() == "CANCELLED",
    )


def _parse_override(component, master):
    tz = ZoneInfo(master.time_zone)
    start = component["DTSTART"]
    all_day = not isinstance(start.dt, datetime)
    starts_at = _moment(start.dt, tz=tz, all_day=all_day)
    return ParsedOverride(
        original_start=_moment(component["RECURRENCE-ID"].dt, tz=tz, all_day=master.all_day),
        starts_at=starts_at,
        ends_at=_end(component, starts_at, tz=tz, all_day=all_day, start_value=start.dt),
        title=_text(component, "SUMMARY"),
        location=_text(component, "LOCATION"),
        cancelled=_text(component, "STATUS").upper() == "CANCELLED",
    )


def _label(number, component):
    summary = _text(component, "SUMMARY")
    return f"Event {number}" + (f" (“{summary}”)" if summary else "")


def _calendar_zone(calendar, default):
    """The zone of the file's floating and all-day times: its X-WR-TIMEZONE, else the one
    zone it defines (Outlook writes no X-WR-TIMEZONE), else `default`."""
    declared = [_text(calendar, "X-WR-TIMEZONE")] if calendar.get("X-WR-TIMEZONE") else []
    defined = [_text(zone, "TZID") for zone in calendar.walk("VTIMEZONE")]
    for tzid in declared or (defined if len(defined) == 1 else []):
        if _iana(tzid):
            return _iana(tzid)
    return default


def parse_calendar(data: bytes, *, default_time_zone="UTC"):
    """Read an .ics file into ParsedEvents, each with its overrides (by UID and
    RECURRENCE-ID). Refuses (ValidationError on `file`) a file that is not a calendar, is
    over MAX_IMPORT_BYTES or has over MAX_IMPORT_EVENTS events. A VEVENT that cannot be
    scheduled (no DTSTART) is skipped with an error naming it; the others are read.
    Floating and all-day times are read in the calendar's zone (_calendar_zone)."""
    calendar = _read_calendar(data)
    calendar_zone = _calendar_zone(calendar, default_time_zone)
    events, errors, overrides = [], [], []
    masters = {}
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        if component.get("DTSTART") is None:
            errors.append(f"{_label(number, component)} has no start (DTSTART): skipped.")
            continue
        if component.get("RECURRENCE-ID") is not None and _text(component, "UID"):
            overrides.append((number, component))
            continue
        try:
            parsed = _parse_event(component, calendar_zone)
        except (ValueError, TypeError, KeyError, AttributeError):
            errors.append(f"{_label(number, component)} cannot be read: skipped.")
            continue
        events.append(parsed)
        if parsed.uid:
            masters.setdefault(parsed.uid, parsed)
    # Overrides may come before their series in the file (Google does this).
    for number, component in overrides:
        master = masters.get(_text(component, "UID"))
        if master is None:
            errors.append(f"{_label(number, component)} changes a series not in the file: skipped.")
            continue
        try:
            master.overrides.append(_parse_override(component, master))
        except (ValueError, TypeError, KeyError, AttributeError):
            errors.append(f"{_label(number, component)} cannot be read: skipped.")
    return ParsedCalendar(name=_text(calendar, "X-WR-CALNAME"), events=events, errors=errors)
