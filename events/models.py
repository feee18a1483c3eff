"""Events: one-off or recurring (an RFC 5545 rule in the event's own time zone), the
changes to single occurrences, members' RSVPs per occurrence with a waitlist, the reminders
sent, and each member's private calendar feed.

An event is `Gated` (public, members, paid + tier) like a space. An occurrence is named by
its *original* start (RFC 5545's RECURRENCE-ID): moving one occurrence keeps its RSVPs.
Occurrences are expanded on demand for a window (events/recurrence.py), never stored.
Capacity is enforced under a lock on the event row (events/services), never from the
task-kept `rsvp_count`.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from community.models import Gated

DESCRIPTION_MAX = 20_000


class EventQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Event(Gated):
    title = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    description_html = models.TextField(blank=True, editable=False)
    cover = models.ImageField(upload_to="events/covers/", blank=True)
    # The first occurrence, stored in UTC; its wall-clock time in `time_zone` is what
    # repeats (a weekly 18:00 stays 18:00 across daylight-saving changes).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, help_text="An IANA zone, e.g. Europe/Paris.")
    all_day = models.BooleanField(default=False)
    location = models.CharField(max_length=300, blank=True, help_text="A place.")
    online_url = models.URLField(blank=True, help_text="A link to join online.")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: no limit."
    )
    # RFC 5545 recurrence: the RRULE value ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"), extra dates
    # (RDATE) as ISO 8601 strings in UTC. Empty: a one-off event.
    rrule = models.TextField(blank=True)
    rdates = models.JSONField(default=list, blank=True)
    # "This and following": the series this one was split from (which now ends before it).
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An imported VEVENT's UID, kept so that exports and re-imports name the same event.
    uid = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Recomputed by tasks.recount_event (members going, all occurrences): never for a rule.
    rsvp_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta(Gated.Meta):
        constraints = [
            *Gated.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="events_event_ends_after_start",
                violation_error_message="An event ends after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="events_event_capacity_positive",
                violation_error_message="A capacity is at least 1 (empty: no limit).",
            ),
        ]
        indexes = [
            models.Index(fields=["deleted_at", "starts_at", "id"], name="event_start_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_recurring(self):
        return bool(self.rrule or self.rdates)

    @property
    def duration(self):
        return self.ends_at - self.starts_at


class OccurrenceChange(models.Model):
    """One occurrence of a recurring event cancelled or changed (RFC 5545: an EXDATE, or an
    override VEVENT with RECURRENCE-ID = `original_start`)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")
    original_start = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="occurrence_change_once"
            ),
        ]

    def __str__(self):
        return f"{self.event} on {self.original_start:%Y-%m-%d %H:%M}"


class Rsvp(models.Model):
    class Status(models.TextChoices):
        GOING = "going", "Going"
        MAYBE = "maybe", "Maybe"
        NOT_GOING = "not_going", "Not going"
        WAITLISTED = "waitlisted", "Waitlisted"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    occurrence_start = models.DateTimeField(help_text="The occurrence's original start.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    # When the member joined the waitlist (its order), or took a seat.
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "occurrence_start", "user"], name="rsvp_once_per_occurrence"
            ),
        ]
        indexes = [
            models.Index(
                fields=["event", "occurrence_start", "status", "status_changed_at", "id"],
                name="rsvp_occurrence_idx",
            ),
            models.Index(fields=["user", "status", "occurrence_start"], name="rsvp_member_idx"),
            # Analytics: members going per day of a period.
            models.Index(fields=["status", "occurrence_start"], name="rsvp_status_start_idx"),
        ]

    def __str__(self):
        return f"{self.user} {self.status} {self.event}"


class ReminderSent(models.Model):
    """A reminder announced once per member, occurrence and kind (24 hours, 1 hour)."""

    class Kind(models.TextChoices):
        DAY = "24h", "24 hours before"
        HOUR = "1h", "1 hour before"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    occurrence_start = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "occurrence_start", "user", "kind"], name="reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.kind} reminder of {self.event} for {self.user}"


class CalendarFeed(models.Model):
    """A member's private calendar feed: its URL holds `token`; rotating replaces it,
    revoking deletes the row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed of {self.user}"
