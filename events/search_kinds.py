"""Events' searchable kind (community/search/sources.py), registered in
EventsConfig.ready(). The columns are those migration 0004_search indexes."""

from django.urls import reverse

from community.search import Source

from . import access
from .models import Event

# The result's time stays the default, when the event was created: the results page shows
# times as "… ago", which a start next week cannot be.
EVENTS = Source(
    kind="events",
    label="Events",
    model=Event,
    columns={"title": "A", "description": "B"},
    snippet="description",
    visible=access.visible_events,
    title=lambda event: event.title,
    url=lambda event: reverse("events:event", args=[event.slug]),
)
