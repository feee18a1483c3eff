"""What members do over the API: the occurrences of the events they may see in a window,
an event with its next occurrences, who is going, RSVPs (with the waitlist), the .ics file
and their private calendar feed's token. The same access rules, selectors and services as
the event pages."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from community.api.errors import ErrorSerializer
from community.api.toolkit import (
    PageQuerySerializer,
    cursor_page_serializer,
    page_response,
    read_body,
    read_query,
)
from community.pagination import keyset_page

from .. import access, ical, recurrence, selectors
from ..models import CalendarFeed, Rsvp
from ..services import feeds
from ..services import rsvps as rsvp_services
from .base import LOCKED, EventsView, event_or_404, occurrence_or_404, open_event_or_403
from .serializers import (
    AttendeeQuerySerializer,
    AttendeeSerializer,
    CalendarFeedSerializer,
    EventDetailSerializer,
    OccurrenceSerializer,
    RsvpInputSerializer,
    RsvpSerializer,
)

DETAIL_OCCURRENCES = 50

# --- The list's query -------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class MomentField(serializers.Field):
    """An ISO 8601 date (its midnight, UTC) or datetime (UTC when it has no offset), in the
    years 1900 to 2999: a window reaching the ends of the calendar would overflow."""

    def to_internal_value(self, data):
        try:
            moment = datetime.fromisoformat(data)
            moment = moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment
            moment = moment.astimezone(UTC)
        except (TypeError, ValueError, OverflowError):
            moment = None
        if moment is None or not 1900 <= moment.year <= 2999:
            raise serializers.ValidationError(
                "Give an ISO 8601 date or datetime in the years 1900 to 2999, e.g. 2026-12-01 "
                "or 2026-12-01T18:00:00Z."
            )
        return moment

    def to_representation(self, value):
        return value.isoformat()


class OccurrenceQuerySerializer(PageQuerySerializer):
    start = MomentField(
        required=False, help_text="The window's start (default: now). ISO date or datetime."
    )
    end = MomentField(
        required=False,
        help_text=f"The window's end, exclusive (default: start + "
        f"{selectors.DEFAULT_WINDOW.days} days); at most {selectors.MAX_WINDOW_DAYS} days after "
        "start.",
    )
    when = serializers.ChoiceField(
        choices=["upcoming", "past"], required=False,
        help_text=f"Instead of start/end: `upcoming` (from now, {selectors.MAX_WINDOW_DAYS} "
        f"days ahead) or `past` (the {selectors.MAX_WINDOW_DAYS} days before now, latest first).",
    )  # fmt: skip

    def validate(self, data):
        now = timezone.now().replace(microsecond=0)
        reach = timedelta(days=selectors.MAX_WINDOW_DAYS)
        when = data.get("when")
        if when and ("start" in data or "end" in data):
            raise serializers.ValidationError({"when": ["Give `when` or start/end, not both."]})
        if when == "upcoming":
            data["start"], data["end"] = now, now + reach
        elif when == "past":
            data["start"], data["end"] = now - reach, now
        else:
            data.setdefault("start", now)
            data.setdefault("end", data["start"] + selectors.DEFAULT_WINDOW)
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": ["The window ends after it starts."]})
        if data["end"] - data["start"] > reach:
            raise serializers.ValidationError(
                {"end": [f"A window is at most {selectors.MAX_WINDOW_DAYS} days long."]}
            )
        return data


# --- Answers ----------------------------------------------------------------------------------


def event_detail_response(request, event, code=status.HTTP_200_OK):
    """The event with its next occurrences (those not ended within DEFAULT_WINDOW from now,
    at most DETAIL_OCCURRENCES), the viewer's RSVPs and free seats."""
    now = timezone.now()
    upcoming = recurrence.occurrences(event, start=now, end=now + selectors.DEFAULT_WINDOW)
    event.occurrences = selectors.with_rsvps_and_seats(request.user, upcoming[:DETAIL_OCCURRENCES])
    return Response(EventDetailSerializer(event).data, status=code)


def rsvp_data(row, event):
    position = None
    if row.status == Rsvp.Status.WAITLISTED:
        position = (
            selectors.attendees(
                event, occurrence_start=row.occurrence_start, status=Rsvp.Status.WAITLISTED
            )
            .filter(status_changed_at__lte=row.status_changed_at)
            .count()
        )
    return {
        "event_id": event.pk,
        "occurrence": row.occurrence_start,
        "status": row.status,
        "waitlist_position": position,
        "seats_left": selectors.seats_left(event, occurrence_start=row.occurrence_start),
    }


def feed_response(request, feed, code=status.HTTP_200_OK):
    """The feed with its absolute URL (the event pages serve it, without a session)."""
    url = request.build_absolute_uri(reverse("events:feed", kwargs={"token": feed.token}))
    data = {"token": feed.token, "feed_url": url, "created_at": feed.created_at}
    return Response(CalendarFeedSerializer(data).data, status=code)


NOT_ATTENDEES = OpenApiResponse(
    ErrorSerializer,
    description="A paid event you may only preview (its tier is named), or the waitlist "
    "asked for by someone who is not an admin.",
)
ICS = {
    (200, "text/calendar"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="An iCalendar (RFC 5545) file: the event, its rule, exceptions and "
        "changed occurrences, with a VTIMEZONE for its zone.",
    ),
    403: LOCKED,
}


# --- Views ------------------------------------------------------------------------------------


class OccurrenceListView(EventsView):
    @extend_schema(
        operation_id="events_list",
        parameters=[OccurrenceQuerySerializer],
        responses=cursor_page_serializer(OccurrenceSerializer),
        summary="The occurrences of the events you may see (paid ones you may buy: "
        "is_locked) in a window, in order of start, with your RSVP and the seats left",
    )
    def get(self, request):
        query = read_query(OccurrenceQuerySerializer, request)
        page = selectors.occurrence_page(
            request.user, start=query["start"], end=query["end"], cursor=query.get("cursor"),
            size=query["size"], newest_first=query.get("when") == "past",
        )  # fmt: skip
        page.items = selectors.with_rsvps_and_seats(request.user, page.items)
        return page_response(request, page, OccurrenceSerializer)


class EventDetailView(EventsView):
    @extend_schema(
        operation_id="events_retrieve",
        responses=EventDetailSerializer,
        summary=f"An event with its rule and its occurrences in the next "
        f"{selectors.DEFAULT_WINDOW.days} days (at most {DETAIL_OCCURRENCES})",
    )
    def get(self, request, slug):
        return event_detail_response(request, event_or_404(request.user, slug))


class AttendeeListView(EventsView):
    @extend_schema(
        operation_id="events_attendees_list",
        parameters=[AttendeeQuerySerializer, PageQuerySerializer],
        responses={200: cursor_page_serializer(AttendeeSerializer), 403: NOT_ATTENDEES},
        summary="Who is going to one occurrence, in the order they took their seat; "
        "admins may ask for its waitlist",
    )
    def get(self, request, slug, original_start):
        query = read_query(AttendeeQuerySerializer, request)
        page_query = read_query(PageQuerySerializer, request)
        if query["waitlist"] and not access.can_author(request.user):
            raise PermissionDenied("Only admins may see the waitlist.")
        wanted = Rsvp.Status.WAITLISTED if query["waitlist"] else Rsvp.Status.GOING
        event = open_event_or_403(request.user, slug)
        occurrence = occurrence_or_404(event, original_start)
        rows = selectors.attendees(event, occurrence_start=occurrence.original_start, status=wanted)
        page = keyset_page(rows, cursor=page_query.get("cursor"), size=page_query["size"],
                           fields=("status_changed_at", "id"), ascending=True)  # fmt: skip
        return page_response(request, page, AttendeeSerializer)


class RsvpView(EventsView):
    @extend_schema(
        operation_id="events_rsvp",
        request=RsvpInputSerializer,
        responses=RsvpSerializer,
        summary="Answer for one occurrence: going (a seat, or the waitlist when full), maybe "
        "or not going (which gives your seat to the first waiting)",
    )
    def post(self, request, slug):
        event = event_or_404(request.user, slug)
        data = read_body(RsvpInputSerializer, request)
        row = rsvp_services.rsvp(request.user, event=event, occurrence_start=data["occurrence"],
                                 status=data["status"])  # fmt: skip
        return Response(RsvpSerializer(rsvp_data(row, event)).data)


class EventIcsView(EventsView):
    @extend_schema(
        operation_id="events_ics",
        responses=ICS,
        summary="The event as an .ics file, to import into a calendar app",
    )
    def get(self, request, slug):
        event = open_event_or_403(request.user, slug)
        body = ical.calendar_for([(event, list(event.changes.all()))], name=event.title)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
        return response


class CalendarFeedView(EventsView):
    @extend_schema(
        operation_id="me_calendar_feed_retrieve",
        responses={
            200: CalendarFeedSerializer,
            404: OpenApiResponse(ErrorSerializer, description="You have no calendar feed."),
        },
        summary="Your private calendar feed (404: you have none)",
    )
    def get(self, request):
        feed = CalendarFeed.objects.filter(user=request.user).first()
        if feed is None:
            raise Http404("You have no calendar feed.")
        return feed_response(request, feed)

    @extend_schema(
        operation_id="me_calendar_feed_create",
        request=None,
        responses={201: CalendarFeedSerializer, 200: CalendarFeedSerializer},
        summary="Make your private calendar feed (201) or, if you have one, give it a new "
        "token: the old URL stops working (200)",
    )
    def post(self, request):
        existed = CalendarFeed.objects.filter(user=request.user).exists()
        feed = feeds.rotate_feed(request.user)
        return feed_response(request, feed, status.HTTP_200_OK if existed else 201)

    @extend_schema(
        operation_id="me_calendar_feed_destroy",
        responses={204: None},
        summary="Revoke your calendar feed: its URL stops working",
    )
    def delete(self, request):
        feeds.revoke_feed(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
