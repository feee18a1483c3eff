"""Members' RSVPs (issue 15, item 2): going / maybe / not going to one occurrence, capacity
exact under the event's lock, a waitlist in order whose first member takes a freed seat,
each refusal, and what is announced after commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from community.models import User
from events import selectors
from events.models import Event, Rsvp
from events.services import rsvps
from tests.factories import (
    AccessGrantFactory,
    EventFactory,
    OccurrenceChangeFactory,
    RsvpFactory,
    UserFactory,
)
from tests.helpers import count_queries, run_at_once

pytestmark = pytest.mark.django_db
GOING, MAYBE, NOT_GOING, WAITLISTED = (
    Rsvp.Status.GOING,
    Rsvp.Status.MAYBE,
    Rsvp.Status.NOT_GOING,
    Rsvp.Status.WAITLISTED,
)


def fresh(user):
    """The member as a new request sees them (held tiers are remembered per object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs a write and its after-commit effects (signals, tasks, live events)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def answer(commit):
    """answer(member, event, status, start=None): the member's RSVP to the event's first
    occurrence (or the one starting at `start`), committed."""

    def run(member, event, status, start=None):
        return commit(rsvps.rsvp, member, event=event,
                      occurrence_start=start or event.starts_at, status=status)  # fmt: skip

    return run


def statuses(event, start=None):
    """{member: status} of an occurrence's RSVPs."""
    rows = Rsvp.objects.filter(event=event, occurrence_start=start or event.starts_at)
    return {row.user: row.status for row in rows.select_related("user")}


def waitlist(event):
    return [r.user for r in selectors.attendees(event, occurrence_start=event.starts_at,
                                                status=WAITLISTED)]  # fmt: skip


# --- Answers -------------------------------------------------------------------------------


def test_a_member_answers_going_then_maybe_then_not_going_on_one_row(
    member, answer, domain_signals, live_events
):
    event = EventFactory()
    for status in (GOING, MAYBE, NOT_GOING):
        row = answer(member, event, status)
        assert row.status == status
        assert statuses(event) == {member: status}
    when = event.starts_at.isoformat()
    assert domain_signals.of("events.rsvp_changed") == [
        {"user_id": member.pk, "event_id": event.pk, "occurrence_start": when, "status": s}
        for s in ("going", "maybe", "not_going")
    ]
    assert live_events.of_type("rsvp.changed") == 3 * [
        (f"event:{event.pk}", "rsvp.changed", {"id": event.pk, "occurrence_start": when})
    ]


def test_the_count_follows_the_members_going(member, other_member, answer):
    event = EventFactory()
    answer(member, event, GOING)
    answer(other_member, event, MAYBE)
    event.refresh_from_db()
    assert event.rsvp_count == 1
    answer(member, event, NOT_GOING)
    event.refresh_from_db()
    assert event.rsvp_count == 0


def test_answering_the_same_twice_changes_and_announces_nothing(
    member, answer, domain_signals, live_events
):
    event = EventFactory()
    first = answer(member, event, GOING)
    again = answer(member, event, GOING)
    assert again.pk == first.pk and again.status_changed_at == first.status_changed_at
    assert len(domain_signals.of("events.rsvp_changed")) == 1
    assert len(live_events.of_type("rsvp.changed")) == 1


def test_nothing_is_announced_before_the_commit(
    member, domain_signals, live_events, django_capture_on_commit_callbacks
):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        rsvps.rsvp(member, event=event, occurrence_start=event.starts_at, status=GOING)
        assert domain_signals.of("events.rsvp_changed") == [] and live_events == []
    assert len(domain_signals.of("events.rsvp_changed")) == 1


def test_each_occurrence_of_a_series_has_its_own_seats(member, other_member, answer):
    event = EventFactory(weekly=True, capacity=1)
    next_week = event.starts_at + timedelta(days=7)
    answer(member, event, GOING)
    answer(other_member, event, GOING, start=next_week)
    assert statuses(event) == {member: GOING}
    assert statuses(event, next_week) == {other_member: GOING}


def test_an_rsvp_to_a_moved_occurrence_keeps_its_original_start(member, answer):
    event = EventFactory(weekly=True)
    original = event.starts_at + timedelta(days=7)
    OccurrenceChangeFactory(event=event, original_start=original, cancelled_at=None,
                            starts_at=original + timedelta(hours=2),
                            ends_at=original + timedelta(hours=3))  # fmt: skip
    answer(member, event, GOING, start=original)
    assert statuses(event, original) == {member: GOING}


def test_an_unknown_status_names_the_field(member):
    event = EventFactory()
    with pytest.raises(ValidationError) as error:
        rsvps.rsvp(member, event=event, occurrence_start=event.starts_at, status="waitlisted")
    assert "status" in error.value.message_dict
    assert not Rsvp.objects.exists()


# --- Capacity and the waitlist ----------------------------------------------------------------


def test_capacity_is_exact_and_the_next_member_waits(answer):
    event = EventFactory(capacity=2)
    first, second, third = UserFactory.create_batch(3)
    assert [answer(m, event, GOING).status for m in (first, second, third)] == [
        GOING, GOING, WAITLISTED,
    ]  # fmt: skip
    assert selectors.seats_left(event, occurrence_start=event.starts_at) == 0
    assert [r.user for r in selectors.attendees(event, occurrence_start=event.starts_at)] == [
        first, second,
    ]  # fmt: skip


def test_the_waitlist_keeps_the_order_members_joined_it(answer):
    event = EventFactory(capacity=1)
    seated, *waiting = UserFactory.create_batch(4)
    answer(seated, event, GOING)
    for member in waiting:
        answer(member, event, GOING)
    assert waitlist(event) == waiting


def test_a_member_leaving_promotes_the_first_waiting_after_commit(
    answer, domain_signals, live_events, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    seated, first, second = UserFactory.create_batch(3)
    for member in (seated, first, second):
        answer(member, event, GOING)
    before = len(domain_signals)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps.rsvp(seated, event=event, occurrence_start=event.starts_at, status=NOT_GOING)
        assert domain_signals.of("events.waitlist_promoted") == []  # not before the commit
    when = event.starts_at.isoformat()
    assert domain_signals.of("events.waitlist_promoted") == [
        {"user_id": first.pk, "event_id": event.pk, "occurrence_start": when}
    ]
    changed = [(s["user_id"], s["status"]) for s in domain_signals.of("events.rsvp_changed")]
    assert changed[-2:] == [(seated.pk, "not_going"), (first.pk, "going")]
    assert len(domain_signals) > before
    assert statuses(event) == {seated: NOT_GOING, first: GOING, second: WAITLISTED}
    event.refresh_from_db()
    assert event.rsvp_count == 1


def test_going_to_maybe_promotes_too_and_the_next_one_after(answer):
    event = EventFactory(capacity=1)
    seated, first, second = UserFactory.create_batch(3)
    for member in (seated, first, second):
        answer(member, event, GOING)
    answer(seated, event, MAYBE)
    answer(first, event, NOT_GOING)
    assert statuses(event) == {seated: MAYBE, first: NOT_GOING, second: GOING}


def test_leaving_the_waitlist_frees_no_seat_and_a_return_goes_to_its_end(answer):
    event = EventFactory(capacity=1)
    seated, first, second = UserFactory.create_batch(3)
    for member in (seated, first, second):
        answer(member, event, GOING)
    answer(first, event, MAYBE)
    assert statuses(event) == {seated: GOING, first: MAYBE, second: WAITLISTED}
    answer(first, event, GOING)
    assert waitlist(event) == [second, first]


def test_asking_going_again_while_waiting_keeps_the_place(answer):
    event = EventFactory(capacity=1)
    seated, first, second = UserFactory.create_batch(3)
    for member in (seated, first, second):
        answer(member, event, GOING)
    answer(first, event, GOING)
    assert waitlist(event) == [first, second]


def test_a_free_seat_goes_to_those_already_waiting_before_a_newcomer(answer):
    event = EventFactory(capacity=1)
    seated, waiting, newcomer = UserFactory.create_batch(3)
    answer(seated, event, GOING)
    answer(waiting, event, GOING)
    Event.objects.filter(pk=event.pk).update(capacity=2)  # raised without filling the seat
    answer(newcomer, event, GOING)
    assert statuses(event) == {seated: GOING, waiting: GOING, newcomer: WAITLISTED}


def test_a_banned_member_on_the_waitlist_is_passed_over_keeping_the_place(answer):
    event = EventFactory(capacity=1)
    seated, banned, next_one = UserFactory.create_batch(3)
    for member in (seated, banned, next_one):
        answer(member, event, GOING)
    User.objects.filter(pk=banned.pk).update(banned_at=timezone.now())
    answer(seated, event, NOT_GOING)
    assert statuses(event) == {seated: NOT_GOING, banned: WAITLISTED, next_one: GOING}


def test_a_waiting_member_whose_tier_ended_is_passed_over_keeping_the_place(answer, pro):
    event = EventFactory(capacity=1, paid=True, required_tier=pro)
    seated, lapsed, next_one = UserFactory.create_batch(3)
    grants = {
        member: AccessGrantFactory(user=member, tier=pro) for member in (seated, lapsed, next_one)
    }
    for member in (seated, lapsed, next_one):
        answer(fresh(member), event, GOING)
    grants[lapsed].ends_at = timezone.now()
    grants[lapsed].save()
    answer(fresh(seated), event, NOT_GOING)
    assert statuses(event) == {seated: NOT_GOING, lapsed: WAITLISTED, next_one: GOING}


def test_raising_the_capacity_fills_the_free_seats_in_order(commit, domain_signals, live_events):
    event = EventFactory(capacity=1)
    start = event.starts_at
    RsvpFactory(event=event)
    waiting = [RsvpFactory(event=event, waitlisted=True).user for _ in range(3)]
    Event.objects.filter(pk=event.pk).update(capacity=3)
    promoted = commit(rsvps.fill_free_seats, event)
    assert [row.user for row in promoted] == waiting[:2]
    assert waitlist(event) == waiting[2:]
    assert [s["user_id"] for s in domain_signals.of("events.waitlist_promoted")] == [
        m.pk for m in waiting[:2]
    ]
    assert live_events.of_type("rsvp.changed") == [
        (
            f"event:{event.pk}",
            "rsvp.changed",
            {"id": event.pk, "occurrence_start": start.isoformat()},
        )
    ]
    assert commit(rsvps.fill_free_seats, event, start) == []  # full again: nothing more


def test_removing_the_capacity_seats_everyone_waiting():
    event = EventFactory(weekly=True, capacity=1)
    next_week = event.starts_at + timedelta(days=7)
    for start in (event.starts_at, next_week):
        RsvpFactory(event=event, occurrence_start=start)
        RsvpFactory.create_batch(2, event=event, occurrence_start=start, waitlisted=True)
    Event.objects.filter(pk=event.pk).update(capacity=None)
    assert len(rsvps.fill_free_seats(event)) == 4
    assert not Rsvp.objects.filter(status=WAITLISTED).exists()


def test_a_past_or_cancelled_occurrence_keeps_its_waitlist():
    event = EventFactory(weekly=True, past=True, capacity=1)
    cancelled = event.starts_at + timedelta(days=28)  # next week's
    OccurrenceChangeFactory(event=event, original_start=cancelled)
    for start in (event.starts_at, cancelled):
        RsvpFactory(event=event, occurrence_start=start, waitlisted=True)
    Event.objects.filter(pk=event.pk).update(capacity=5)
    assert rsvps.fill_free_seats(event) == []
    assert Rsvp.objects.filter(status=WAITLISTED).count() == 2


# --- Refusals --------------------------------------------------------------------------------


def refused(member, event, start=None):
    rsvps.rsvp(member, event=event, occurrence_start=start or event.starts_at, status=GOING)


@pytest.mark.parametrize("who", ["anonymous", "banned_member"])
def test_visitors_and_banned_members_may_not_rsvp(who, request):
    event = EventFactory(public=True)
    with pytest.raises(PermissionDenied, match="Sign in"):
        refused(request.getfixturevalue(who), event)
    assert not Rsvp.objects.exists()


def test_a_past_occurrence_is_refused_with_a_clear_message(member):
    event = EventFactory(past=True)
    with pytest.raises(PermissionDenied, match="already started"):
        refused(member, event)
    assert not Rsvp.objects.exists()


def test_an_occurrence_under_way_is_refused(member):
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    with pytest.raises(PermissionDenied, match="already started"):
        refused(member, event)


def test_an_occurrence_moved_into_the_past_is_refused(member):
    event = EventFactory(weekly=True)
    original = event.starts_at + timedelta(days=7)
    earlier = timezone.now() - timedelta(hours=2)
    OccurrenceChangeFactory(event=event, original_start=original, cancelled_at=None,
                            starts_at=earlier, ends_at=earlier + timedelta(hours=1))  # fmt: skip
    with pytest.raises(PermissionDenied, match="already started"):
        refused(member, event, original)


def test_a_cancelled_event_is_refused(member):
    with pytest.raises(PermissionDenied, match="cancelled"):
        refused(member, EventFactory(cancelled=True))
    assert not Rsvp.objects.exists()


def test_a_cancelled_occurrence_is_refused_and_the_others_are_open(member, answer):
    change = OccurrenceChangeFactory()
    with pytest.raises(PermissionDenied, match="cancelled"):
        refused(member, change.event, change.original_start)
    assert answer(member, change.event, GOING).status == GOING


def test_a_start_the_event_does_not_have_is_404(member):
    event = EventFactory(weekly=True)
    with pytest.raises(Http404):
        refused(member, event, event.starts_at + timedelta(days=3))
    assert not Rsvp.objects.exists()


def test_an_invisible_event_is_404(member):
    # Deleted, and paid behind a tier nobody may ask for (unlisted): not there for them.
    for event in (EventFactory(deleted=True), EventFactory(paid=True)):
        with pytest.raises(Http404):
            refused(member, event)
    assert not Rsvp.objects.exists()


def test_a_paid_event_needs_the_tier(member, paid_member, pro, answer):
    pro.listed = True  # members without it see the event, locked, and how to get it
    pro.save()
    event = EventFactory(paid=True, required_tier=pro)
    with pytest.raises(PermissionDenied, match="Pro"):
        refused(member, event)
    assert answer(fresh(paid_member), event, GOING).status == GOING


# --- Selectors --------------------------------------------------------------------------------


def test_my_rsvps_for_a_page_of_occurrences_cost_one_query(member):
    from events import recurrence

    series = EventFactory(weekly=True)
    one_off = EventFactory()
    window = {"start": timezone.now(), "end": timezone.now() + timedelta(days=30)}
    occurrences = recurrence.occurrences_of([series, one_off], **window)
    second = occurrences[1]
    RsvpFactory(event=series, occurrence_start=second.original_start, user=member, status=MAYBE)
    RsvpFactory(event=one_off, user=member)
    RsvpFactory(event=series, user=UserFactory())  # someone else's
    queries, mine = count_queries(lambda: selectors.my_rsvps(member, occurrences))
    assert queries == 1
    assert mine == {
        (series.pk, second.original_start): MAYBE,
        (one_off.pk, one_off.starts_at): GOING,
    }


def test_my_rsvps_of_a_visitor_are_none_without_a_query(anonymous):
    from events import recurrence

    event = EventFactory()
    occurrence = recurrence.occurrence_at(event, event.starts_at)
    assert count_queries(lambda: selectors.my_rsvps(anonymous, [occurrence])) == (0, {})


def test_seats_left_counts_the_members_going():
    event = EventFactory(capacity=3)
    RsvpFactory(event=event)
    RsvpFactory(event=event, status=MAYBE)
    assert selectors.seats_left(event, occurrence_start=event.starts_at) == 2
    unlimited = EventFactory()
    assert selectors.seats_left(unlimited, occurrence_start=unlimited.starts_at) is None


# --- The race (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_members_at_once_for_ten_seats_end_ten_going_forty_waiting(domain_signals):
    event = EventFactory(capacity=10)
    members = UserFactory.create_batch(50)

    def go(index):
        rsvps.rsvp(fresh(members[index]), event=event, occurrence_start=event.starts_at,
                   status=GOING)  # fmt: skip

    run_at_once(50, go)
    going = list(selectors.attendees(event, occurrence_start=event.starts_at))
    waiting = list(selectors.attendees(event, occurrence_start=event.starts_at, status=WAITLISTED))
    assert (len(going), len(waiting)) == (10, 40)
    # The lock made them take turns: every seat was taken before anyone waited.
    assert max(r.status_changed_at for r in going) < min(r.status_changed_at for r in waiting)
    assert sorted(s["status"] for s in domain_signals.of("events.rsvp_changed")) == (
        10 * ["going"] + 40 * ["waitlisted"]
    )
