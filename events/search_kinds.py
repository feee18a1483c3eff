"""Events' searchable kind (community/search/sources.py), registered in
EventsConfig.ready(). The columns are those migration 0004_search indexes."""

from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from community.search import Source

from . import access
from .models import Event


def _title(event):
    """The event's title and its date, in its own time zone ("Seed swap (Thu 10 Dec 2026)";
    a repeating one from its first date): the result's time is when it was written."""
    first = date_format(localtime(event.starts_at, ZoneInfo(event.time_zone)), "D j M Y")
    return f"{event.title} ({f'repeats from {first}' if event.rrule else first})"


# The result's time stays the default, when the event was created: the results page shows
# times as "… ago", which a start next week cannot be; the title says when it is.
EVENTS = Source(
    kind="events",
    label="Events",
    model=Event,
    columns={"title": "A", "description": "B"},
    snippet="description",
    visible=access.visible_events,
    title=_title,
    url=lambda event: reverse("events:event", args=[event.slug]),
)
