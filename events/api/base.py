"""What every events API view shares: its operations grouped under one `events` tag in the
schema, the lookups that answer 404 for what the member may not see, the reading of an
occurrence named in the path, and the admins' permission (documented as a 403)."""

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions
from rest_framework.views import APIView

from community.api.errors import ErrorSerializer
from community.api.schema import AgoraAutoSchema

from .. import access, recurrence
from ..models import Event

LOCKED = OpenApiResponse(
    ErrorSerializer, description="A paid event you may only preview (its tier is named)."
)


class EventsSchema(AgoraAutoSchema):
    def get_tags(self):
        return ["events"]


class AuthoringSchema(EventsSchema):
    """Every admin operation may answer 403."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            operation["responses"].setdefault("403", self.error_response("403"))
        return operation


class EventsView(APIView):
    schema = EventsSchema()


class CanAuthor(permissions.BasePermission):
    message = "Only admins may edit events."

    def has_permission(self, request, view):
        return access.can_author(request.user)


class CanAuthorWrites(CanAuthor):
    """Where members read and admins write on one path (the list, an event)."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or super().has_permission(request, view)


class AuthoringView(EventsView):
    """The admins' routes: refused with a 403 before anything is looked up (the services
    check again)."""

    permission_classes = [permissions.IsAuthenticated, CanAuthor]
    schema = AuthoringSchema()


# --- Lookups ----------------------------------------------------------------------------------


def event_or_404(user, slug):
    """The event the member may see, or preview (`is_locked` true: a paid event without its
    tier), else a 404."""
    event = Event.objects.alive().select_related("required_tier").filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    if access.can_see_event(user, event):
        event.is_locked = False
    elif access.can_preview_event(user, event):
        event.is_locked = True
    else:
        raise Http404("No such event.")
    return event


def open_event_or_403(user, slug):
    """An event the member may see in full: a locked paid one is a 403 naming its tier."""
    event = event_or_404(user, slug)
    if event.is_locked:
        raise PermissionDenied(
            f"This event is for {event.required_tier.name} members: its plans are at "
            "GET /api/v1/payments/plans/."
        )
    return event


def parse_instant(text, field):
    """An ISO 8601 instant with its offset (or Z), in UTC; anything else a 400 naming
    `field`."""
    try:
        moment = datetime.fromisoformat(text)
        moment = moment.astimezone(UTC) if moment.tzinfo else moment
    except (TypeError, ValueError, OverflowError):
        moment = None
    if moment is None or timezone.is_naive(moment):
        message = "Give the original start in ISO 8601 with its offset: 2026-12-11T18:00:00Z."
        raise ValidationError({field: [message]})
    return moment


def occurrence_or_404(event, original_start):
    """The occurrence of `event` whose original start the path names, else a 404."""
    occurrence = recurrence.occurrence_at(event, parse_instant(original_start, "original_start"))
    if occurrence is None:
        raise Http404("No such occurrence of this event.")
    return occurrence
