"""A member's private calendar feed (issue 15, item 3): made once, rotated on demand (the old
URL stops working), revoked; it lists the dates the member is going to of the events they
may still see, each date on its own (one date of a series is never the whole series)."""

from datetime import timedelta

import pytest
import recurring_ical_events
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from community.models import User
from events import ical, selectors
from events.models import CalendarFeed, Rsvp
from events.services import feeds
from tests.factories import (
    CalendarFeedFactory,
    EventFactory,
    OccurrenceChangeFactory,
    RsvpFactory,
    TierFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_a_member_gets_one_feed_with_a_long_secret(member):
    feed = feeds.create_feed(member)
    assert len(feed.token) >= 43
    assert feeds.create_feed(member).token == feed.token  # asking again: the same URL
    assert CalendarFeed.objects.count() == 1
    assert selectors.feed_owner(feed.token) == member


def test_each_member_has_their_own_secret(member, other_member):
    assert feeds.create_feed(member).token != feeds.create_feed(other_member).token


def test_rotating_gives_a_new_secret_and_the_old_url_opens_nothing(member):
    old = feeds.create_feed(member).token
    new = feeds.rotate_feed(member).token
    assert new != old
    assert selectors.feed_owner(old) is None
    assert selectors.feed_owner(new) == member


def test_rotating_without_a_feed_makes_one(member):
    assert selectors.feed_owner(feeds.rotate_feed(member).token) == member


def test_revoking_closes_the_feed(member):
    token = feeds.create_feed(member).token
    assert feeds.revoke_feed(member) is True
    assert selectors.feed_owner(token) is None
    assert feeds.revoke_feed(member) is False  # nothing left to revoke
    assert feeds.create_feed(member).token != token  # a new feed is a new URL


@pytest.mark.parametrize("who", ["anonymous", "banned_member"])
def test_visitors_and_banned_members_have_no_feed(request, who):
    user = request.getfixturevalue(who)
    for write in (feeds.create_feed, feeds.rotate_feed, feeds.revoke_feed):
        with pytest.raises(PermissionDenied):
            write(user)
    assert not CalendarFeed.objects.exists()


def test_a_banned_members_feed_opens_nothing(member):
    token = feeds.create_feed(member).token
    User.objects.filter(pk=member.pk).update(banned_at=timezone.now())
    assert selectors.feed_owner(token) is None


def test_the_feed_lists_the_events_the_member_goes_to_and_may_see(member):
    going, later = EventFactory(), EventFactory(weekly=True)
    RsvpFactory(event=going, user=member)
    RsvpFactory(event=later, user=member, occurrence_start=later.starts_at)
    RsvpFactory(event=EventFactory(), user=member, status=Rsvp.Status.MAYBE)
    RsvpFactory(event=EventFactory(), user=member, waitlisted=True)
    RsvpFactory(event=EventFactory(cancelled=True), user=member)
    RsvpFactory(event=EventFactory(deleted=True), user=member)
    lost_tier = EventFactory(paid=True, required_tier=TierFactory())  # no grant (any more)
    RsvpFactory(event=lost_tier, user=member)
    RsvpFactory(event=EventFactory(), user=UserFactory())  # someone else's
    listed = list(selectors.feed_events(member))
    assert {event.pk for event in listed} == {going.pk, later.pk}
    by_pk = {event.pk: event for event in listed}
    assert [r.occurrence_start for r in by_pk[later.pk].my_going] == [later.starts_at]


# --- The feed as calendar apps read it ------------------------------------------------------


def _feed_calendar(member):
    feed = CalendarFeed.objects.filter(user=member).first() or CalendarFeedFactory(user=member)
    response = Client().get(reverse("events:feed", args=[feed.token]))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def _starts_within(calendar, start, weeks):
    """The starts of every date a calendar app shows in the `weeks` weeks from `start`."""
    return sorted(
        component.decoded("dtstart")
        for component in recurring_ical_events.of(calendar).between(
            start, start + timedelta(weeks=weeks)
        )
    )


def test_going_to_one_date_of_a_series_puts_only_that_date_in_the_feed(member):
    series = EventFactory(title="Choir", weekly=True)
    second = series.starts_at + timedelta(weeks=1)
    RsvpFactory(event=series, user=member, occurrence_start=second)
    RsvpFactory(event=series, user=member, occurrence_start=second + timedelta(weeks=1),
                status=Rsvp.Status.MAYBE)  # fmt: skip
    calendar = _feed_calendar(member)
    assert _starts_within(calendar, series.starts_at, weeks=8) == [second]
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Choir"
    assert "RRULE" not in vevent and "RDATE" not in vevent


def test_the_feed_has_each_date_the_member_goes_to_as_it_now_is_under_a_stable_uid(member):
    series = EventFactory(title="Choir", weekly=True)
    first, second, third = (series.starts_at + timedelta(weeks=n) for n in range(3))
    moved = OccurrenceChangeFactory(
        event=series,
        original_start=second,
        cancelled_at=None,
        starts_at=second + timedelta(hours=2),
        title="Choir, late",
    )
    OccurrenceChangeFactory(event=series, original_start=third)  # cancelled: leaves the feed
    one_off = EventFactory(title="Picnic")
    for event, start in ((series, first), (series, second), (series, third), (one_off, None)):
        RsvpFactory(event=event, user=member, occurrence_start=start or event.starts_at)
    calendar = _feed_calendar(member)
    assert _starts_within(calendar, series.starts_at, weeks=8) == sorted(
        [first, moved.starts_at, one_off.starts_at]
    )
    titles = {str(v["uid"]): str(v["summary"]) for v in calendar.walk("VEVENT")}
    assert sorted(titles.values()) == ["Choir", "Choir, late", "Picnic"]
    assert len(titles) == 3  # one UID per date: none replaces another in a calendar app
    assert ical.event_uid(one_off) in titles  # a one-off event keeps the event's own UID
    assert set(titles) == {str(v["uid"]) for v in _feed_calendar(member).walk("VEVENT")}


def test_the_feed_costs_the_same_queries_for_n_and_2n_dates(member):
    """The feed and its member (1), the member's tiers (1), the events the member goes to
    (1), their GOING RSVPs (1) and their occurrence changes (1): the dates are expanded in
    Python."""
    feed = CalendarFeedFactory(user=member)

    def build(n):
        for _ in range(n):
            series = EventFactory(weekly=True)
            OccurrenceChangeFactory(event=series)  # its second date cancelled
            for weeks in (0, 1, 2):
                start = series.starts_at + timedelta(weeks=weeks)
                RsvpFactory(event=series, user=member, occurrence_start=start)
            RsvpFactory(event=EventFactory(), user=member)

    build(2)
    before, after = assert_constant_queries(
        lambda: Client().get(reverse("events:feed", args=[feed.token])), grow=lambda: build(2),
        bound=5,
    )  # fmt: skip
    dates = [len(Calendar.from_ical(r.content).walk("VEVENT")) for r in (before, after)]
    assert dates == [6, 12]  # per event: two dates of the series (one cancelled), the one-off
