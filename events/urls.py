from django.urls import path, register_converter

from .views import event, feeds, listing, manage
from .views.common import OccurrenceKeyConverter

app_name = "events"

# An occurrence's original start, 20261210T180000Z (views/common.py).
register_converter(OccurrenceKeyConverter, "occurrence")

urlpatterns = [
    path("events/", listing.upcoming, name="list"),
    path("events/past/", listing.past, name="past"),
    path("events/calendar/", listing.month, name="calendar"),
    path("events/calendar/<int:year>/<int:month>/", listing.month, name="calendar_month"),
    path("events/feed/", feeds.manage_feed, name="manage_feed"),
    path("events/feed/<str:action>/", feeds.change_feed, name="change_feed"),
    path("events/feed/<str:token>.ics", feeds.feed, name="feed"),
    # The admins' pages (views/manage.py).
    path("events/manage/", manage.manage_events, name="manage_events"),
    path("events/manage/new/", manage.manage_new_event, name="manage_new_event"),
    path("events/manage/import/", manage.manage_import, name="manage_import"),
    path("events/manage/<int:event_id>/edit/", manage.manage_edit_event, name="manage_edit_event"),
    path(
        "events/manage/<int:event_id>/cancel/",
        manage.manage_cancel_event,
        name="manage_cancel_event",
    ),
    path(
        "events/manage/<int:event_id>/delete/",
        manage.manage_delete_event,
        name="manage_delete_event",
    ),
    path(
        "events/manage/<int:event_id>/<occurrence:start>/",
        manage.manage_occurrence,
        name="manage_occurrence",
    ),
    path(
        "events/manage/<int:event_id>/<occurrence:start>/cancel/",
        manage.manage_cancel_occurrence,
        name="manage_cancel_occurrence",
    ),
    # One event, after the fixed paths above (whose names an event's slug may not take).
    path("events/<slug:slug>/", event.event, name="event"),
    path("events/<slug:slug>/calendar.ics", event.event_ics, name="ics"),
    path("events/<slug:slug>/<occurrence:start>/", event.event, name="occurrence"),
    path("events/<slug:slug>/<occurrence:start>/rsvp/", event.rsvp, name="rsvp"),
    path("events/<slug:slug>/<occurrence:start>/attendees/", event.attendees, name="attendees"),
]
