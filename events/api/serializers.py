"""The events API's shapes. Times out are ISO 8601 in UTC whoever asks (community.api.fields
explains why), with the event's `time_zone` beside them for showing wall-clock times.
Times in are what an organiser types: wall-clock times without an offset, read in the
event's `time_zone` (the services refuse one the clocks skip). What a write accepts is a
StrictSerializer: an unknown key is a 400 naming it; events.services validate the values."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from community import selectors as community_selectors
from community.api.fields import UtcDateTimeField
from community.api.serializers import AuthorSerializer
from community.api.toolkit import AvatarUrlField, StrictSerializer

from ..models import Event, Rsvp
from ..services import authoring

# --- Occurrences ------------------------------------------------------------------------------


class OccurrenceSerializer(serializers.Serializer):
    """One occurrence of an event, named by its original start (RFC 5545's RECURRENCE-ID):
    the key to RSVP to it, list its attendees or change it, even after it moved."""

    event_id = serializers.IntegerField(source="occurrence.event.pk")
    slug = serializers.CharField(source="occurrence.event.slug")
    title = serializers.CharField(
        source="occurrence.title", help_text="This occurrence's (it may differ from the series')."
    )
    original_start = UtcDateTimeField(source="occurrence.original_start")
    starts_at = UtcDateTimeField(source="occurrence.starts_at")
    ends_at = UtcDateTimeField(
        source="occurrence.ends_at", help_text="Exclusive: an all-day event ends at midnight."
    )
    time_zone = serializers.CharField(source="occurrence.event.time_zone")
    all_day = serializers.BooleanField(source="occurrence.event.all_day")
    location = serializers.CharField(source="occurrence.location")
    online_url = serializers.SerializerMethodField(
        help_text="The link to join; null on a paid event you may only preview."
    )
    capacity = serializers.IntegerField(
        source="occurrence.event.capacity", allow_null=True, help_text="Null: no limit."
    )
    seats_left = serializers.IntegerField(allow_null=True, help_text="Null: no limit.")
    cancelled = serializers.BooleanField(source="occurrence.cancelled")
    is_locked = serializers.SerializerMethodField(
        help_text="A paid event you may see but not join without its tier (see the plans)."
    )
    my_rsvp = serializers.CharField(
        allow_null=True,
        help_text="Your answer: going, maybe, not_going or waitlisted; null: none.",
    )

    def get_is_locked(self, row) -> bool:
        return bool(getattr(row["occurrence"].event, "is_locked", False))

    def get_online_url(self, row) -> str | None:
        event = row["occurrence"].event
        return None if self.get_is_locked(row) or not event.online_url else event.online_url


# --- An event ---------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer):
    """An event (a series: its first occurrence and its rule) with what you may do."""

    cover_url = AvatarUrlField(source="cover", help_text="The event's picture, or null.")
    starts_at = UtcDateTimeField(help_text="The first occurrence's start.")
    ends_at = UtcDateTimeField(help_text="The first occurrence's end (exclusive).")
    online_url = serializers.SerializerMethodField(
        help_text="The link to join; null on a paid event you may only preview."
    )
    required_tier = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True,
        help_text="The tier a paid event needs (its slug); null otherwise.",
    )  # fmt: skip
    is_locked = serializers.BooleanField(
        read_only=True, help_text="A paid event you may see but not join without its tier."
    )
    rrule = serializers.CharField(
        read_only=True, help_text="The RFC 5545 RRULE value; empty for a one-off event."
    )
    rdates = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Extra dates (ISO 8601)."
    )
    cancelled = serializers.SerializerMethodField()
    split_from = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True,
        help_text="The series this one continues (“this and following”), by slug.",
    )  # fmt: skip
    ics_url = serializers.SerializerMethodField(help_text="This event as an .ics file.")

    class Meta:
        model = Event
        fields = ["id", "slug", "title", "description_html", "cover_url", "starts_at",
                  "ends_at", "time_zone", "all_day", "location", "online_url", "capacity",
                  "visibility", "required_tier", "is_locked", "rrule", "rdates", "cancelled",
                  "rsvp_count", "split_from", "ics_url"]  # fmt: skip
        read_only_fields = fields

    def get_online_url(self, event) -> str | None:
        return None if event.is_locked or not event.online_url else event.online_url

    def get_cancelled(self, event) -> bool:
        return event.cancelled_at is not None

    def get_ics_url(self, event) -> str:
        return reverse("api-event-ics", args=[event.slug])


class EventDetailSerializer(EventSerializer):
    """An event with its occurrences in the next days (from now, cancelled ones marked)."""

    occurrences = OccurrenceSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "occurrences"]
        read_only_fields = fields


# --- RSVPs and attendees ----------------------------------------------------------------------


class InstantField(serializers.DateTimeField):
    """An instant in ISO 8601 with its offset (or Z): an occurrence's original start, never
    read in the server's zone."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            raise serializers.ValidationError("Give the original start with its offset (or Z).")
        value = super().enforce_timezone(value)
        if not 1900 <= value.year <= 2999:  # an event's occurrences are expanded around it
            raise serializers.ValidationError("No event occurs then.")
        return value


class RsvpInputSerializer(StrictSerializer):
    occurrence = InstantField(help_text="The occurrence's original_start.")
    status = serializers.ChoiceField(
        choices=["going", "maybe", "not_going"],
        help_text="“going” with no seat free puts you on the waitlist.",
    )


class RsvpSerializer(serializers.Serializer):
    event_id = serializers.IntegerField()
    occurrence = UtcDateTimeField(help_text="The occurrence's original start.")
    status = serializers.CharField(
        help_text="going, maybe, not_going, or waitlisted (you asked for going: no seat was free)."
    )
    waitlist_position = serializers.IntegerField(
        allow_null=True, help_text="1 for the first waiting; null unless waitlisted."
    )
    seats_left = serializers.IntegerField(allow_null=True, help_text="Null: no limit.")


class AttendeeSerializer(serializers.ModelSerializer):
    member = AuthorSerializer(source="user", read_only=True)
    status = serializers.CharField(read_only=True, help_text="going or waitlisted.")
    since = UtcDateTimeField(
        source="status_changed_at", help_text="When they took their seat or joined the waitlist."
    )

    class Meta:
        model = Rsvp
        fields = ["member", "status", "since"]
        read_only_fields = fields


class AttendeeQuerySerializer(serializers.Serializer):
    waitlist = serializers.BooleanField(
        default=False, help_text="true: the waitlist in its order instead (admins)."
    )


# --- The calendar feed ------------------------------------------------------------------------


class CalendarFeedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret in the URL: keep it private.")
    feed_url = serializers.URLField(
        help_text="The URL calendar apps subscribe to: the events you are going to."
    )
    created_at = UtcDateTimeField()


# --- Writes -----------------------------------------------------------------------------------


class WallClockField(serializers.DateTimeField):
    """A wall-clock time without an offset (2026-12-11T18:00), read in the event's zone."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Wall-clock time in `time_zone`, without an offset.")
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        return value

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                raise serializers.ValidationError(
                    "Give the wall-clock time in the event's time_zone, without an offset."
                )
        return super().to_internal_value(value)


class RecurrenceFields(serializers.Serializer):
    """A series, by the authoring page's simple choices or a raw RFC 5545 `rrule`."""

    freq = serializers.ChoiceField(
        choices=authoring.FREQUENCIES, required=False,
        help_text="Repeat daily, weekly or monthly (the simple builder; not with `rrule`).",
    )  # fmt: skip
    interval = serializers.IntegerField(
        min_value=1, max_value=999, required=False, help_text="Every n days, weeks or months."
    )
    weekdays = serializers.ListField(
        child=serializers.ChoiceField(choices=authoring.WEEKDAYS), required=False,
        help_text="WEEKLY: the days (MO…SU); the first occurrence's day among them.",
    )  # fmt: skip
    monthly_by = serializers.ChoiceField(
        choices=authoring.MONTHLY_BY, required=False,
        help_text="MONTHLY: the same date, or the same nth weekday (“2nd Tuesday”).",
    )  # fmt: skip
    until = serializers.DateField(
        required=False, allow_null=True, help_text="The last day (included), in time_zone."
    )
    count = serializers.IntegerField(
        min_value=1, max_value=10_000, required=False, allow_null=True,
        help_text="The number of occurrences.",
    )  # fmt: skip
    rrule = serializers.CharField(
        required=False, allow_blank=True, max_length=1000,
        help_text="An RRULE value (FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10); blank: a one-off event.",
    )  # fmt: skip

    def validate(self, data):
        if "freq" in data and "rrule" in data:
            raise serializers.ValidationError(
                {"rrule": ["Give `freq` (and its options) or `rrule`, not both."]}
            )
        return data


class EventUpdateSerializer(StrictSerializer, RecurrenceFields):
    title = serializers.CharField(max_length=200, required=False)
    slug = serializers.SlugField(
        max_length=200, required=False, allow_blank=True,
        help_text="Its address; blank: made from the title.",
    )  # fmt: skip
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="Markdown, up to 20,000 characters."
    )
    cover = serializers.FileField(
        required=False, allow_null=True,
        help_text="A PNG, JPEG, GIF or WebP image (multipart/form-data); null removes it.",
    )  # fmt: skip
    starts_at = WallClockField(required=False)
    ends_at = WallClockField(required=False)
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text="An IANA zone, e.g. Europe/Paris."
    )
    all_day = serializers.BooleanField(required=False)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    capacity = serializers.IntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True,
        help_text="Seats per occurrence; null: no limit.",
    )  # fmt: skip
    visibility = serializers.ChoiceField(choices=Event.Visibility.choices, required=False)
    required_tier = serializers.SlugRelatedField(
        slug_field="slug", queryset=community_selectors.tiers(), required=False,
        allow_null=True, help_text="The tier (its slug) a paid event needs.",
    )  # fmt: skip


class EventCreateSerializer(EventUpdateSerializer):
    title = serializers.CharField(max_length=200)
    starts_at = WallClockField()
    ends_at = WallClockField()
    time_zone = serializers.CharField(max_length=64, help_text="An IANA zone, e.g. Europe/Paris.")
    visibility = serializers.ChoiceField(choices=Event.Visibility.choices)
    cover = serializers.FileField(
        required=False, help_text="A PNG, JPEG, GIF or WebP image (multipart/form-data)."
    )


class SplitSerializer(EventUpdateSerializer):
    occurrence = InstantField(
        help_text="The original start (ISO 8601 with its offset) of the first occurrence to "
        "change: it and the following ones become a new event."
    )


class OccurrenceChangeSerializer(StrictSerializer):
    starts_at = WallClockField(required=False)
    ends_at = WallClockField(required=False, help_text="Wall-clock; none: the same length.")
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Blank: the series'."
    )
    location = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Blank: the series'."
    )


class ImportSerializer(StrictSerializer):
    file = serializers.FileField(help_text="An .ics file (multipart/form-data), up to 5 MB.")
    visibility = serializers.ChoiceField(
        choices=Event.Visibility.choices, required=False, default=Event.Visibility.MEMBERS
    )
    required_tier = serializers.SlugRelatedField(
        slug_field="slug", queryset=community_selectors.tiers(), required=False,
        allow_null=True,
    )  # fmt: skip


class ImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids of the events imported."
    )
    errors = serializers.ListField(
        child=serializers.CharField(),
        help_text="One sentence per VEVENT (or part of one) skipped, naming it.",
    )
