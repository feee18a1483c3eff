"""A member's private calendar feed (issue 15, item 3): made once, rotated on demand (the old
URL stops working), revoked; it lists the events the member is going to and may still see."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from community.models import User
from events import selectors
from events.models import CalendarFeed, Rsvp
from events.services import feeds
from tests.factories import EventFactory, RsvpFactory, TierFactory, UserFactory

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
