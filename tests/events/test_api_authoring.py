"""The admins' events API (events/api/authoring.py): creating events from the simple
repeat builder or a raw RRULE, editing, cancelling and deleting them, cancelling and
changing one occurrence, "this and following", importing an .ics file; refusals by field
with nothing written; and every events operation answering as the OpenAPI schema
documents."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from community.models import AuditEntry
from events.models import Event, OccurrenceChange, Rsvp
from tests.community.test_api_schema import load_schema
from tests.factories import EventFactory, OccurrenceChangeFactory, RsvpFactory, UserFactory
from tests.helpers import api_as

from .test_api import iso

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
CASES = Path(__file__).resolve().parent / "ical_cases"
NEXT_YEAR = datetime.now(UTC).year + 1
# The first Monday of March next year: a weekly rule includes its first occurrence's day.
MONDAY = datetime(NEXT_YEAR, 3, 1) + timedelta(days=-datetime(NEXT_YEAR, 3, 1).weekday() % 7)


def created(client, **fields):
    body = {"title": "Choir", "starts_at": f"{MONDAY:%Y-%m-%d}T18:00",
            "ends_at": f"{MONDAY:%Y-%m-%d}T20:00", "time_zone": "Europe/Paris",
            "visibility": "members", **fields}  # fmt: skip
    return client.post(EVENTS, body, format="json")


# --- Events -----------------------------------------------------------------------------------


def test_an_admin_creates_a_weekly_series_from_the_simple_builder(admin):
    response = created(api_as(admin), freq="WEEKLY", weekdays=["MO", "WE"], count=4,
                       capacity=10)  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE"
    # 18:00 in Paris in early March is 17:00 UTC (winter time).
    event = Event.objects.get(slug=body["slug"])
    assert event.starts_at == MONDAY.replace(hour=17, tzinfo=UTC)
    assert event.capacity == 10 and event.created_by == admin
    assert AuditEntry.objects.filter(action="events.create").count() == 1


def test_an_admin_creates_a_series_from_a_raw_rrule(admin):
    response = created(api_as(admin), rrule="FREQ=MONTHLY;BYDAY=1MO;COUNT=3")
    assert response.status_code == 201, response.content
    assert response.json()["rrule"] == "FREQ=MONTHLY;BYDAY=1MO;COUNT=3"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": f"{MONDAY:%Y-%m-%d}T17:00"}, "ends_at"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"freq": "WEEKLY", "rrule": "FREQ=DAILY"}, "rrule"),
        ({"count": 3}, "freq"),
        ({"starts_at": f"{MONDAY:%Y-%m-%d}T18:00+01:00"}, "starts_at"),
        ({"visibility": "paid"}, "required_tier"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_events_are_refused_by_field_and_nothing_is_created(admin, fields, field):
    response = created(api_as(admin), **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Event.objects.exists()


def test_members_may_not_author(member):
    event = EventFactory()
    client = api_as(member)
    assert created(client).status_code == 403
    assert client.patch(f"{EVENTS}{event.slug}/", {"title": "X"}, format="json").status_code == 403
    assert client.post(f"{EVENTS}{event.slug}/cancel/").status_code == 403
    assert client.delete(f"{EVENTS}{event.slug}/").status_code == 403
    event.refresh_from_db()
    assert event.cancelled_at is None and event.deleted_at is None


def test_an_admin_moves_a_series_and_its_rsvps_follow(admin, member):
    event = EventFactory(weekly=True, time_zone="Europe/Paris")
    RsvpFactory(event=event, user=member)
    paris = event.starts_at.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
    response = api_as(admin).patch(
        f"{EVENTS}{event.slug}/",
        {"starts_at": (paris + timedelta(hours=1)).isoformat(),
         "ends_at": (paris + timedelta(hours=2)).isoformat(), "location": "Hall B"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["location"] == "Hall B"
    moved = event.starts_at + timedelta(hours=1)
    assert response.json()["starts_at"] == iso(moved)
    assert Rsvp.objects.get(user=member).occurrence_start == moved


def test_an_admin_cancels_then_deletes_an_event(admin, member):
    event = EventFactory()
    client = api_as(admin)
    assert client.post(f"{EVENTS}{event.slug}/cancel/").json()["cancelled"] is True
    assert api_as(member).get(EVENTS).json()["results"][0]["cancelled"] is True
    assert client.delete(f"{EVENTS}{event.slug}/").status_code == 204
    assert api_as(member).get(EVENTS).json()["results"] == []
    assert api_as(member).get(f"{EVENTS}{event.slug}/").status_code == 404


# --- Occurrences ------------------------------------------------------------------------------


def test_an_admin_cancels_and_changes_single_occurrences(admin, member):
    event = EventFactory(weekly=True)
    second, third = (event.starts_at + timedelta(weeks=n) for n in (1, 2))
    client = api_as(admin)
    cancelled = client.post(f"{EVENTS}{event.slug}/occurrences/{iso(second)}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] is True
    changed = client.patch(f"{EVENTS}{event.slug}/occurrences/{iso(third)}/",
                           {"title": "Special", "location": "Roof"}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["original_start"]) == ("Special", iso(third))
    listed = {o["original_start"]: o for o in api_as(member).get(EVENTS).json()["results"]}
    assert listed[iso(second)]["cancelled"] and listed[iso(third)]["location"] == "Roof"
    going = {"occurrence": iso(second), "status": "going"}
    refused = client.post(f"{EVENTS}{event.slug}/rsvp/", going, format="json")
    assert refused.status_code == 403
    missing = client.post(f"{EVENTS}{event.slug}/occurrences/{iso(second + timedelta(hours=1))}"
                          "/cancel/")  # fmt: skip
    assert missing.status_code == 404


def test_this_and_following_makes_a_new_series_with_the_later_rsvps(admin, member):
    event = EventFactory(weekly=True, title="Club")
    third = event.starts_at + timedelta(weeks=2)
    RsvpFactory(event=event, user=member, occurrence_start=third)
    response = api_as(admin).post(f"{EVENTS}{event.slug}/split/",
                                  {"occurrence": iso(third), "title": "New club"},
                                  format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    later = Event.objects.get(slug=response.json()["slug"])
    assert later.title == "New club" and later.split_from == event
    assert Rsvp.objects.get(user=member).event == later
    assert response.json()["starts_at"] == iso(third)
    nowhere = {"occurrence": iso(third + timedelta(hours=1)), "title": "X"}
    refused = api_as(admin).post(f"{EVENTS}{event.slug}/split/", nowhere, format="json")
    assert refused.status_code == 400 and "occurrence" in refused.json()["fields"]


# --- Import -----------------------------------------------------------------------------------


def test_an_admin_imports_an_ics_file_and_learns_which_vevent_was_skipped(admin):
    name = "icalendar__created_calendar_with_unicode_fields.ics"
    upload = SimpleUploadedFile(name, (CASES / name).read_bytes(), content_type="text/calendar")
    response = api_as(admin).post(f"{EVENTS}import/", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["created"]) == 2 and len(body["errors"]) == 1
    assert set(Event.objects.values_list("pk", flat=True)) == set(body["created"])
    assert any("Tribstrül" in e.location or "åäö" in e.title for e in Event.objects.all())


def test_a_file_that_is_not_a_calendar_is_a_400_naming_file(admin, member):
    junk = SimpleUploadedFile("x.ics", b"hello", content_type="text/calendar")
    response = api_as(admin).post(f"{EVENTS}import/", {"file": junk}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["fields"]
    upload = SimpleUploadedFile("x.ics", b"hello")
    assert api_as(member).post(f"{EVENTS}import/", {"file": upload}).status_code == 403


# --- The schema documents every events answer -----------------------------------------------


@pytest.fixture
def events_schema(client):
    return load_schema(client)


def test_every_events_operation_answers_what_the_schema_documents(events_schema, admin, member):
    """tests/community/test_api_schema.py calls community's operations; these are the ones
    tagged `events`, each called as a member or an admin (and anonymously: 401), with its
    answer checked against the served schema."""
    event = EventFactory(weekly=True, title="Club", capacity=1)
    other = EventFactory(weekly=True, title="Other")
    doomed = EventFactory(title="Doomed")
    second = iso(event.starts_at + timedelta(weeks=1))
    third = iso(event.starts_at + timedelta(weeks=2))
    first = iso(event.starts_at)
    RsvpFactory(event=event, user=UserFactory())
    OccurrenceChangeFactory(event=other)
    ics = (CASES / "rie__rdate.ics").read_bytes()
    ids = {"slug": event.slug, "original_start": first}
    calls = [
        ("member", "get", "/api/v1/events/", {}, None, 200),
        ("member", "get", "/api/v1/events/", {}, {"end": "1999-01-01"}, 400),
        ("member", "get", "/api/v1/events/{slug}/", {}, None, 200),
        ("member", "get", "/api/v1/events/{slug}/", {"slug": "nope"}, None, 404),
        ("member", "post", "/api/v1/events/{slug}/rsvp/", {},
         {"occurrence": first, "status": "going"}, 200),
        ("member", "post", "/api/v1/events/{slug}/rsvp/", {},
         {"occurrence": first, "status": "yes"}, 400),
        ("member", "get", "/api/v1/events/{slug}/occurrences/{original_start}/attendees/", {},
         None, 200),
        ("member", "get", "/api/v1/events/{slug}/occurrences/{original_start}/attendees/", {},
         {"waitlist": "true"}, 403),
        ("member", "get", "/api/v1/events/{slug}/ics/", {}, None, 200),
        ("member", "post", "/api/v1/me/calendar-feed/", {}, None, 201),
        ("member", "get", "/api/v1/me/calendar-feed/", {}, None, 200),
        ("member", "delete", "/api/v1/me/calendar-feed/", {}, None, 204),
        ("member", "post", "/api/v1/events/", {}, {"title": "X"}, 403),
        ("admin", "post", "/api/v1/events/", {},
         {"title": "New", "starts_at": f"{NEXT_YEAR}-01-05T10:00",
          "ends_at": f"{NEXT_YEAR}-01-05T11:00", "time_zone": "UTC", "visibility": "members",
          "freq": "DAILY", "count": 3}, 201),
        ("admin", "post", "/api/v1/events/", {}, {"title": "X", "capacity": 0}, 400),
        ("admin", "patch", "/api/v1/events/{slug}/", {"slug": "new"}, {"location": "Here"}, 200),
        ("admin", "patch", "/api/v1/events/{slug}/", {"slug": "new"}, {"place": "x"}, 400),
        ("admin", "post", "/api/v1/events/{slug}/occurrences/{original_start}/cancel/",
         {"slug": other.slug, "original_start": third}, None, 200),
        ("admin", "patch", "/api/v1/events/{slug}/occurrences/{original_start}/",
         {"slug": other.slug, "original_start": second}, {"title": "Moved"}, 400),
        ("admin", "patch", "/api/v1/events/{slug}/occurrences/{original_start}/",
         {"slug": other.slug, "original_start": first}, {"title": "Special"}, 200),
        ("admin", "post", "/api/v1/events/{slug}/split/", {"slug": other.slug},
         {"occurrence": iso(other.starts_at + timedelta(weeks=3)), "title": "Later"}, 201),
        ("admin", "post", "/api/v1/events/import/", {}, "upload", 200),
        ("admin", "post", "/api/v1/events/{slug}/cancel/", {"slug": doomed.slug}, None, 200),
        ("admin", "delete", "/api/v1/events/{slug}/", {"slug": doomed.slug}, None, 204),
    ]  # fmt: skip
    clients = {"member": api_as(member), "admin": api_as(admin), "anonymous": APIClient()}
    for who, method, path, params, data, expect in calls:
        url = path.format(**{**ids, **params})
        for caller, wanted in ((who, expect), ("anonymous", 401)):
            client = clients[caller]
            if data == "upload":
                body = {"file": SimpleUploadedFile("r.ics", ics, content_type="text/calendar")}
                response = client.post(url, body, format="multipart")
            elif method == "get":
                response = client.get(url, data)
            else:
                response = getattr(client, method)(url, data, format="json")
            assert response.status_code == wanted, (caller, method, url, response.content[:300])
            if path.endswith("/ics/") and wanted == 200:
                # A file, not JSON: its status and type are what the schema says.
                documented = events_schema.operations[(method, path)]["responses"]["200"]
                assert "text/calendar" in documented["content"]
                assert response["Content-Type"].startswith("text/calendar")
            else:
                events_schema.check(method, path, response)

    ours = {op for op, o in events_schema.operations.items() if "events" in o["tags"]}
    called = {(method, path) for _who, method, path, *_rest in calls}
    assert ours - called == set(), "events operations this test never calls"
    assert OccurrenceChange.objects.filter(event=other, cancelled_at__isnull=False).count() == 2
