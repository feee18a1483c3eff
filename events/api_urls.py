"""The events API, under /api/v1/ (config/urls.py mounts it before the JSON 404 for every
other path under /api/). An event is addressed by its slug, as its page is; an occurrence
by its original start in ISO 8601 with its offset (2026-12-11T18:00:00Z), which stays its
name when it is moved. Where members and admins share a path (the list and creating, an
event and editing it), the view is the admins' one, which extends the members' reads."""

from django.urls import path

from .api import authoring, members

OCCURRENCE = "events/<slug:slug>/occurrences/<str:original_start>/"

urlpatterns = [
    # Members (and admins)
    path("events/", authoring.EventListView.as_view(), name="api-events"),
    # Before the event's own path: "import" is not a slug to look up.
    path("events/import/", authoring.EventImportView.as_view(), name="api-events-import"),
    path("events/<slug:slug>/", authoring.EventDetailView.as_view(), name="api-event"),
    path("events/<slug:slug>/rsvp/", members.RsvpView.as_view(), name="api-event-rsvp"),
    path("events/<slug:slug>/ics/", members.EventIcsView.as_view(), name="api-event-ics"),
    path(
        OCCURRENCE + "attendees/",
        members.AttendeeListView.as_view(),
        name="api-event-attendees",
    ),
    path("me/calendar-feed/", members.CalendarFeedView.as_view(), name="api-calendar-feed"),
    # Admins
    path(
        "events/<slug:slug>/cancel/", authoring.EventCancelView.as_view(), name="api-event-cancel"
    ),
    path("events/<slug:slug>/split/", authoring.EventSplitView.as_view(), name="api-event-split"),
    path(OCCURRENCE, authoring.OccurrenceDetailView.as_view(), name="api-event-occurrence"),
    path(
        OCCURRENCE + "cancel/",
        authoring.OccurrenceCancelView.as_view(),
        name="api-event-occurrence-cancel",
    ),
]
