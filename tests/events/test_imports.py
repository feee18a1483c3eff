"""An admin imports an .ics file (events/services/imports.py): every real calendar in
tests/events/ical_cases/ imports and expands to the occurrences expected_occurrences.json
lists; EXDATEs and overrides become occurrence changes; a VEVENT that cannot be an event is
named and skipped, the others kept; a file that is not a calendar, or too big, is refused."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from community.models import AuditEntry
from events import ical, recurrence
from events.models import Event, OccurrenceChange
from events.services.imports import import_calendar

pytestmark = pytest.mark.django_db

CASES = Path(__file__).resolve().parent / "ical_cases"
EXPECTED = json.loads((CASES / "expected_occurrences.json").read_text())["files"]


def upload(name, data=None):
    return SimpleUploadedFile(name, (CASES / name).read_bytes() if data is None else data)


def ics(*vevents):
    body = "\r\n".join(vevents)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "\r\nEND:VCALENDAR\r\n"
    ).encode()


def vevent(uid, summary, start="20300105T180000Z", extra=""):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{summary}", f"DTSTART:{start}",
             "DURATION:PT1H", *([extra] if extra else []), "END:VEVENT"]  # fmt: skip
    return "\r\n".join(lines)


def expected_start(text):
    """'1997-09-02T09:00:00-04:00 = 1997-09-02T13:00:00Z' -> the UTC instant; '2020-04-02'
    (all day) -> that date."""
    if "=" not in text:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.split("=")[1].strip().replace("Z", "+00:00"))


def imported_starts(event, expected):
    """The event's starts (not cancelled) over the expected span, in the same form."""
    first, last = expected[0], expected[-1]
    if isinstance(first, date) and not isinstance(first, datetime):
        zone = ZoneInfo(event.time_zone)
        start = datetime.combine(first, datetime.min.time(), zone) - timedelta(days=1)
        end = datetime.combine(last, datetime.min.time(), zone) + timedelta(days=2)
        found = recurrence.occurrences(event, start=start, end=end)
        days = [o.starts_at.astimezone(zone).date() for o in found if not o.cancelled]
        return [day for day in days if first <= day <= last]
    found = recurrence.occurrences(event, start=first, end=last + timedelta(seconds=1))
    return [o.starts_at for o in found if not o.cancelled]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_shared_calendar_imports_and_expands_to_the_expected_occurrences(admin, name):
    events, _ = import_calendar(admin, upload=upload(name))
    assert events and Event.objects.count() == len(events)
    by_uid = {event.uid: event for event in events if event.uid}
    by_title = {event.title: event for event in events}
    for series in EXPECTED[name]["series"]:
        if not series.get("dtstart"):
            continue  # no start: skipped with an error (tested below)
        event = by_uid.get(series.get("uid")) or by_title[series["summary"]]
        expected = [expected_start(text) for text in series.get("occurrences", [series["dtstart"]])]
        found = imported_starts(event, expected)
        assert found == expected, series["summary"]


def test_the_rfc_examples_keep_their_zone_and_rules_and_are_audited(admin):
    events, errors = import_calendar(admin, upload=upload("rfc5545__rrule_examples.ics"))
    assert errors == [] and len(events) == 16
    assert {event.time_zone for event in events} == {"America/New_York"}
    weekly = Event.objects.get(uid="rfc5545-3.8.5.3-example-01@example.com")
    assert weekly.rrule == "FREQ=WEEKLY;COUNT=10" and weekly.title == "Weekly for 10 occurrences"
    assert weekly.starts_at == datetime(1997, 9, 2, 13, tzinfo=UTC)
    assert weekly.created_by == admin and weekly.visibility == Event.Visibility.MEMBERS
    assert AuditEntry.objects.filter(action="events.import").count() == 16


def test_an_exdate_becomes_a_cancelled_occurrence(admin):
    (event,), _ = import_calendar(admin, upload=upload("rie__each_week_but_one_deleted.ics"))
    change = OccurrenceChange.objects.get(event=event)
    assert change.original_start == datetime(2019, 3, 10, 23, 30, tzinfo=UTC)
    assert change.cancelled_at is not None
    assert recurrence.occurrence_at(event, change.original_start).cancelled


def test_a_moved_occurrence_keeps_its_original_start_and_takes_the_new_one(admin):
    (event,), _ = import_calendar(admin, upload=upload("rie__issue_62_moved_event.ics"))
    change = OccurrenceChange.objects.get(event=event)
    assert change.original_start == datetime(2021, 12, 31, 20, 30, tzinfo=UTC)
    assert change.starts_at == datetime(2021, 12, 17, 20, 30, tzinfo=UTC)
    assert change.cancelled_at is None and change.title == ""  # the series' own title


def test_an_edited_occurrence_keeps_only_what_differs(admin):
    (event,), _ = import_calendar(admin, upload=upload("rie__three_events_one_edited.ics"))
    change = OccurrenceChange.objects.get(event=event)
    assert change.title == "test7 - edited"
    assert change.starts_at is None  # same time: not a move
    occurrence = recurrence.occurrence_at(event, change.original_start)
    assert occurrence.title == "test7 - edited" and not occurrence.cancelled


def test_a_vevent_without_a_start_is_named_and_skipped_the_others_kept(admin):
    events, errors = import_calendar(
        admin, upload=upload("icalendar__created_calendar_with_unicode_fields.ics")
    )
    assert [event.title for event in events] == ["Non-ASCII Test: ÄÖÜ äöü €", "åäö"]
    assert events[0].location == "Tribstrül"
    assert len(errors) == 1 and "Event 3" in errors[0] and "DTSTART" in errors[0]


def test_a_refused_rule_skips_its_event_only(admin):
    data = ics(
        vevent("ok@test", "Fine"),
        vevent("hourly@test", "Too often", extra="RRULE:FREQ=HOURLY;COUNT=5"),
        vevent("big@test", "Too many", extra="RRULE:FREQ=DAILY;COUNT=100000"),
    )
    events, errors = import_calendar(admin, upload=upload("mixed.ics", data))
    assert [event.title for event in events] == ["Fine"]
    assert Event.objects.count() == 1
    assert [error.split(" cannot")[0] for error in errors] == ["“Too often”", "“Too many”"]


def test_importing_the_same_file_again_duplicates_nothing(admin):
    import_calendar(admin, upload=upload("rie__issue_62_moved_event.ics"))
    events, errors = import_calendar(admin, upload=upload("rie__issue_62_moved_event.ics"))
    assert events == [] and "imported before" in errors[0]
    assert Event.objects.count() == OccurrenceChange.objects.count() == 1


@pytest.mark.parametrize(
    "data", [b"not a calendar at all", b"BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\n", b"\x89PNG\r\n"]
)
def test_a_file_that_is_not_a_calendar_is_refused_on_file(admin, data):
    with pytest.raises(ValidationError) as refused:
        import_calendar(admin, upload=upload("x.ics", data))
    assert "file" in refused.value.message_dict
    assert Event.objects.count() == 0


def test_a_file_over_the_limit_is_refused_before_it_is_read(admin):
    big = ics(vevent("a@test", "Big", extra="DESCRIPTION:" + "x" * ical.MAX_IMPORT_BYTES))
    with pytest.raises(ValidationError) as refused:
        import_calendar(admin, upload=upload("big.ics", big))
    assert "MB" in " ".join(refused.value.message_dict["file"])
    assert Event.objects.count() == 0


def test_only_admins_import(member, moderator):
    for actor in (member, moderator):
        with pytest.raises(PermissionDenied):
            import_calendar(actor, upload=upload("rie__rdate.ics"))
    assert Event.objects.count() == 0
