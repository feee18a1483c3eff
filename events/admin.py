"""Events in the Django admin. Events are written through events.services.authoring
(validation, wall-clock times in the event's zone, audit entries, signals and live events in
one place), as courses' admin does: saving calls the service, deleting is the soft delete,
and the actions cancel and delete through it too. Covers, single occurrences and "this and
following" are edited on the event pages. Occurrence changes, RSVPs, reminders and feeds are
written by those pages, the members' own actions and the tasks: here they are read only."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.admin import ReadOnlyAdmin
from community.admin_tools import LargeTableAdmin

from . import recurrence
from .models import CalendarFeed, Event, OccurrenceChange, ReminderSent, Rsvp
from .services import authoring as services
from .services import common

FORM_FIELDS = ["title", "slug", "description", "starts_at", "ends_at", "time_zone", "all_day",
               "location", "online_url", "capacity", "visibility", "required_tier",
               "rrule"]  # fmt: skip
WALL_CLOCK = "The wall-clock time in the event's time zone."


class EventAdminForm(forms.ModelForm):
    """Start and end are typed and shown as the event's own wall-clock time, whatever zone
    the admin site runs in; the service turns them into instants."""

    class Meta:
        model = Event
        fields = FORM_FIELDS
        help_texts = {"starts_at": WALL_CLOCK, "ends_at": WALL_CLOCK,
                      "rrule": "An RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10. "
                               "Empty: a one-off event."}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False  # the service makes one from the title
        if self.instance.pk:
            zone = ZoneInfo(self.instance.time_zone)
            for name in ("starts_at", "ends_at"):
                self.initial[name] = common.local(getattr(self.instance, name), zone)

    def wall_clock(self, name):
        """The time as typed: Django read it in the admin's zone; take that zone off."""
        return timezone.make_naive(self.cleaned_data[name])

    def clean(self):
        cleaned = super().clean()
        if {"starts_at", "ends_at", "time_zone"} & set(self.errors):
            return cleaned
        try:
            starts_at, _ = common.instants(
                starts_at=self.wall_clock("starts_at"), ends_at=self.wall_clock("ends_at"),
                time_zone=cleaned["time_zone"], all_day=cleaned["all_day"],
            )  # fmt: skip
            if cleaned.get("rrule"):
                recurrence.validate_recurrence(rrule=cleaned["rrule"], starts_at=starts_at,
                                               time_zone=cleaned["time_zone"])  # fmt: skip
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def changes(self):
        changes = {name: self.cleaned_data[name] for name in FORM_FIELDS}
        changes["starts_at"] = self.wall_clock("starts_at")
        changes["ends_at"] = self.wall_clock("ends_at")
        return changes


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventAdminForm
    list_display = ["title", "starts_at", "time_zone", "repeats", "visibility", "capacity",
                    "rsvp_count", "cancelled_at", "deleted_at"]  # fmt: skip
    list_filter = [
        "visibility",
        ("rrule", admin.EmptyFieldListFilter),
        ("cancelled_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        "required_tier",
    ]
    search_fields = ["title", "slug", "location", "uid"]
    list_select_related = ["required_tier"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    fields = [*FORM_FIELDS, "rdates", "split_from", "uid", "rsvp_count", "created_by",
              "created_at", "cancelled_at", "deleted_at"]  # fmt: skip
    readonly_fields = ["rdates", "split_from", "uid", "rsvp_count", "created_by", "created_at",
                       "cancelled_at", "deleted_at"]  # fmt: skip
    actions = ["cancel", "soft_delete"]

    @admin.display(description="Repeats", boolean=True)
    def repeats(self, event):
        return event.is_recurring

    def save_model(self, request, obj, form, change):
        if change:
            # The form wrote its admin-zone times on `obj`: the service starts from the row.
            event = Event.objects.get(pk=obj.pk)
            services.update_event(request.user, event=event, **form.changes())
        else:
            obj.pk = services.create_event(request.user, **form.changes()).pk

    def delete_model(self, request, obj):
        services.delete_event(request.user, event=obj)

    def delete_queryset(self, request, queryset):
        done = 0
        for event in queryset.alive():
            services.delete_event(request.user, event=event)
            done += 1
        messages.success(request, f"{done} event{'s' if done != 1 else ''} deleted (soft).")

    @admin.action(description="Cancel the selected events")
    def cancel(self, request, queryset):
        done = 0
        for event in queryset.alive().filter(cancelled_at__isnull=True):
            services.cancel_event(request.user, event=event)
            done += 1
        messages.success(request, f"{done} event{'s' if done != 1 else ''} cancelled.")

    @admin.action(description="Delete the selected events (soft)")
    def soft_delete(self, request, queryset):
        self.delete_queryset(request, queryset)


@admin.register(OccurrenceChange)
class OccurrenceChangeAdmin(ReadOnlyAdmin):
    list_display = ["event", "original_start", "cancelled_at", "starts_at", "title", "location"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["event__title", "title", "location"]
    list_select_related = ["event"]
    raw_id_fields = ["event"]


@admin.register(Rsvp)
class RsvpAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["user", "event", "occurrence_start", "status", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "user__display_name", "event__title"]
    list_select_related = ["user", "event"]
    raw_id_fields = ["user", "event"]
    ordering = ["-id"]  # newest first on the primary key's index


@admin.register(ReminderSent)
class ReminderSentAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["user", "event", "occurrence_start", "kind", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__display_name", "event__title"]
    list_select_related = ["user", "event"]
    raw_id_fields = ["user", "event"]
    ordering = ["-id"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """The token is the feed's password: it is never shown, only who has a feed."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__display_name"]
    list_select_related = ["user"]
    fields = ["user", "created_at"]
    raw_id_fields = ["user"]
