"""The iCalendar import and export against real calendars (tests/events/ical_cases): every
file reads, each series expands to the occurrences the corpus expects, and the export of
those events reads back, through recurring-ical-events, to the same occurrences."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar, vRecur

from events import ical, recurrence
from events.models import OccurrenceChange
from tests.factories import EventFactory, OccurrenceChangeFactory

CASES = Path(__file__).resolve().parent / "ical_cases"
EXPECTED = json.loads((CASES / "expected_occurrences.json").read_text())["files"]


def _read(name):
    return (CASES / name).read_bytes()


def _imported(parsed_event, number=1):
    """The Event and OccurrenceChange rows an import makes of one parsed VEVENT."""
    event = EventFactory(
        title=parsed_event.title or "Untitled",
        slug=f"imported-{number}",
        description=parsed_event.description,
        starts_at=parsed_event.starts_at,
        ends_at=parsed_event.ends_at,
        time_zone=parsed_event.time_zone,
        all_day=parsed_event.all_day,
        location=parsed_event.location,
        rrule=parsed_event.rrule,
        rdates=parsed_event.rdates,
        uid=parsed_event.uid,
        cancelled_at=timezone.now() if parsed_event.cancelled else None,
    )
    for original in parsed_event.exdates:
        OccurrenceChange.objects.create(
            event=event, original_start=original, cancelled_at=timezone.now()
        )
    for override in parsed_event.overrides:
        OccurrenceChange.objects.create(
            event=event,
            original_start=override.original_start,
            starts_at=override.starts_at,
            ends_at=override.ends_at,
            title="" if override.title == event.title else override.title,
            location="" if override.location == event.location else override.location,
            cancelled_at=timezone.now() if override.cancelled else None,
        )
    return event


def _expected(value):
    """A corpus occurrence: a date (all-day) or the UTC instant after its " = "."""
    if " = " in value:
        return datetime.fromisoformat(value.split(" = ")[1].replace("Z", "+00:00"))
    return date.fromisoformat(value)


def _when(event, moment):
    return moment.astimezone(ZoneInfo(event.time_zone)).date() if event.all_day else moment


def _window(event, series):
    """From the first occurrence to the last listed: for a series that ends, far past it,
    so that an extra occurrence would show."""
    last = _expected(series["occurrences"][-1])
    if isinstance(last, date) and not isinstance(last, datetime):
        last = recurrence.local_midnight(last, event.time_zone)
    tail = timedelta(seconds=1) if series.get("infinite") else timedelta(days=400)
    return event.starts_at - timedelta(days=1), last + tail


SERIES = [
    pytest.param(name, series, id=f"{name}:{series['summary'][:40]}")
    for name, case in EXPECTED.items()
    for series in case["series"]
    if series.get("occurrences")
]


def test_every_file_reads_with_its_events_and_skips_only_the_one_without_a_start():
    assert {path.name for path in CASES.glob("*.ics")} == set(EXPECTED)
    for name, case in EXPECTED.items():
        parsed = ical.parse_calendar(_read(name))
        overrides = sum(len(event.overrides) for event in parsed.events)
        skipped = len(parsed.errors)
        assert len(parsed.events) + overrides + skipped == case["vevents"], name
        assert [event.uid for event in parsed.events] == [
            series["uid"] for series in case["series"] if "dtstart" in series
        ], name
    unicode = ical.parse_calendar(_read("icalendar__created_calendar_with_unicode_fields.ics"))
    assert unicode.errors == ["Event 3 has no start (DTSTART): skipped."]
    assert [event.title for event in unicode.events] == ["Non-ASCII Test: ÄÖÜ äöü €", "åäö"]
    assert unicode.events[0].location == "Tribstrül"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "series"), SERIES)
def test_each_series_expands_and_exports_to_the_expected_occurrences(name, series):
    event = _find_imported(name, series)
    start, end = _window(event, series)
    expected = [_expected(value) for value in series["occurrences"]]

    listed = recurrence.occurrences(event, start=start, end=end)
    assert [_when(event, o.starts_at) for o in listed if not o.cancelled] == expected

    exported = Calendar.from_ical(ical.calendar_for([(event, list(event.changes.all()))], name="x"))
    assert _read_back(exported, event, start=start, end=end) == sorted(expected)


def _read_back(exported, event, *, start, end):
    """The starts recurring-ical-events expands from an exported calendar in the window:
    instants, or dates for an all-day event (its window then in whole local days)."""
    if event.all_day:
        start, end = _when(event, start), _when(event, end - timedelta(seconds=1)) + timedelta(1)
    read_back = recurring_ical_events.of(exported).between(start, end)
    return sorted(_when(event, _aware(component["DTSTART"].dt, event)) for component in read_back)


def _aware(value, event):
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return recurrence.local_midnight(value, event.time_zone)


def _find_imported(name, series):
    parsed = ical.parse_calendar(_read(name))
    matching = [
        (number, parsed_event)
        for number, parsed_event in enumerate(parsed.events)
        if parsed_event.uid == series["uid"] and parsed_event.title == series["summary"]
    ]
    assert len(matching) == 1
    number, parsed_event = matching[0]
    return _imported(parsed_event, number)


def _export(*events):
    return Calendar.from_ical(
        ical.calendar_for([(event, list(event.changes.all())) for event in events], name="Agora")
    )


def _paris(*args):
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.mark.django_db
def test_a_weekly_series_with_a_cancelled_occurrence_exports_an_exdate_and_reads_back_without_it():
    event = EventFactory(
        starts_at=_paris(2026, 3, 2, 18), ends_at=_paris(2026, 3, 2, 19), time_zone="Europe/Paris"
    )
    event.rrule = "FREQ=WEEKLY;COUNT=4"
    event.save()
    OccurrenceChangeFactory(event=event, original_start=_paris(2026, 3, 9, 18))

    exported = _export(event)
    (vevent,) = exported.walk("VEVENT")
    assert [d.dt for d in vevent["EXDATE"].dts] == [_paris(2026, 3, 9, 18)]
    starts = _read_back(exported, event, start=event.starts_at, end=_paris(2026, 4, 1))
    assert starts == [_paris(2026, 3, day, 18) for day in (2, 16, 23)]


@pytest.mark.django_db
def test_a_moved_occurrence_reads_back_moved_under_the_series_uid(settings):
    settings.AGORA_BASE_URL = "https://agora.example.org"
    event = EventFactory(
        starts_at=_paris(2026, 3, 2, 18),
        ends_at=_paris(2026, 3, 2, 19),
        time_zone="Europe/Paris",
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    OccurrenceChangeFactory(
        event=event,
        original_start=_paris(2026, 3, 9, 18),
        cancelled_at=None,
        starts_at=_paris(2026, 3, 10, 20),
        ends_at=_paris(2026, 3, 10, 22),
        title="Moved to Tuesday",
    )

    exported = _export(event)
    master, override = exported.walk("VEVENT")
    assert override["UID"] == master["UID"] == f"event-{event.pk}@agora.example.org"
    assert override["RECURRENCE-ID"].dt == _paris(2026, 3, 9, 18)
    read_back = recurring_ical_events.of(exported).between(event.starts_at, _paris(2026, 4, 1))
    assert [(c["DTSTART"].dt, c["DTEND"].dt, str(c["SUMMARY"])) for c in read_back] == [
        (_paris(2026, 3, 2, 18), _paris(2026, 3, 2, 19), event.title),
        (_paris(2026, 3, 10, 20), _paris(2026, 3, 10, 22), "Moved to Tuesday"),
        (_paris(2026, 3, 16, 18), _paris(2026, 3, 16, 19), event.title),
    ]


@pytest.mark.django_db
def test_a_weekly_event_across_daylight_saving_keeps_its_wall_clock_time_in_the_export():
    event = EventFactory(
        starts_at=_paris(2026, 3, 19, 18),
        ends_at=_paris(2026, 3, 19, 19),
        time_zone="Europe/Paris",
        rrule="FREQ=WEEKLY",
    )
    exported = _export(event)
    assert [zone.tz_name for zone in exported.timezones] == ["Europe/Paris"]
    assert exported.walk("VEVENT")[0]["DTSTART"].params["TZID"] == "Europe/Paris"
    read_back = recurring_ical_events.of(exported).between(event.starts_at, _paris(2026, 4, 3))
    starts = [c["DTSTART"].dt for c in read_back]
    assert [s.astimezone(ZoneInfo("Europe/Paris")).hour for s in starts] == [18, 18, 18]
    assert [s.astimezone(UTC).hour for s in starts] == [17, 17, 16]


@pytest.mark.django_db
def test_the_export_keeps_rules_text_and_all_day_dates_as_the_file_had_them():
    parsed = ical.parse_calendar(_read("rie__issue_28_rrule_with_UTC_endinginZ.ics"))
    bins = _imported(parsed.events[0])
    (unicode,) = ical.parse_calendar(
        _read("icalendar__created_calendar_with_unicode_fields.ics")
    ).events[:1]
    text = _imported(unicode, 2)
    endless = _imported(
        ical.parse_calendar(_read("rie__issue_48_daylight_aware_repeats.ics")).events[0], 3
    )

    exported = _export(bins, text, endless)
    by_uid = {}
    for vevent in exported.walk("VEVENT"):
        by_uid.setdefault(str(vevent["UID"]), []).append(vevent)
    master = by_uid[bins.uid][0]
    assert master["DTSTART"].dt == date(2020, 4, 2) and master["DTEND"].dt == date(2020, 4, 3)
    assert master["RRULE"] == vRecur.from_ical(
        "FREQ=WEEKLY;UNTIL=20200916;INTERVAL=2;BYDAY=TH;WKST=MO"
    )
    assert [v["RECURRENCE-ID"].dt for v in by_uid[bins.uid][1:]] == [
        date(2020, 4, 16),
        date(2020, 5, 28),
        date(2020, 9, 3),
    ]
    (summary,) = by_uid["123456"]
    assert (str(summary["SUMMARY"]), str(summary["LOCATION"])) == (
        "Non-ASCII Test: ÄÖÜ äöü €",
        "Tribstrül",
    )
    assert (
        "UNTIL" not in by_uid["EVENT2"][0]["RRULE"] and "COUNT" not in by_uid["EVENT2"][0]["RRULE"]
    )
    assert by_uid["EVENT2"][0]["DESCRIPTION"].startswith(
        '<p><a href="https://videoconf-colibri.zoom.us/j/93800310242?pwd=K3FBUVJU'
    )


@pytest.mark.django_db
def test_a_cancelled_event_is_exported_as_cancelled():
    event = EventFactory(cancelled=True, online_url="https://meet.example.com/abc")
    (vevent,) = _export(event).walk("VEVENT")
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["LOCATION"] == vevent["URL"] == "https://meet.example.com/abc"


def test_the_export_is_crlf_and_folded_by_the_library():
    event = EventFactory.build(pk=7, title="x" * 200, updated_at=timezone.now())
    data = ical.calendar_for([(event, [])], name="Agora")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75


def test_a_windows_zone_name_is_read_as_its_iana_zone():
    data = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Microsoft Corporation//Outlook 16.0//EN\r
BEGIN:VEVENT\r
UID:w1\r
SUMMARY:Standup\r
DTSTART;TZID=GMT Standard Time:20260706T093000\r
DTEND;TZID=GMT Standard Time:20260706T094500\r
RRULE:FREQ=WEEKLY;BYDAY=MO\r
END:VEVENT\r
END:VCALENDAR\r
"""
    (event,) = ical.parse_calendar(data).events
    assert event.time_zone == "Europe/London"
    assert event.starts_at == datetime(2026, 7, 6, 8, 30, tzinfo=UTC)
    assert event.ends_at - event.starts_at == timedelta(minutes=15)


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, not a calendar", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n"],
)
def test_a_file_that_is_not_a_calendar_is_refused(data):
    with pytest.raises(ValidationError) as refused:
        ical.parse_calendar(data)
    assert refused.value.message_dict == {"file": ["This is not an iCalendar (.ics) file."]}


def test_a_file_over_the_size_limit_is_refused():
    data = _read("rie__rdate.ics") + b" " * ical.MAX_IMPORT_BYTES
    with pytest.raises(ValidationError) as refused:
        ical.parse_calendar(data)
    assert "5 MB" in refused.value.message_dict["file"][0]


def test_a_file_with_too_many_events_is_refused():
    vevent = "BEGIN:VEVENT\r\nUID:{n}\r\nSUMMARY:e\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n"
    body = "".join(vevent.format(n=n) for n in range(ical.MAX_IMPORT_EVENTS + 1))
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()
    with pytest.raises(ValidationError) as refused:
        ical.parse_calendar(data)
    assert "2,000 events" in refused.value.message_dict["file"][0]


def test_the_google_calendar_link_carries_the_occurrence():
    event = EventFactory.build(
        title="Book club",
        description="We read *Dune*.",
        starts_at=_paris(2026, 3, 2, 18),
        ends_at=_paris(2026, 3, 2, 19),
        time_zone="Europe/Paris",
        location="Library",
    )
    (occurrence,) = recurrence.occurrences(
        event, start=event.starts_at, end=event.ends_at, changes=[]
    )
    query = parse_qs(urlsplit(ical.google_calendar_url(occurrence)).query)
    assert query == {
        "action": ["TEMPLATE"],
        "text": ["Book club"],
        "dates": ["20260302T170000Z/20260302T180000Z"],
        "ctz": ["Europe/Paris"],
        "details": ["We read *Dune*."],
        "location": ["Library"],
    }

    event.all_day = True
    event.starts_at, event.ends_at = _paris(2026, 3, 2), _paris(2026, 3, 3)
    (occurrence,) = recurrence.occurrences(
        event, start=event.starts_at, end=event.ends_at, changes=[]
    )
    assert parse_qs(urlsplit(ical.google_calendar_url(occurrence)).query)["dates"] == [
        "20260302/20260303"
    ]
