"""The members' events API (events/api/members.py): the occurrence list in a window
(expanded only within it, at a fixed number of queries), what each member may see, RSVPs
with the waitlist, attendees, the .ics file read back, and the calendar feed's token."""

from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
from django.utils import timezone
from icalendar import Calendar

from events.models import CalendarFeed, Rsvp
from tests.factories import (
    EventFactory,
    OccurrenceChangeFactory,
    RsvpFactory,
)
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def iso(moment):
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def listed(client, **query):
    response = client.get(EVENTS, query)
    assert response.status_code == 200, response.content
    return response.json()


def all_pages(client, **query):
    items, cursor = [], None
    while True:
        page = listed(client, **query, **({"cursor": cursor} if cursor else {}))
        items += page["results"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def in_days(days):
    return timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days)


# --- The list: occurrences in a window --------------------------------------------------------


def test_a_daily_series_lists_only_its_occurrences_within_the_window(member):
    start = in_days(1)
    EventFactory(title="Standup", starts_at=start, ends_at=start + timedelta(minutes=15),
                 rrule="FREQ=DAILY")  # fmt: skip
    window = {"start": start.date().isoformat(), "end": (start + timedelta(days=10)).date()}
    items = all_pages(api_as(member), **window, size=3)
    assert [item["starts_at"] for item in items] == [
        iso(start + timedelta(days=n)) for n in range(10)
    ]
    assert {item["title"] for item in items} == {"Standup"}
    assert items[0]["original_start"] == items[0]["starts_at"]


def test_occurrences_of_several_events_are_in_order_of_start_across_pages(member):
    weekly = EventFactory(title="Weekly", starts_at=in_days(2), ends_at=in_days(2) + timedelta(
        hours=1), rrule="FREQ=WEEKLY")  # fmt: skip
    once = EventFactory(title="Once", starts_at=in_days(9) - timedelta(hours=1),
                        ends_at=in_days(9))  # fmt: skip
    items = all_pages(api_as(member), end=iso(in_days(20)), size=1)
    assert [(item["slug"], item["starts_at"]) for item in items] == [
        (weekly.slug, iso(in_days(2))),
        (once.slug, iso(in_days(9) - timedelta(hours=1))),
        (weekly.slug, iso(in_days(9))),
        (weekly.slug, iso(in_days(16))),
    ]


def test_upcoming_and_past(member):
    EventFactory(title="Soon")
    EventFactory(title="Gone", past=True)
    client = api_as(member)
    assert [i["title"] for i in listed(client, when="upcoming")["results"]] == ["Soon"]
    assert [i["title"] for i in listed(client, when="past")["results"]] == ["Gone"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-01-01", "end": "2027-06-01"}, "end"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
        ({"start": "next tuesday"}, "start"),
        ({"start": "9999-12-31"}, "start"),
        ({"when": "soon"}, "when"),
        ({"when": "past", "start": "2026-01-01"}, "when"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
def test_a_bad_window_is_a_400_naming_the_parameter(member, query, field):
    response = api_as(member).get(EVENTS, query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_year_of_occurrences_costs_the_same_queries_for_n_and_2n_events(member):
    """The queries: the events that may occur in the window (with their tier), the member's
    tiers, the occurrence changes of those events, the member's RSVPs and the seats taken,
    whatever the number of events and occurrences."""
    start = in_days(1)

    def build(count):
        for _ in range(count):
            event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=1),
                                 rrule="FREQ=DAILY", capacity=5)  # fmt: skip
            RsvpFactory(event=event, user=member)

    build(3)
    client = api_as(member)
    window = {"start": start.isoformat(), "end": (start + timedelta(days=365)).isoformat()}
    before, after = assert_constant_queries(
        lambda: client.get(EVENTS, window),
        grow=lambda: build(3),
        bound=5,
        warm_up=True,
    )
    assert len(before.json()["results"]) == 20
    first = after.json()["results"][0]
    assert first["my_rsvp"] == "going" and first["seats_left"] == 4


@pytest.fixture
def listed_pro(pro):
    pro.listed = True
    pro.save(update_fields=["listed"])
    return pro


def test_visibility_paid_locked_deleted_gone_cancelled_marked(member, listed_pro):
    EventFactory(title="Paid", paid=True, online_url="https://meet.example/x",
                 required_tier=listed_pro)  # fmt: skip
    EventFactory(title="Deleted", deleted=True)
    EventFactory(title="Cancelled", cancelled=True)
    items = {item["title"]: item for item in listed(api_as(member))["results"]}
    assert set(items) == {"Paid", "Cancelled"}
    assert items["Paid"]["is_locked"] and items["Paid"]["online_url"] is None
    assert items["Cancelled"]["cancelled"]


def test_admins_see_paid_events_unlocked_with_their_link(admin, pro):
    EventFactory(title="Paid", paid=True, online_url="https://meet.example/x", required_tier=pro)
    (item,) = listed(api_as(admin))["results"]
    assert not item["is_locked"] and item["online_url"] == "https://meet.example/x"


def test_anonymous_callers_are_refused(member):
    assert api_as(None).get(EVENTS).status_code == 401


# --- An event and its RSVPs -------------------------------------------------------------------


def rsvp(client, event, occurrence, status="going"):
    body = {"occurrence": iso(occurrence), "status": status}
    return client.post(f"{EVENTS}{event.slug}/rsvp/", body, format="json")


def test_the_detail_lists_the_next_occurrences_with_a_cancelled_one_marked(member):
    event = EventFactory(weekly=True, title="Club")
    OccurrenceChangeFactory(event=event)
    body = api_as(member).get(f"{EVENTS}{event.slug}/").json()
    assert body["rrule"] == "FREQ=WEEKLY" and body["title"] == "Club"
    starts = [o["original_start"] for o in body["occurrences"]]
    assert starts[:3] == [iso(event.starts_at + timedelta(weeks=n)) for n in range(3)]
    assert [o["cancelled"] for o in body["occurrences"][:3]] == [False, True, False]


def test_going_then_waitlisted_then_promoted_when_a_seat_is_freed(member, other_member):
    event = EventFactory(capacity=1)
    first, second = api_as(member), api_as(other_member)
    seated = rsvp(first, event, event.starts_at)
    assert seated.status_code == 200
    assert seated.json() | {} == {
        "event_id": event.pk,
        "occurrence": iso(event.starts_at),
        "status": "going",
        "waitlist_position": None,
        "seats_left": 0,
    }
    waiting = rsvp(second, event, event.starts_at).json()
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)

    assert rsvp(first, event, event.starts_at, "not_going").json()["status"] == "not_going"
    row = Rsvp.objects.get(event=event, user=other_member)
    assert row.status == Rsvp.Status.GOING
    item = listed(second)["results"][0]
    assert item["my_rsvp"] == "going" and item["seats_left"] == 0


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: EventFactory(past=True), 403),
        (lambda: EventFactory(cancelled=True), 403),
        (lambda: EventFactory(paid=True), 404),  # an unlisted tier: not even previewed
        (lambda: EventFactory(deleted=True), 404),
    ],
)
def test_rsvps_to_a_past_cancelled_or_invisible_event_are_refused(member, make, code):
    event = make()
    response = rsvp(api_as(member), event, event.starts_at)
    assert response.status_code == code, response.content
    assert not Rsvp.objects.exists()


def test_rsvp_refusals_name_what_is_wrong(member, listed_pro):
    event = EventFactory(weekly=True)
    client = api_as(member)
    no_such = rsvp(client, event, event.starts_at + timedelta(hours=1))
    assert no_such.status_code == 404
    url = f"{EVENTS}{event.slug}/rsvp/"
    unknown = client.post(url, {"occurrence": iso(event.starts_at), "stauts": "going"},
                          format="json")  # fmt: skip
    assert unknown.status_code == 400 and "Did you mean" in unknown.json()["fields"]["stauts"][0]
    bad = client.post(url, {"occurrence": "2026-12-11T18:00:00", "status": "yes"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"occurrence", "status"}
    paid = EventFactory(paid=True, required_tier=listed_pro)
    locked = rsvp(client, paid, paid.starts_at)
    assert locked.status_code == 403 and "Pro" in locked.json()["detail"]


def test_attendees_are_the_members_going_and_the_waitlist_is_for_admins(member, admin):
    event = EventFactory(capacity=2)
    going = [RsvpFactory(event=event).user for _ in range(2)]
    waiting = RsvpFactory(event=event, waitlisted=True).user
    url = f"{EVENTS}{event.slug}/occurrences/{iso(event.starts_at)}/attendees/"
    client = api_as(member)
    first = client.get(url, {"size": 1}).json()
    rest = client.get(url, {"size": 1, "cursor": first["next_cursor"]}).json()
    handles = [row["member"]["handle"] for row in first["results"] + rest["results"]]
    assert handles == [user.handle for user in going]
    assert client.get(url, {"waitlist": "true"}).status_code == 403
    admin_view = api_as(admin).get(url, {"waitlist": "true"}).json()
    assert [row["member"]["handle"] for row in admin_view["results"]] == [waiting.handle]
    missing = (
        f"{EVENTS}{event.slug}/occurrences/{iso(event.starts_at + timedelta(days=1))}/attendees/"
    )
    assert client.get(missing).status_code == 404
    assert client.get(f"{EVENTS}{event.slug}/occurrences/soon/attendees/").status_code == 400


# --- The .ics file and the feed -------------------------------------------------------------


def test_the_ics_of_a_weekly_series_with_an_exception_reads_back(member):
    # Mondays at 18:00 in Paris, which leaves summer time on 25 October; the third is off.
    event = EventFactory(title="Choir", starts_at=datetime(2026, 10, 19, 16, tzinfo=UTC),
                         ends_at=datetime(2026, 10, 19, 18, tzinfo=UTC),
                         time_zone="Europe/Paris", rrule="FREQ=WEEKLY;COUNT=4")  # fmt: skip
    OccurrenceChangeFactory(event=event, original_start=datetime(2026, 11, 2, 17, tzinfo=UTC))
    response = api_as(member).get(f"{EVENTS}{event.slug}/ics/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    found = recurring_ical_events.of(calendar).between(datetime(2026, 10, 1), datetime(2027, 1, 1))
    assert [e["DTSTART"].dt.astimezone(UTC) for e in found] == [
        datetime(2026, 10, 19, 16, tzinfo=UTC),  # 18:00 in summer time
        datetime(2026, 10, 26, 17, tzinfo=UTC),  # 18:00 in winter time
        datetime(2026, 11, 9, 17, tzinfo=UTC),
    ]


def test_the_feed_token_is_made_rotated_and_revoked(client, member):
    RsvpFactory(user=member, event=EventFactory(title="Choir"))
    api, url = api_as(member), "/api/v1/me/calendar-feed/"
    assert api.get(url).status_code == 404
    made = api.post(url)
    assert made.status_code == 201
    token, feed_url = made.json()["token"], made.json()["feed_url"]
    assert feed_url == f"http://testserver/events/feed/{token}.ics"
    assert api.get(url).json()["token"] == token
    assert b"SUMMARY:Choir" in client.get(feed_url).content  # no session: the token opens it
    rotated = api.post(url)
    assert rotated.status_code == 200 and rotated.json()["token"] != token
    assert client.get(feed_url).status_code == 404
    assert CalendarFeed.objects.get(user=member).token == rotated.json()["token"]
    assert api.delete(url).status_code == 204
    assert not CalendarFeed.objects.filter(user=member).exists()
    assert api.get(url).status_code == 404
