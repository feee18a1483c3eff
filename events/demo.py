"""Demo events: a one-off town hall next week, a weekly co-working series (it began two weeks
ago) with one coming occurrence cancelled, a small portfolio review that is full (two
seats, Lena and Tomás going, Mei waiting), and last month's launch party.

Rows are written with the ORM (as a fixture would), keyed by slug, so running `seed_demo`
again adds only what is missing; the counters come from tasks.recount_event. Dates are
relative to the day of seeding, so the demo always has something coming up.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from community.demo import register_seeder
from community.richtext import render_markdown

from . import recurrence, tasks
from .models import Event, OccurrenceChange, Rsvp
from .services.common import instants

TOWN_HALL = {
    "slug": "community-town-hall",
    "title": "Community town hall",
    "time_zone": "Europe/Berlin",
    "days_from_now": 9,
    "at": time(18, 0),
    "hours": 1,
    "online_url": "https://meet.example.com/agora-town-hall",
    "description": (
        "Our quarterly town hall: what changed, what's next, and **your questions**.\n\n"
        "Post questions in advance in the *Announcements* space."
    ),
}
CO_WORKING = {
    "slug": "weekly-co-working",
    "title": "Weekly co-working",
    "time_zone": "Europe/London",
    "days_from_now": -14,
    "at": time(9, 0),
    "hours": 2,
    "online_url": "https://meet.example.com/agora-co-working",
    "rrule": "FREQ=WEEKLY",
    "description": (
        "Two quiet hours of work together, cameras optional. We share goals at the start "
        "and wins at the end.\n\n- bring one task\n- mute by default"
    ),
}
PORTFOLIO_REVIEW = {
    "slug": "portfolio-review",
    "title": "Portfolio review (small group)",
    "time_zone": "Africa/Lagos",
    "days_from_now": 5,
    "at": time(17, 0),
    "hours": 1,
    "location": "Design studio, 12 Broad Street",
    "capacity": 2,
    "description": "Two members show their portfolio and get **honest, kind** feedback.",
}
LAUNCH_PARTY = {
    "slug": "launch-party",
    "title": "Launch party",
    "time_zone": "Europe/Berlin",
    "days_from_now": -30,
    "at": time(19, 0),
    "hours": 3,
    "location": "Café Linde, Berlin",
    "description": "We opened the doors of Agora. Thank you all for coming!",
}


@register_seeder
def seed_events(members):
    admin = members["admin"]
    town_hall = _event(TOWN_HALL, admin)
    co_working = _event(CO_WORKING, admin)
    review = _event(PORTFOLIO_REVIEW, admin)
    party = _event(LAUNCH_PARTY, admin)
    _cancel_next_occurrence(co_working, weeks_ahead=1)
    _rsvp(town_hall, [members["lena"], members["sam"], members["noor"]], Rsvp.Status.GOING)
    _rsvp(town_hall, [members["tomas"]], Rsvp.Status.MAYBE)
    _rsvp(review, [members["lena"], members["tomas"]], Rsvp.Status.GOING)
    _rsvp(review, [members["mei"]], Rsvp.Status.WAITLISTED)
    _rsvp(party, [members["lena"], members["sam"], members["mei"]], Rsvp.Status.GOING)
    for event in (town_hall, co_working, review, party):
        tasks.recount_event(event.pk)


def _event(spec, author):
    event = Event.objects.filter(slug=spec["slug"]).first()
    if event is not None:
        return event
    zone = ZoneInfo(spec["time_zone"])
    day = timezone.now().astimezone(zone).date() + timedelta(days=spec["days_from_now"])
    starts_at = datetime.combine(day, spec["at"])
    starts_at, ends_at = instants(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=spec["hours"]),
        time_zone=spec["time_zone"], all_day=False,
    )  # fmt: skip
    return Event.objects.create(
        slug=spec["slug"], title=spec["title"], description=spec["description"],
        description_html=render_markdown(spec["description"]), starts_at=starts_at,
        ends_at=ends_at, time_zone=spec["time_zone"], location=spec.get("location", ""),
        online_url=spec.get("online_url", ""), capacity=spec.get("capacity"),
        rrule=spec.get("rrule", ""), visibility=Event.Visibility.MEMBERS, created_by=author,
    )  # fmt: skip


def _cancel_next_occurrence(series, *, weeks_ahead):
    """Cancels the occurrence `weeks_ahead` weeks after the next one, once: a series shows
    one struck-through date."""
    if series.changes.exists():
        return
    upcoming = recurrence.next_occurrence(series, timezone.now(), changes=())
    cancelled = recurrence.next_occurrence(
        series, upcoming.original_start + timedelta(weeks=weeks_ahead), changes=()
    )
    OccurrenceChange.objects.create(
        event=series, original_start=cancelled.original_start, cancelled_at=timezone.now()
    )


def _rsvp(event, members, status):
    """RSVPs to the event's first occurrence, in the order given (the waitlist's order)."""
    now = timezone.now()
    for position, member in enumerate(members):
        Rsvp.objects.get_or_create(
            event=event, occurrence_start=event.starts_at, user=member,
            defaults={"status": status, "status_changed_at": now + timedelta(seconds=position)},
        )  # fmt: skip
