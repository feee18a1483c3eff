"""The events' side of the benchmark dataset (issue 15): events, one-off and recurring, with
changed or cancelled occurrences, and members' RSVPs per occurrence with waitlists; the
facts the month view, upcoming list, event page and API list scenarios need; the RSVP rush
write scenario's occurrence; and the checks of rsvp_count, capacity and the rush's order.

- `Scale.events` events `bench-<scale>-event-<i>`, visibility cycling public / members /
  paid / members / public (paid: the scale's tier); a third recurring (i % 3 == 2), built
  with events.services.authoring.build_rrule: weekly on one or two weekdays (every week or
  every other; ending after a count, on a date, or one in twelve never), daily (a count of
  3 to 10), monthly by date or by nth weekday (a count, a date or never); a quarter of the
  series have one or two OccurrenceChange rows (an occurrence cancelled, or moved an hour
  later and retitled). Times in the event's zone (the members' zones) on the hour or half
  hour between 09:00 and 20:30; one-offs mostly within four months of the load, the rest
  over the two years before; series begun up to two years before the load or within the
  next six weeks. A few percent all day; three in ten with a capacity (8 to 100); one in
  fifty cancelled, one in a hundred soft-deleted.
- Event 0 (`SHOWCASE`, the event page scenario's): "Weekly community call", members-only,
  weekly on the load's weekday, 18:00 Europe/Berlin since 52 weeks, no end, no capacity,
  one past occurrence cancelled and the third upcoming one moved to 19:00. Its first
  occurrence two days or more after the load has `showcase_going(scale)` members going
  (the reader among them): the event page scenario's.
- Event 1 (`RUSH`, the write scenario's): a weekly workshop, members-only, capacity
  `RUSH_CAPACITY`, 12:00 UTC from the day after the load, no end, no RSVPs: each write run
  takes its first upcoming occurrence nobody has answered yet (`rush_occurrence`).
- RSVPs (`Scale.rsvps` in all, at most): events by popularity (rank ** -0.8), an
  occurrence of the event uniformly among those not cancelled up to `RSVP_HORIZON_DAYS`
  ahead, members by activity (rank ** -0.5, tier holders only for a paid event), one per
  member and occurrence. Answered before the occurrence (a week ahead on average), in that
  order: 70 % going, 20 % maybe, 10 % not going; "going" beyond a capacity waits
  (waitlisted, in the order of answering), as events.services.rsvps would have it.

Events and changes are a few thousand rows (bulk_create); RSVPs are COPYed like the other
big tables. The draw has its own random generator (seeded with the scale and the load's
seed), so a scale loaded before events existed gets the same ones when `seed_bench` adds
them (`dataset.add_events`, in their own transaction; the marker is event 0's slug).
"""

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.utils import timezone

from events import recurrence
from events.models import Event, OccurrenceChange, Rsvp
from events.services.authoring import build_rrule
from events.services.common import instants

from .accounts import READER
from .bulk import copy_rows, quote
from .writes import RUSH_CHECK, RUSH_SEATS

DAY = 86_400.0
SHOWCASE = 0  # the event page scenario's event: weekly, many attendees
RUSH = 1  # the RSVP rush write scenario's event: weekly, RUSH_CAPACITY seats
RUSH_CAPACITY = RUSH_SEATS
SHOWCASE_GOING = 1_500  # members going to the event page scenario's occurrence, at most
RSVP_HORIZON_DAYS = 60  # members answer for occurrences up to this far ahead
EVENT_SKEW = 0.8
MEMBER_SKEW = 0.5

VISIBILITY_CYCLE = ("public", "members", "paid", "members", "public")
KINDS = (
    "Meetup", "Workshop", "Office hours", "AMA", "Study group", "Demo day", "Book club",
    "Coffee chat", "Hack night", "Panel", "Retro", "Writing sprint",
)  # fmt: skip
PLACES = (
    "Community House, room 3", "Café Lumen, upstairs", "Library, seminar room B",
    "Coworking Nord, 5th floor", "Park pavilion (rain: the café)",
)  # fmt: skip
CAPACITIES = (8, 10, 12, 15, 20, 25, 30, 40, 50, 100)


def event_slug(scale_name, i):
    return f"bench-{scale_name}-event-{i}"


def rush_slug(scale_name):
    return event_slug(scale_name, RUSH)


def loaded(scale_name):
    """Event 0's slug is the marker: the scale's events are there."""
    return Event.objects.filter(slug=event_slug(scale_name, SHOWCASE)).exists()


def showcase_going(scale):
    return min(scale.members // 4, SHOWCASE_GOING)


@dataclass
class _Event:
    index: int
    id: int
    paid: bool
    capacity: int | None
    created: float
    # Originals (UTC) of the occurrences members answer for, with their start (epoch).
    occurrences: list = field(default_factory=list)


@dataclass
class Plan:
    """What the event steps pass on to each other (on the dataset Context)."""

    events: list = field(default_factory=list)  # _Event, by index
    showcase_next: datetime | None = None  # the showcase's next occurrence (original start)
    rng: random.Random | None = None


def _plan(ctx):
    if ctx.event_plan is None:
        ctx.event_plan = Plan(rng=random.Random(f"bench-events-{ctx.scale.name}-{ctx.seed}"))
    return ctx.event_plan


def _ts(epoch):
    return datetime.fromtimestamp(epoch, UTC)


def _local_day(epoch, zone):
    return datetime.fromtimestamp(epoch, ZoneInfo(zone)).date()


# --- what each event is ---------------------------------------------------------------------------


def _rule(rng, local_start, zone):
    """A recurring event's RRULE (build_rrule, as the authoring page makes them)."""
    roll = rng.random()
    if roll < 0.15:
        return build_rrule(freq="DAILY", start=local_start, time_zone=zone,
                           count=rng.randint(3, 10))  # fmt: skip
    if roll < 0.7:
        days = {("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local_start.weekday()]}
        if rng.random() < 0.3:
            days.add(rng.choice(("MO", "TU", "WE", "TH", "FR")))
        end = rng.random()
        return build_rrule(
            freq="WEEKLY", start=local_start, time_zone=zone, weekdays=sorted(days),
            interval=1 if rng.random() < 0.8 else 2,
            count=rng.randint(4, 16) if end < 0.5 else None,
            until=(local_start + timedelta(days=rng.randint(30, 180))).date()
            if 0.5 <= end < 23 / 24 else None,
        )  # fmt: skip
    end = rng.random()
    return build_rrule(
        freq="MONTHLY", start=local_start, time_zone=zone,
        monthly_by="date" if rng.random() < 0.5 else "weekday",
        count=rng.randint(3, 12) if end < 0.5 else None,
        until=(local_start + timedelta(days=rng.randint(90, 365))).date() if 0.5 <= end < 0.8
        else None,
    )  # fmt: skip


def _event(ctx, rng, i, tier, texts):
    """Event i (unsaved) as the module docstring describes it."""
    from .dataset import TIME_ZONES

    scale, now = ctx.scale, ctx.now
    visibility = VISIBILITY_CYCLE[i % len(VISIBILITY_CYCLE)]
    capacity, rrule, all_day = None, "", False
    if i == SHOWCASE:
        zone, visibility = "Europe/Berlin", "members"
        title = f"Weekly community call ({scale.name})"
        local_start = datetime.combine(_local_day(now - 364 * DAY, zone), dtime(18))
        rrule = build_rrule(freq="WEEKLY", start=local_start, time_zone=zone)
        hours = 1
    elif i == RUSH:
        zone, visibility, capacity = "UTC", "members", RUSH_CAPACITY
        title = f"Hands-on workshop, {RUSH_CAPACITY} seats ({scale.name})"
        local_start = datetime.combine(_local_day(now + DAY, zone), dtime(12))
        rrule = build_rrule(freq="WEEKLY", start=local_start, time_zone=zone)
        hours = 2
    else:
        zone = rng.choice(TIME_ZONES)
        recurring = i % 3 == 2
        if recurring:
            offset = rng.uniform(-730, 45)
        elif rng.random() < 0.65:
            offset = rng.uniform(-120, 120)
        else:
            offset = rng.uniform(-730, -120)
        local_start = datetime.combine(
            _local_day(now + offset * DAY, zone), dtime(rng.randint(9, 20), rng.choice((0, 30)))
        )
        if recurring:
            rrule = _rule(rng, local_start, zone)
        all_day = not recurring and rng.random() < 0.04
        capacity = rng.choice(CAPACITIES) if rng.random() < 0.3 else None
        title = f"{KINDS[i % len(KINDS)]}: {rng.choice(texts)[0].split('.')[0][:60]}"
        hours = rng.choice((1, 1, 1.5, 2, 3))
    starts_at, ends_at = instants(
        starts_at=local_start, ends_at=local_start + timedelta(hours=hours), time_zone=zone,
        all_day=all_day,
    )  # fmt: skip
    created = min(starts_at.timestamp() - rng.uniform(3, 40) * DAY, now - 3600)
    online = i % 4 == 1 or rng.random() < 0.25
    description, html, _tag = rng.choice(texts)
    return Event(
        title=title[:200], slug=event_slug(scale.name, i), description=description,
        description_html=html, starts_at=starts_at, ends_at=ends_at, time_zone=zone,
        all_day=all_day, location="" if online else rng.choice(PLACES),
        online_url=f"https://meet.example.org/bench-{scale.name}-{i}" if online else "",
        capacity=capacity, rrule=rrule, visibility=visibility,
        required_tier=tier if visibility == "paid" else None, created_by_id=ctx.member_id(0),
        cancelled_at=_ts(created + DAY) if i % 50 == 17 else None,
        deleted_at=_ts(created + DAY) if i % 100 == 41 else None, created_at=_ts(created),
    )  # fmt: skip


def _changes(rng, i, event, now):
    """OccurrenceChange rows (unsaved) of series i: the showcase's fixed two, a quarter of
    the others one or two among their first occurrences (never the first)."""
    if i == SHOWCASE:
        past = recurrence.occurrences(event, start=_ts(now - 100 * DAY), end=_ts(now), changes=())
        ahead = recurrence.occurrences(event, start=_ts(now), end=_ts(now + 30 * DAY), changes=())
        moved = ahead[2]
        return [
            OccurrenceChange(event=event, original_start=past[0].original_start,
                             cancelled_at=_ts(now - 110 * DAY)),
            OccurrenceChange(event=event, original_start=moved.original_start,
                             starts_at=moved.starts_at + timedelta(hours=1),
                             ends_at=moved.ends_at + timedelta(hours=1),
                             title=f"{event.title}, an hour later this week"),
        ]  # fmt: skip
    if not event.rrule or i == RUSH or rng.random() >= 0.25:
        return []
    first = recurrence.occurrences(
        event, start=event.starts_at, end=event.starts_at + timedelta(days=120), changes=()
    )[1:8]
    changes = []
    for occurrence in rng.sample(first, min(len(first), rng.randint(1, 2))):
        if rng.random() < 0.6:
            changes.append(OccurrenceChange(event=event, original_start=occurrence.original_start,
                                            cancelled_at=event.created_at))  # fmt: skip
        else:
            changes.append(OccurrenceChange(
                event=event, original_start=occurrence.original_start,
                starts_at=occurrence.starts_at + timedelta(hours=1),
                ends_at=occurrence.ends_at + timedelta(hours=1),
                title=f"{event.title} (moved an hour later)"[:200],
            ))  # fmt: skip
    return changes


# --- steps (appended to bench.dataset.STEPS) ------------------------------------------------------


def load_events(ctx):
    """The events and their occurrence changes (bulk_create: a few thousand rows), and the
    occurrences members will answer for; returns the events."""
    from community.models import Tier

    from .dataset import _text_pool, tier_slug

    scale, plan = ctx.scale, _plan(ctx)
    if not scale.events:
        return 0
    rng, now = plan.rng, ctx.now
    tier = Tier.objects.get(slug=tier_slug(scale.name))
    texts = _text_pool(rng, 80, sentences=(2, 5))
    events = Event.objects.bulk_create(
        [_event(ctx, rng, i, tier, texts) for i in range(scale.events)], batch_size=500
    )
    changes = {event.pk: _changes(rng, i, event, now) for i, event in enumerate(events)}
    OccurrenceChange.objects.bulk_create(
        [change for listed in changes.values() for change in listed], batch_size=1000
    )
    horizon = _ts(now + RSVP_HORIZON_DAYS * DAY)
    for i, event in enumerate(events):
        entry = _Event(
            index=i, id=event.pk, paid=event.visibility == "paid", capacity=event.capacity,
            created=event.created_at.timestamp(),
        )  # fmt: skip
        if event.deleted_at is None and i != RUSH and event.starts_at < horizon:
            entry.occurrences = [
                (o.original_start, o.starts_at.timestamp())
                for o in recurrence.occurrences(
                    event, start=event.starts_at, end=horizon, changes=changes[event.pk]
                )
                if not o.cancelled or event.cancelled_at is not None
            ]
        plan.events.append(entry)
    showcase = events[SHOWCASE]
    # Two days ahead: the occurrence stays upcoming for days after the load.
    ahead = recurrence.next_occurrence(showcase, _ts(now + 2 * DAY), changes=changes[showcase.pk])
    plan.showcase_next = ahead.original_start
    ctx.event_ids = [event.pk for event in events]
    return len(events)


def load_rsvps(ctx):
    """The event page scenario's attendees, then the drawn RSVPs (COPY); returns the
    rows."""
    from .courses import _tier_holders
    from .dataset import Zipf

    scale, plan = ctx.scale, _plan(ctx)
    if not plan.events:
        return 0
    rng, now, n = plan.rng, ctx.now, scale.members
    holders = _tier_holders(ctx)
    everyone = Zipf(range(n), MEMBER_SKEW, rng)
    paying = Zipf(holders, MEMBER_SKEW, rng) if holders else None
    showcase = plan.events[SHOWCASE]
    fixed = {(SHOWCASE, plan.showcase_next): showcase_going(scale)}
    budget = max(0, scale.rsvps - sum(fixed.values()))

    # How many answers each occurrence gets: events by popularity, then an occurrence of it.
    answered = [e for e in plan.events if e.occurrences and (not e.paid or holders)]
    rng.shuffle(answered)
    # An occurrence every eligible member has answered sends the answer to another one of
    # the event, and after a few tries to any event, so that small scales reach their number.
    counts = {}
    for drawn in Zipf(answered, EVENT_SKEW, rng).draw(budget):
        for attempt in range(20):
            entry = drawn if attempt < 4 else rng.choice(answered)
            room = len(holders) if entry.paid else n
            key = (entry.index, rng.choice(entry.occurrences)[0])
            if key not in fixed and counts.get(key, 0) < room:
                counts[key] = counts.get(key, 0) + 1
                break
    starts = {(e.index, o): s for e in plan.events for o, s in e.occurrences}
    starts[(SHOWCASE, plan.showcase_next)] = plan.showcase_next.timestamp()

    def members(entry, count, must=()):
        pool, skewed = (holders, paying) if entry.paid else (range(n), everyone)
        count = min(count, len(pool))
        chosen = set(must)
        if count * 3 > len(pool):
            for member in rng.sample(pool, count):
                if len(chosen) >= count:
                    break
                chosen.add(member)
        while len(chosen) < count:
            chosen.update(skewed.draw(count - len(chosen)))
        return list(chosen)

    occurrences = [
        (key, members(showcase, count, must=(READER,) if n > READER else ()), True)
        for key, count in fixed.items()
    ] + [(key, members(plan.events[key[0]], count), False) for key, count in counts.items()]
    total = sum(len(chosen) for _key, chosen, _all_going in occurrences)
    table = ctx.bulk_table(Rsvp, total)
    columns = ("event_id", "occurrence_start", "user_id", "status", "status_changed_at",
               "created_at")  # fmt: skip
    statuses = ("going", "maybe", "not_going")
    cumulative = (0.7, 0.9, 1.0)

    def rows():
        for (index, original), chosen, all_going in occurrences:
            entry = plan.events[index]
            start = starts[(index, original)]
            earliest, latest = entry.created + 60, min(start, now) - 60
            times = sorted(
                min(latest, max(earliest, start - rng.expovariate(1 / (7 * DAY)))) for _ in chosen
            )
            seats = entry.capacity
            for member, at in zip(chosen, times, strict=True):
                status = "going" if all_going else statuses[bisect_right(cumulative, rng.random())]
                if status == "going" and seats is not None:
                    status = "going" if seats > 0 else "waitlisted"
                    seats -= status == "going"
                yield (entry.id, original, ctx.member_id(member), status, _ts(at), _ts(at))

    with ctx.progress("rsvps", total) as bar:
        return copy_rows(ctx.cursor, table, columns, rows(), bar)


EVENT_MODELS = (Event, OccurrenceChange, Rsvp)


# --- counters (bench.dataset.recount_counters) and checks (bench.checks.CHECKS) -------------------


def recount_statements(lo, hi):
    """(name, SQL) setting rsvp_count (members going, every occurrence) of the events with ids
    lo..hi: the number events.tasks.recount_event computes. Applied with
    bench.dataset._recount_statement."""
    going = (
        f"SELECT event_id AS object_id, count(*) AS n FROM {quote(Rsvp._meta.db_table)}"  # noqa: S608
        f" WHERE status = 'going' AND event_id BETWEEN {lo:d} AND {hi:d} GROUP BY event_id"
    )
    return [("event.rsvp_count", going)]


def _tables():
    return quote(Event._meta.db_table), quote(Rsvp._meta.db_table)


def check_rsvp_count(_t):
    from .checks import _counter

    event, rsvp = _tables()
    going = (
        f"SELECT event_id AS object_id, COUNT(*) AS n FROM {rsvp}"  # noqa: S608
        " WHERE status = 'going' GROUP BY event_id"
    )
    return _counter(event, "rsvp_count", going)


def check_capacity(_t):
    """Occurrences with more members going than the event's capacity (of those with any)."""
    event, rsvp = _tables()
    return (
        "SELECT COALESCE(SUM(CASE WHEN g.n > e.capacity THEN 1 ELSE 0 END), 0), COUNT(*)"  # noqa: S608
        f" FROM (SELECT event_id, occurrence_start, COUNT(*) AS n FROM {rsvp}"
        " WHERE status = 'going' GROUP BY event_id, occurrence_start) g"
        f" JOIN {event} e ON e.id = g.event_id"
    )


def check_rush(_t):
    """The RSVPs of the rush event's latest answered occurrence (the last write run's, where
    every writer asked for "going"): ids follow the order the answers were committed (each
    is inserted under the event's row lock), so the first `capacity` rows must be going and
    the others waitlisted, the waitlist's own order (status_changed_at, id) the same."""
    event, rsvp = _tables()
    return (
        "SELECT COALESCE(SUM(CASE"  # noqa: S608 - our own table names
        " WHEN r.k <= e.capacity AND r.status = 'going' THEN 0"
        " WHEN r.k > e.capacity AND r.status = 'waitlisted' AND r.w = r.k - e.capacity THEN 0"
        " ELSE 1 END), 0), COUNT(*) FROM ("
        "  SELECT x.event_id, x.status,"
        "   ROW_NUMBER() OVER (PARTITION BY x.event_id ORDER BY x.id) AS k,"
        "   ROW_NUMBER() OVER (PARTITION BY x.event_id, x.status"
        "    ORDER BY x.status_changed_at, x.id) AS w"
        f"  FROM {rsvp} x JOIN {event} v ON v.id = x.event_id"
        f"  WHERE v.slug LIKE 'bench-%%-event-{RUSH:d}'"
        f"  AND x.occurrence_start = (SELECT MAX(y.occurrence_start) FROM {rsvp} y"
        "   WHERE y.event_id = x.event_id)"
        f" ) r JOIN {event} e ON e.id = r.event_id"
    )


CHECKS = [
    ("event.rsvp_count", check_rsvp_count),
    ("rsvp going <= capacity", check_capacity),
    (RUSH_CHECK, check_rush),
]


# --- facts for the scenarios ----------------------------------------------------------------------


def _month_window(year, month):
    start = datetime(year, month, 1, tzinfo=UTC)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return start, following


def scenario_facts(scale_name, viewer):
    """The event page scenario's occurrence (the showcase's with the most members going:
    the loaded one, upcoming for days after the load) and the month of the month view and
    API list scenarios: this month or the next, whichever holds more of the occurrences the
    viewer sees. Empty when the scale has no events."""
    from django.db.models import Count

    from events.selectors import occurrences_in_window
    from events.views.common import occurrence_key

    showcase = Event.objects.filter(slug=event_slug(scale_name, SHOWCASE)).first()
    if showcase is None:
        return {}
    now = timezone.now()
    busiest = (
        Rsvp.objects.filter(event=showcase, status="going")
        .values("occurrence_start")
        .annotate(n=Count("id"))
        .order_by("-n", "-occurrence_start")
        .first()
    )
    this_month = (now.year, now.month)
    next_month = (now.year + now.month // 12, now.month % 12 + 1)
    listed = {
        month: len(occurrences_in_window(viewer, start=start, end=end))
        for month in (this_month, next_month)
        for start, end in [_month_window(*month)]
    }
    year, month = max(listed, key=lambda m: (listed[m], m == this_month))
    return {
        "event_slug": showcase.slug,
        "event_occurrence": occurrence_key(busiest["occurrence_start"]),
        "events_year": year,
        "events_month": month,
        "event_going": busiest["n"],
        "month_occurrences": listed[(year, month)],
    }


def month_query(year, month):
    """?start=&end= of a month, for the API list."""
    start, end = _month_window(year, month)
    return {"start": start.date().isoformat(), "end": end.date().isoformat()}


def rush_occurrence(scale_name):
    """(slug, original start in ISO 8601) of the rush event's first occurrence starting in
    more than an hour that nobody has answered: each write run fills a fresh one."""
    event = Event.objects.filter(slug=rush_slug(scale_name)).first()
    if event is None:
        return "", ""
    soon = timezone.now() + timedelta(hours=1)
    answered = set(
        Rsvp.objects.filter(event=event, occurrence_start__gt=soon).values_list(
            "occurrence_start", flat=True
        )
    )
    for occurrence in recurrence.occurrences(event, start=soon, end=soon + timedelta(days=1100)):
        if occurrence.starts_at > soon and occurrence.original_start not in answered:
            return event.slug, occurrence.original_start.isoformat().replace("+00:00", "Z")
    raise LookupError(f"every upcoming occurrence of {event.slug} has RSVPs: reload the scale")
