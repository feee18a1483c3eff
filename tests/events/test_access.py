"""Who may see and RSVP to which event (issue 15): events answer through community's gating
rule (deleted events for nobody, every visibility for admins), an RSVP needs an active
member, an event neither cancelled nor previewed only, and an occurrence that exists, is
not cancelled and has not started; the `event:<id>` live topic follows the seeing rule."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from community.models import Tier
from events import access, recurrence
from events.models import Event
from tests.factories import EventFactory, OccurrenceChangeFactory
from tests.helpers import check_socket_topic, check_topic_rule

PERSONAS = ["anonymous", "member", "paid_member", "moderator", "admin", "banned_member"]

# Who sees which event: the gating matrix (tests/community/test_seams.py); deleted events
# for nobody.
SEES = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "paid_member": {"public", "members", "paid"},
    "moderator": {"public", "members", "paid"},
    "admin": {"public", "members", "paid"},
    "banned_member": {"public"},
}
# What check_can_rsvp says for the next occurrence of each event: None (may RSVP), or the
# refusal. A member without the (listed) tier previews the paid event: told, not a 404.
RSVP = {
    "anonymous": {"public": PermissionDenied, "members": PermissionDenied,
                  "paid": PermissionDenied, "deleted": PermissionDenied},
    "banned_member": {"public": PermissionDenied, "members": PermissionDenied,
                      "paid": PermissionDenied, "deleted": PermissionDenied},
    "member": {"public": None, "members": None, "paid": PermissionDenied, "deleted": Http404},
    "paid_member": {"public": None, "members": None, "paid": None, "deleted": Http404},
    "moderator": {"public": None, "members": None, "paid": None, "deleted": Http404},
    "admin": {"public": None, "members": None, "paid": None, "deleted": Http404},
}  # fmt: skip


@pytest.fixture
def events(db, pro):
    pro.listed = True
    pro.save()
    return {
        "public": EventFactory(public=True),
        "members": EventFactory(),
        "paid": EventFactory(paid=True, required_tier=pro),
        "deleted": EventFactory(deleted=True),
    }


def first(event):
    return recurrence.occurrence_at(event, event.starts_at)


def kind_of(events, pk):
    return next(kind for kind, event in events.items() if event.pk == pk)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_event(request, events, persona):
    user = request.getfixturevalue(persona)
    for kind, event in events.items():
        expected = kind in SEES[persona]
        assert access.can_see_event(user, event) is expected, (persona, kind)
        if expected:
            access.check_can_see_event(user, event)
        else:
            with pytest.raises(Http404):
                access.check_can_see_event(user, event)
    assert {kind_of(events, e.pk) for e in access.visible_events(user)} == SEES[persona]
    narrowed = access.visible_events(user, Event.objects.filter(pk=events["deleted"].pk))
    assert not narrowed.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_rsvp_where(request, events, persona):
    user = request.getfixturevalue(persona)
    for kind, event in events.items():
        refusal = RSVP[persona][kind]
        if refusal is None:
            access.check_can_rsvp(user, event, first(event))
        else:
            with pytest.raises(refusal) as raised:
                access.check_can_rsvp(user, event, first(event))
            if refusal is PermissionDenied:  # not the 404's subclass by mistake
                assert not isinstance(raised.value, Http404)
        # can_rsvp (templates) says what check_can_rsvp (services) does.
        assert access.can_rsvp(user, event, first(event)) is (refusal is None), (persona, kind)


def test_a_member_without_the_tier_previews_the_paid_event_and_is_told_why(member, events):
    paid = Event.objects.select_related("required_tier").get(pk=events["paid"].pk)
    assert access.can_preview_event(member, paid)
    with pytest.raises(PermissionDenied, match="Pro members"):
        access.check_can_rsvp(member, paid, first(paid))


def test_an_unlisted_tier_keeps_its_paid_event_a_404(member, events, pro):
    Tier.objects.filter(pk=pro.pk).update(listed=False)
    paid = Event.objects.select_related("required_tier").get(pk=events["paid"].pk)
    assert not access.can_preview_event(member, paid)
    with pytest.raises(Http404):
        access.check_can_rsvp(member, paid, first(paid))


def test_a_cancelled_event_takes_no_rsvp(member):
    event = EventFactory(cancelled=True)
    assert access.can_see_event(member, event)  # its page says it was cancelled
    with pytest.raises(PermissionDenied, match="event was cancelled"):
        access.check_can_rsvp(member, event, first(event))


def test_a_cancelled_occurrence_takes_no_rsvp_and_the_next_one_does(member):
    change = OccurrenceChangeFactory()
    event = change.event
    with pytest.raises(PermissionDenied, match="cancelled"):
        access.check_can_rsvp(member, event, recurrence.occurrence_at(event, change.original_start))
    assert access.can_rsvp(member, event, first(event))


def test_an_occurrence_the_event_does_not_have_is_404(member):
    event = EventFactory(weekly=True)
    missing = recurrence.occurrence_at(event, event.starts_at + timedelta(hours=1))
    assert missing is None
    with pytest.raises(Http404):
        access.check_can_rsvp(member, event, missing)


def test_rsvps_close_when_the_occurrence_starts(member):
    event = EventFactory()
    occurrence = first(event)
    just_before = occurrence.starts_at - timedelta(seconds=1)
    access.check_can_rsvp(member, event, occurrence, now=just_before)
    with pytest.raises(PermissionDenied, match="already started"):
        access.check_can_rsvp(member, event, occurrence, now=occurrence.starts_at)
    assert not access.can_rsvp(member, event, first(EventFactory(past=True)))


def test_a_moved_occurrence_closes_at_its_new_start(member):
    event = EventFactory(weekly=True)
    original = event.starts_at + timedelta(days=7)
    earlier = timezone.now() + timedelta(hours=1)
    OccurrenceChangeFactory(event=event, original_start=original, cancelled_at=None,
                            starts_at=earlier, ends_at=earlier + timedelta(hours=1))  # fmt: skip
    moved = recurrence.occurrence_at(event, original)
    access.check_can_rsvp(member, event, moved)
    with pytest.raises(PermissionDenied, match="already started"):
        access.check_can_rsvp(member, event, moved, now=earlier + timedelta(minutes=1))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_event_topic_follows_who_sees_the_event(request, events, persona):
    user = request.getfixturevalue(persona)
    check_topic_rule(user, events, kind="event", may_receive=access.may_receive_event_topic,
                     sees=SEES[persona])  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_socket_lets_a_viewer_of_the_event_subscribe_and_refuses_others(
    member, paid_member, pro
):
    topic = f"event:{EventFactory(paid=True, required_tier=pro).pk}"
    check_socket_topic(topic, allowed=paid_member, refused=member)
