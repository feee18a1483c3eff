"""What admins do over the API: create, edit, cancel and delete events, cancel or change
one occurrence, change a series from one occurrence on (“this and following”), and import
an .ics file. events.services check the admin and validate; non-admins get a 403 before
anything is looked up. A series comes as the authoring page's simple choices (`freq` and
its options, turned into an RRULE by build_rrule) or as a raw `rrule`."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from community.api.toolkit import read_body

from .. import selectors
from ..services import authoring as services
from ..services import occurrences
from ..services.imports import import_calendar
from . import members
from .base import AuthoringView, CanAuthorWrites, event_or_404, occurrence_or_404
from .serializers import (
    EventCreateSerializer,
    EventDetailSerializer,
    EventUpdateSerializer,
    ImportResultSerializer,
    ImportSerializer,
    OccurrenceChangeSerializer,
    OccurrenceSerializer,
    SplitSerializer,
)

RULE_OPTIONS = ("interval", "weekdays", "monthly_by", "until", "count")


def with_rule(data, *, start, time_zone):
    """The write's fields with the simple builder's choices (if any) made into `rrule`.
    `start` is the first occurrence's wall-clock time in `time_zone`."""
    options = {name: data.pop(name) for name in RULE_OPTIONS if name in data}
    freq = data.pop("freq", None)
    if freq:
        data["rrule"] = services.build_rrule(freq=freq, start=start, time_zone=time_zone,
                                             **options)  # fmt: skip
    elif options:
        raise ValidationError({"freq": [f"Give `freq` with {', '.join(sorted(options))}."]})
    return data


def _changes(data, event, *, first_start):
    """The fields of a write to an existing event (or a part of it starting at
    `first_start`), its rule built in its (new) zone."""
    time_zone = data.get("time_zone", event.time_zone)
    start = data.get("starts_at") or services.local(first_start, ZoneInfo(event.time_zone))
    return with_rule(data, start=start, time_zone=time_zone)


def _detail(request, event, code=status.HTTP_200_OK):
    """The event as GET /events/{slug}/ gives it, read again after the write."""
    return members.event_detail_response(request, event_or_404(request.user, event.slug), code)


def _occurrence(request, occurrence):
    row = selectors.with_rsvps_and_seats(request.user, [occurrence])[0]
    return Response(OccurrenceSerializer(row).data)


# --- Events (the collection and an event share their paths with the members' reads) -----------


class EventListView(members.OccurrenceListView):
    permission_classes = [IsAuthenticated, CanAuthorWrites]

    @extend_schema(
        operation_id="events_create",
        request=EventCreateSerializer,
        responses={201: EventDetailSerializer},
        summary="Create an event, one-off or a series (admins)",
    )
    def post(self, request):
        data = read_body(EventCreateSerializer, request)
        data = with_rule(data, start=data["starts_at"], time_zone=data["time_zone"])
        event = services.create_event(request.user, **data)
        return _detail(request, event, status.HTTP_201_CREATED)


class EventDetailView(members.EventDetailView):
    permission_classes = [IsAuthenticated, CanAuthorWrites]

    @extend_schema(
        operation_id="events_partial_update",
        request=EventUpdateSerializer,
        responses=EventDetailSerializer,
        summary="Edit an event; moving its start moves the whole series with its RSVPs (admins)",
    )
    def patch(self, request, slug):
        event = event_or_404(request.user, slug)
        data = read_body(EventUpdateSerializer, request, partial=True)
        changes = _changes(data, event, first_start=event.starts_at)
        return _detail(request, services.update_event(request.user, event=event, **changes))

    @extend_schema(
        operation_id="events_destroy",
        responses={204: None},
        summary="Delete an event (soft: it leaves every list and feed; admins)",
    )
    def delete(self, request, slug):
        services.delete_event(request.user, event=event_or_404(request.user, slug))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EventCancelView(AuthoringView):
    @extend_schema(
        operation_id="events_cancel",
        request=None,
        responses=EventDetailSerializer,
        summary="Cancel every occurrence: the event stays listed, cancelled (admins)",
    )
    def post(self, request, slug):
        event = event_or_404(request.user, slug)
        return _detail(request, services.cancel_event(request.user, event=event))


class OccurrenceDetailView(AuthoringView):
    @extend_schema(
        operation_id="events_occurrences_partial_update",
        request=OccurrenceChangeSerializer,
        responses=OccurrenceSerializer,
        summary="Move, rename or relocate one occurrence of a series; its RSVPs stay with "
        "it (admins)",
    )
    def patch(self, request, slug, original_start):
        event = event_or_404(request.user, slug)
        occurrence = occurrence_or_404(event, original_start)
        data = read_body(OccurrenceChangeSerializer, request)
        changed = occurrences.change_occurrence(
            request.user, event=event, original_start=occurrence.original_start, **data
        )
        return _occurrence(request, changed)


class OccurrenceCancelView(AuthoringView):
    @extend_schema(
        operation_id="events_occurrences_cancel",
        request=None,
        responses=OccurrenceSerializer,
        summary="Cancel one occurrence of a series; its RSVPs stay, for the record (admins)",
    )
    def post(self, request, slug, original_start):
        event = event_or_404(request.user, slug)
        occurrence = occurrence_or_404(event, original_start)
        cancelled = occurrences.cancel_occurrence(
            request.user, event=event, original_start=occurrence.original_start
        )
        return _occurrence(request, cancelled)


class EventSplitView(AuthoringView):
    @extend_schema(
        operation_id="events_split",
        request=SplitSerializer,
        responses={201: EventDetailSerializer},
        summary="Change a series from one occurrence on (“this and following”): the series "
        "ends before it and a new event, answered, takes it and the rest with their RSVPs "
        "(admins)",
    )
    def post(self, request, slug):
        event = event_or_404(request.user, slug)
        data = read_body(SplitSerializer, request)
        original_start = data.pop("occurrence")
        changes = _changes(data, event, first_start=original_start)
        try:
            later = occurrences.split_series(
                request.user, event=event, original_start=original_start, **changes
            )
        except ValidationError as refused:
            # The service names the occurrence `original_start`; here it is `occurrence`.
            if "original_start" not in getattr(refused, "error_dict", {}):
                raise
            raise ValidationError({"occurrence": refused.message_dict["original_start"]}) from None
        return _detail(request, later, status.HTTP_201_CREATED)


class EventImportView(AuthoringView):
    @extend_schema(
        operation_id="events_import",
        request={"multipart/form-data": ImportSerializer},
        responses=ImportResultSerializer,
        summary="Import an .ics file: each VEVENT becomes an event (its exceptions and "
        "changed occurrences too); those that cannot are named in `errors` (admins)",
    )
    def post(self, request):
        data = read_body(ImportSerializer, request)
        events, errors = import_calendar(request.user, upload=data.pop("file"), **data)
        return Response(ImportResultSerializer({"created": [e.pk for e in events],
                                                "errors": errors}).data)  # fmt: skip
