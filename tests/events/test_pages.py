"""The members' events pages (events/views/): who sees what (visitor, member, admin, a paid
event without the tier), times in the member's zone across daylight saving, the month view
and the list at a fixed number of queries, RSVPs plain and with htmx (the waitlist, the
refusals), the private calendar feed, the .ics, and titles and descriptions escaped."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Rsvp
from events.views.common import occurrence_key
from tests.factories import (
    AccessGrantFactory,
    CalendarFeedFactory,
    EventFactory,
    OccurrenceChangeFactory,
    RsvpFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def event_url(event, start=None):
    if start is None:
        return reverse("events:event", args=[event.slug])
    return reverse("events:occurrence", args=[event.slug, occurrence_key(start)])


def rsvp_url(event, start=None):
    return reverse("events:rsvp", args=[event.slug, occurrence_key(start or event.starts_at)])


@pytest.fixture
def paid_event(pro):
    """A Pro event; Pro is listed, so members without it see the event locked."""
    pro.listed = True
    pro.save()
    return EventFactory(title="Masterclass", paid=True, required_tier=pro,
                        location="Room 12", online_url="https://meet.example/secret")  # fmt: skip


# --- Who sees what ---------------------------------------------------------------------------


def test_a_visitor_sees_public_events_and_not_members_ones(db):
    EventFactory(title="Open day", public=True)
    members_only = EventFactory(title="Members meetup")
    page = client_for().get(reverse("events:list")).content.decode()
    assert "Open day" in page
    assert "Members meetup" not in page
    assert client_for().get(event_url(members_only)).status_code == 404


def test_a_visitor_on_a_public_event_is_asked_to_sign_in_to_rsvp(db):
    event = EventFactory(title="Open day", public=True)
    page = client_for().get(event_url(event)).content.decode()
    assert "Open day" in page
    assert "Sign in to RSVP" in page
    response = client_for().post(rsvp_url(event), {"status": "going"})
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    assert not Rsvp.objects.exists()


def test_a_member_sees_members_events_with_the_rsvp_buttons(member):
    event = EventFactory(title="Members meetup", location="The pub", capacity=10)
    assert "Members meetup" in client_for(member).get(reverse("events:list")).content.decode()
    page = client_for(member).get(event_url(event)).content.decode()
    assert "The pub" in page
    assert "10</strong> seats left of 10" in page
    for label in ("Going", "Maybe", "Not going"):
        assert f">{label}</button>" in page
    assert "calendar.google.com/calendar/render" in page
    assert reverse("events:ics", args=[event.slug]) in page


def test_an_admin_sees_every_event_and_a_link_to_edit_it(admin, paid_event):
    page = client_for(admin).get(event_url(paid_event)).content.decode()
    assert "Locked" not in page
    assert "https://meet.example/secret" in page
    assert reverse("events:manage_edit_event", args=[paid_event.pk]) in page


def test_a_paid_event_shows_a_member_without_the_tier_what_it_is_and_the_plans(member, paid_event):
    client = client_for(member)
    listed = client.get(reverse("events:list")).content.decode()
    assert "Masterclass" in listed and "🔒 Pro" in listed
    page = client.get(event_url(paid_event)).content.decode()
    assert "This event is for Pro members" in page
    assert reverse("payments:pricing") in page
    # Where it happens and who goes are for those who hold the tier.
    assert "meet.example" not in page and "Room 12" not in page
    assert client.get(reverse("events:ics", args=[paid_event.slug])).status_code == 404
    response = client.post(rsvp_url(paid_event), {"status": "going"}, follow=True)
    assert "RSVPs to this event are for Pro members." in response.content.decode()
    assert not Rsvp.objects.exists()


def test_the_tier_opens_the_paid_event(member, paid_event, pro):
    AccessGrantFactory(user=member, tier=pro)
    page = client_for(member).get(event_url(paid_event)).content.decode()
    assert "https://meet.example/secret" in page
    assert ">Going</button>" in page


def test_deleted_and_unknown_events_and_occurrences_are_404(member):
    deleted = EventFactory(deleted_at=timezone.now())
    weekly = EventFactory(weekly=True)
    client = client_for(member)
    assert client.get(event_url(deleted)).status_code == 404
    assert client.get(reverse("events:event", args=["nope"])).status_code == 404
    not_an_occurrence = weekly.starts_at + timedelta(days=3)
    assert client.get(event_url(weekly, not_an_occurrence)).status_code == 404
    assert client.get(event_url(weekly, weekly.starts_at + timedelta(days=7))).status_code == 200
    assert client.get(f"/events/{weekly.slug}/20271399T000000Z/").status_code == 404


# --- Times in the member's zone --------------------------------------------------------------


def test_a_weekly_paris_event_shows_in_new_york_time_across_both_dst_changes(member):
    """Europe leaves summer time on 31 October 2027, the United States on 7 November: for
    that week 18:00 in Paris is 13:00 in New York, else 12:00."""
    member.time_zone = "America/New_York"
    member.save()
    first = datetime(2027, 10, 20, 16, 0, tzinfo=UTC)  # 18:00 in Paris (summer time)
    event = EventFactory(title="Choir", starts_at=first, ends_at=first + timedelta(hours=2),
                         time_zone="Europe/Paris", rrule="FREQ=WEEKLY")  # fmt: skip
    client = client_for(member)
    expected = {
        datetime(2027, 10, 27, 16, 0, tzinfo=UTC): "12:00",
        datetime(2027, 11, 3, 17, 0, tzinfo=UTC): "13:00",
        datetime(2027, 11, 10, 17, 0, tzinfo=UTC): "12:00",
    }
    for start, new_york in expected.items():
        page = client.get(event_url(event, start)).content.decode()
        assert f", {new_york}</time>" in page
        assert "18:00 \N{EN DASH} 20:00 in Europe/Paris, the event's time zone" in page


# --- The month view and the list -------------------------------------------------------------


def month_url(year, month):
    return reverse("events:calendar_month", args=[year, month])


def test_a_daily_series_shows_on_every_day_of_the_month_and_cancelled_dates_marked(member):
    start = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    daily = EventFactory(title="Standup", starts_at=start, ends_at=start + timedelta(minutes=15),
                         rrule="FREQ=DAILY;COUNT=365")  # fmt: skip
    OccurrenceChangeFactory(event=daily, original_start=start + timedelta(days=9))
    page = client_for(member).get(month_url(2027, 3)).content.decode()
    for day in range(1, 32):
        key = occurrence_key(start + timedelta(days=day - 1))
        assert f"/events/standup/{key}/" in page
    assert page.count("month-chip--cancelled") == 2  # in the grid and in the agenda
    # The grid starts on Monday: 1 March 2027 is one, so its first cell is the 1st.
    assert page.index(">Mon</th>") < page.index(">Sun</th>")
    first_cell = page.split("<tbody>")[1].split("</td>")[0]
    assert '<span class="month-day__number">1</span>' in first_cell


def test_the_month_view_links_the_months_around_it(member):
    page = client_for(member).get(month_url(2027, 1)).content.decode()
    assert month_url(2026, 12) in page and month_url(2027, 2) in page
    assert client_for(member).get(month_url(2027, 13)).status_code == 404


def _event_at(day, hour, **kwargs):
    return EventFactory(starts_at=day + timedelta(hours=hour),
                        ends_at=day + timedelta(hours=hour + 1), **kwargs)  # fmt: skip


def _build_events(n, *, month_start):
    """Per day from `month_start`: a one-off event, a weekly one, and a weekly one with its
    second occurrence cancelled."""
    for i in range(n):
        day = month_start + timedelta(days=i)
        _event_at(day, 18)
        _event_at(day, 8, weekly=True)
        changed = _event_at(day, 20, weekly=True)
        OccurrenceChangeFactory(event=changed, original_start=changed.starts_at + timedelta(days=7))


def test_the_month_view_costs_the_same_queries_for_n_and_2n_events(member):
    """The session and its member (2), the member's tiers (1), the events of the grid's
    weeks (1), their occurrence changes (1), the member's RSVPs to what is shown (1) and
    the sidebar's spaces (1), the header's score (1): a series is expanded in Python, for
    the visible weeks only."""
    march = datetime(2027, 3, 1, tzinfo=UTC)
    _build_events(3, month_start=march)
    client = client_for(member)
    assert_constant_queries(lambda: client.get(month_url(2027, 3)),
                            grow=lambda: _build_events(3, month_start=march + timedelta(days=3)),
                            bound=8)  # fmt: skip


def test_a_daily_series_for_a_year_costs_the_month_view_no_more_queries(member):
    march = datetime(2027, 3, 1, tzinfo=UTC)
    _build_events(2, month_start=march)

    def add_a_daily_series():
        EventFactory(starts_at=march, ends_at=march + timedelta(hours=1),
                     rrule="FREQ=DAILY;UNTIL=20280301T000000Z")  # fmt: skip

    # The same eight queries as above, whatever the series' length.
    client = client_for(member)
    before, after = assert_constant_queries(
        lambda: client.get(month_url(2027, 3)), grow=add_a_daily_series, bound=8
    )
    assert (
        after.content.decode().count("month-chip")
        > before.content.decode().count("month-chip") + 31
    )


def test_the_upcoming_list_costs_the_same_queries_for_n_and_2n_events(member):
    """The session and its member (2), the member's tiers (1), the events of the next 60
    days (1), their occurrence changes (1), the member's RSVPs (1), the sidebar's spaces
    (1) and the header's score (1); the rows come from the card cache, or are rendered
    without a query."""
    soon = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    _build_events(3, month_start=soon)
    RsvpFactory(user=member, event=EventFactory(starts_at=soon + timedelta(hours=10),
                                                ends_at=soon + timedelta(hours=11)))  # fmt: skip
    client = client_for(member)
    assert_constant_queries(lambda: client.get(reverse("events:list")),
                            grow=lambda: _build_events(3, month_start=soon + timedelta(days=5)),
                            bound=8)  # fmt: skip


def test_a_busy_window_is_paged_by_more_links_that_list_every_occurrence_once(member):
    soon = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    daily = "FREQ=DAILY;COUNT=45"
    EventFactory(title="Standup", starts_at=soon + timedelta(hours=9),
                 ends_at=soon + timedelta(hours=9, minutes=15), rrule=daily)  # fmt: skip
    past_start = soon - timedelta(days=50)
    EventFactory(title="Old standup", starts_at=past_start,
                 ends_at=past_start + timedelta(hours=1), rrule=daily)  # fmt: skip
    client = client_for(member)
    for list_url, title, expected in (
        (reverse("events:list"), "Standup", 45),
        (reverse("events:past"), "Old standup", 45),
    ):
        shown, url, pages = [], list_url, 0
        while url:
            response = client.get(url)
            assert response.status_code == 200
            html = response.content.decode()
            pages += 1
            link = rf'href="/events/[\w-]+/(\d{{8}}T\d{{6}}Z)/"[^>]*>\s*{title}<'
            shown += re.findall(link, html)
            more = re.search(r'href="([^"]+)">More events in these days<', html)
            url = more.group(1).replace("&amp;", "&") if more else None
        assert pages == 2 and len(shown) == len(set(shown)) == expected, list_url


def test_a_forged_page_cursor_is_404(member):
    response = client_for(member).get(reverse("events:list") + "?cursor=forged")
    assert response.status_code == 404


def test_the_list_marks_the_members_answer_and_the_archive_lists_what_happened(member):
    going = EventFactory(title="Picnic")
    RsvpFactory(user=member, event=going)
    past_start = timezone.now() - timedelta(days=3)
    EventFactory(title="Last week's talk", starts_at=past_start,
                 ends_at=past_start + timedelta(hours=1))  # fmt: skip
    client = client_for(member)
    listed = client.get(reverse("events:list")).content.decode()
    assert "✓ Going" in listed
    assert "Last week&#x27;s talk" not in listed
    archive = client.get(reverse("events:past")).content.decode()
    assert "Last week&#x27;s talk" in archive and "Picnic" not in archive
    # Another member sees the same cached row without the first one's answer.
    assert "✓ Going" not in client_for(UserFactory()).get(reverse("events:list")).content.decode()


# --- RSVPs -----------------------------------------------------------------------------------


def test_rsvp_plain_redirects_with_a_message(member):
    event = EventFactory(title="Picnic")
    response = client_for(member).post(rsvp_url(event), {"status": "going"}, follow=True)
    assert "You are going to “Picnic”" in response.content.decode()
    assert "✓ You are going." in response.content.decode()
    assert Rsvp.objects.get(user=member, event=event).status == Rsvp.Status.GOING


def test_rsvp_with_htmx_answers_the_fragment_and_asks_for_the_attendees(member):
    event = EventFactory(title="Picnic", capacity=5)
    response = client_for(member).post(rsvp_url(event), {"status": "maybe"}, **HTMX)
    page = response.content.decode()
    assert response["HX-Trigger"] == "event-rsvp"
    assert "You might go." in page and "<html" not in page
    attendees = (
        client_for(member)
        .get(reverse("events:attendees", args=[event.slug, occurrence_key(event.starts_at)]))
        .content.decode()
    )
    assert "5</strong> seats left of 5" in attendees


def test_the_page_subscribes_to_the_event_and_refreshes_attendees_on_rsvps(member):
    event = EventFactory()
    page = client_for(member).get(event_url(event)).content.decode()
    assert f'data-live-topic="event:{event.pk}"' in page
    assert "live:rsvp.changed from:body" in page and "live:event.updated from:body" in page
    # What the page fetches again on those: the member's answer, and who is going.
    client = client_for(member)
    answer = client.get(rsvp_url(event)).content.decode()
    assert ">Going</button>" in answer and "<html" not in answer
    RsvpFactory(event=event, user=UserFactory(display_name="Late Joiner"))
    attendees = client.get(
        reverse("events:attendees", args=[event.slug, occurrence_key(event.starts_at)])
    ).content.decode()
    assert "Late Joiner" in attendees and 'Going <span class="muted">· 1</span>' in attendees


def test_a_full_occurrence_puts_the_member_on_the_waitlist_with_their_place(member):
    event = EventFactory(title="Tiny room", capacity=1)
    RsvpFactory(event=event, user=UserFactory(display_name="First Comer"))
    RsvpFactory(event=event, waitlisted=True)
    client = client_for(member)
    page = client.get(event_url(event)).content.decode()
    assert "<strong>Full</strong> · 1 seat, 1 on the waitlist" in page
    assert "First Comer" in page
    assert "Join the waitlist" in page
    response = client.post(rsvp_url(event), {"status": "going"}, follow=True)
    page = response.content.decode()
    assert "is full: you are on the waitlist" in page
    assert "you are on the waitlist, number 2" in page
    assert Rsvp.objects.get(user=member).status == Rsvp.Status.WAITLISTED


def test_a_cancelled_occurrence_is_marked_and_refuses_rsvps_with_a_message(member):
    change = OccurrenceChangeFactory()
    event, start = change.event, change.original_start
    client = client_for(member)
    page = client.get(event_url(event, start)).content.decode()
    assert "This date was cancelled." in page
    assert ">Going</button>" not in page
    response = client.post(rsvp_url(event, start), {"status": "going"}, follow=True)
    assert "This occurrence was cancelled." in response.content.decode()
    htmx = client.post(rsvp_url(event, start), {"status": "going"}, **HTMX)
    assert "This occurrence was cancelled." in htmx.content.decode()
    assert "HX-Trigger" not in htmx
    assert not Rsvp.objects.exists()


def test_a_cancelled_event_is_marked(member):
    event = EventFactory(title="Rained out", cancelled=True)
    assert "This event was cancelled." in client_for(member).get(event_url(event)).content.decode()
    assert "Cancelled" in client_for(member).get(reverse("events:list")).content.decode()


# --- Calendar files and the private feed -----------------------------------------------------


def test_the_ics_of_a_weekly_series_leaves_out_its_cancelled_occurrence(member):
    change = OccurrenceChangeFactory(event=EventFactory(title="Choir", weekly=True))
    event = change.event
    response = client_for(member).get(reverse("events:ics", args=[event.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    starts = [
        component.decoded("dtstart")
        for component in recurring_ical_events.of(calendar).between(
            event.starts_at, event.starts_at + timedelta(days=28)
        )
    ]
    assert starts == [event.starts_at + timedelta(days=d) for d in (0, 14, 21)]


def test_a_feed_with_a_bad_token_is_404(db):
    CalendarFeedFactory()
    assert client_for().get(reverse("events:feed", args=["not-the-token"])).status_code == 404


def test_a_feed_lists_the_members_going_events_without_a_session(member):
    going = EventFactory(title="Picnic")
    RsvpFactory(event=going, user=member)
    EventFactory(title="Not for me")
    feed = CalendarFeedFactory(user=member)
    response = client_for().get(reverse("events:feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    titles = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert titles == ["Picnic"]


def test_the_feed_page_makes_rotates_and_revokes_the_feed(member):
    client = client_for(member)
    assert "Make my feed" in client.get(reverse("events:manage_feed")).content.decode()
    client.post(reverse("events:change_feed", args=["create"]))
    token = member.calendar_feed.token
    page = client.get(reverse("events:manage_feed")).content.decode()
    assert reverse("events:feed", args=[token]) in page
    client.post(reverse("events:change_feed", args=["rotate"]))
    member.refresh_from_db()
    assert member.calendar_feed.token != token
    assert client.get(reverse("events:feed", args=[token])).status_code == 404
    client.post(reverse("events:change_feed", args=["revoke"]))
    assert "Make my feed" in client.get(reverse("events:manage_feed")).content.decode()
    assert "Calendar feed" in client.get(reverse("events:list")).content.decode()


# --- Escaping --------------------------------------------------------------------------------


def test_a_title_and_description_with_markup_are_escaped_everywhere(member):
    evil = '<script>alert("x")</script>'
    event = EventFactory(title=f"Party {evil}", slug="party", description=evil,
                         location=f"Hall {evil}")  # fmt: skip
    start = timezone.localtime(event.starts_at)
    client = client_for(member)
    for url in (reverse("events:list"), month_url(start.year, start.month), event_url(event)):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;alert" in page, url
