"""Reads of occurrences in a window, RSVPs and feeds. An occurrence is named by its
original start (UTC), as in Rsvp.occurrence_start."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q

from community import access as community_access
from community.pagination import Page, clamp_size, decode_cursor, encode_cursor

from . import recurrence
from .access import visible_events
from .models import CalendarFeed, Event, Rsvp


def attendees(event, *, occurrence_start, status=Rsvp.Status.GOING):
    """The RSVPs of one occurrence in one status, members joined, in the order they took
    their seat (for the waitlist: its order)."""
    return (
        Rsvp.objects.filter(event=event, occurrence_start=occurrence_start, status=status)
        .select_related("user")
        .order_by("status_changed_at", "id")
    )


def seats_left(event, *, occurrence_start):
    """Free seats of one occurrence, counted from its RSVPs (None: no limit)."""
    if event.capacity is None:
        return None
    going = Rsvp.objects.filter(
        event=event, occurrence_start=occurrence_start, status=Rsvp.Status.GOING
    ).count()
    return max(event.capacity - going, 0)


def my_rsvps(user, occurrences):
    """{(event_id, original_start): status} of the viewer's RSVPs to these occurrences
    (events.recurrence.Occurrence), in one query whatever their number."""
    if not community_access.is_active_member(user) or not occurrences:
        return {}
    wanted = {(o.event.pk, o.original_start) for o in occurrences}
    rows = Rsvp.objects.filter(
        user=user,
        event_id__in={event_id for event_id, _ in wanted},
        occurrence_start__in={start for _, start in wanted},
    ).values_list("event_id", "occurrence_start", "status")
    return {
        (event_id, start): status for event_id, start, status in rows if (event_id, start) in wanted
    }


def feed_owner(token):
    """The member whose private calendar feed `token` opens, or None (unknown, rotated or
    revoked token, or a member who may no longer sign in)."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not community_access.is_active_member(feed.user):
        return None
    return feed.user


def feed_events(user):
    """The events of a member's calendar feed: those they are going to (any occurrence) and
    may still see, each with `my_going`, their GOING RSVPs in order of occurrence. Cancelled
    events leave the feed, so that subscribed calendars drop them."""
    going = Rsvp.objects.filter(user=user, status=Rsvp.Status.GOING)
    return (
        visible_events(user)
        .filter(cancelled_at__isnull=True, pk__in=going.values("event_id"))
        .prefetch_related(
            Prefetch("rsvps", queryset=going.order_by("occurrence_start"), to_attr="my_going")
        )
        .order_by("starts_at", "id")
    )


def events_in_window(user, *, start, end):
    """The events `user` may see or preview (each with `is_locked`) that may have an
    occurrence overlapping [start, end): a one-off one that overlaps it (a zero-length one
    starting inside it too), any series begun before its end (its rule decides). One query
    (two for a member holding tiers: community.access reads them)."""
    one_off_overlaps = Q(ends_at__gt=start) | Q(starts_at__gte=start)
    may_occur = Q(starts_at__lt=end) & (one_off_overlaps | ~Q(rrule="") | ~Q(rdates=[]))
    queryset = Event.objects.alive().filter(may_occur)
    return list(
        community_access.gated_with_locks(user, queryset)
        .select_related("required_tier")
        .order_by("starts_at", "id")
    )


def occurrences_in_window(user, *, start, end):
    """The occurrences in [start, end) of the events `user` may see or preview, in order:
    the events in one query, all their changes in one more."""
    return recurrence.occurrences_of(events_in_window(user, start=start, end=end), start=start,
                                     end=end)  # fmt: skip


def with_rsvps_and_seats(user, occurrences):
    """The occurrences as the API lists them: each a dict of the Occurrence's fields with
    `my_rsvp` (the viewer's status or None) and `seats_left` (None: no limit), in two
    queries whatever their number."""
    mine = my_rsvps(user, occurrences)
    going = going_counts([o for o in occurrences if o.event.capacity is not None])
    rows = []
    for occurrence in occurrences:
        event, key = occurrence.event, (occurrence.event.pk, occurrence.original_start)
        seats = None if event.capacity is None else max(event.capacity - going.get(key, 0), 0)
        rows.append({"occurrence": occurrence, "my_rsvp": mine.get(key), "seats_left": seats})
    return rows


def going_counts(occurrences):
    """{(event id, original start): members going}, in one query."""
    if not occurrences:
        return {}
    rows = (
        Rsvp.objects.filter(
            status=Rsvp.Status.GOING,
            event_id__in={o.event.pk for o in occurrences},
            occurrence_start__in={o.original_start for o in occurrences},
        )
        .values_list("event_id", "occurrence_start")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(event_id, start): n for event_id, start, n in rows}


# --- Windowed keyset pages ------------------------------------------------------------------
# Occurrences are never stored, so a list of them is a windowed keyset: every page expands
# the same window (at most MAX_WINDOW_DAYS, and recurrence caps each event's occurrences in
# a window) and keeps the occurrences past the cursor, whose key is (starts_at, event id,
# original_start): unique, and stable while rows are added elsewhere. A page costs the same
# queries however many events and occurrences the window holds.

MAX_WINDOW_DAYS = 366
DEFAULT_WINDOW = timedelta(days=60)
CURSOR_FIELDS = ("starts_at", "event", "original_start")


def _key(occurrence):
    return (occurrence.starts_at, occurrence.event.pk, occurrence.original_start)


def occurrence_page(user, *, start, end, cursor=None, size=20, newest_first=False):
    """One page of the occurrences overlapping [start, end) that the viewer may see or
    preview (events.recurrence.Occurrence), in order of start (latest first with
    `newest_first`). A cursor this server did not make is a ValidationError naming it."""
    size = clamp_size(size)
    listed = occurrences_in_window(user, start=start, end=end)
    if newest_first:
        listed.reverse()
    if cursor:
        after = tuple(decode_cursor(cursor, CURSOR_FIELDS, ascending=not newest_first))
        listed = [o for o in listed if (_key(o) < after if newest_first else _key(o) > after)]
    items = listed[: size + 1]
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        next_cursor = encode_cursor(_key(items[-1]), CURSOR_FIELDS, ascending=not newest_first)
    return Page(items=items, next_cursor=next_cursor)
