"""The admins' event forms: the shape of what they type. events.services validate what
matters (times in the event's zone, the zone itself, capacity, the repeat rule, the cover),
and community.forms.apply_service_errors puts their refusals under the fields here, which
carry the services' argument names (`freq`, `interval`, … are build_rrule's).

Times are wall-clock in the event's own zone, as a datetime-local input gives them: naive
datetimes (WallClockField), never read in the admin's zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from icalendar import vRecur

from community.forms import TIME_ZONE_CHOICES, gating_fields

from . import ical
from .models import Event
from .services import authoring
from .services.common import local, typed_end

INPUT_FORMAT = "%Y-%m-%dT%H:%M"
KEEP = "keep"  # an edit keeps the stored rule (one the builder cannot show, or a series')
REPEAT_CHOICES = [("", "Does not repeat"), ("DAILY", "Daily"), ("WEEKLY", "Weekly"),
                  ("MONTHLY", "Monthly")]  # fmt: skip
WEEKDAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ENDS_NEVER, ENDS_ON, ENDS_AFTER = "never", "until", "count"
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "last"}
SCOPE_ONLY, SCOPE_FOLLOWING = "only", "following"
# The fields an edit compares with the event's values to send only what changed.
PLAIN_FIELDS = ("title", "description", "all_day", "time_zone", "location", "online_url",
                "capacity", "visibility", "required_tier")  # fmt: skip


class WallClockField(forms.DateTimeField):
    """A datetime-local value as typed (naive): the services read it in the event's zone.
    Django's own field would read it in the admin's zone and make it aware."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT)

    def to_python(self, value):
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment.tzinfo is not None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


def monthly_labels(start):
    """The two monthly choices for a series starting on `start`: "on day 10", "on the 2nd
    Tuesday" (a fifth weekday is "the last", as build_rrule writes it)."""
    if start is None:
        return [("date", "on the same day of the month"), ("weekday", "on the same weekday")]
    nth = ORDINALS[(start.day - 1) // 7 + 1]
    return [("date", f"on day {start.day}"), ("weekday", f"on the {nth} {start:%A}")]


def _comparable(parts, start):
    """A rule's parts with build_rrule's defaults written out (the start's weekday or day of
    the month, an interval of 1 left out), BYDAY as text."""
    parts = {key: list(values) for key, values in parts.items()}
    if parts.get("INTERVAL") == [1]:
        del parts["INTERVAL"]
    freq = parts.get("FREQ", [""])[0]
    if freq == "WEEKLY" and "BYDAY" not in parts:
        parts["BYDAY"] = [authoring.WEEKDAYS[start.weekday()]]
    if freq == "MONTHLY" and "BYDAY" not in parts and "BYMONTHDAY" not in parts:
        parts["BYMONTHDAY"] = [start.day]
    if "BYDAY" in parts:
        parts["BYDAY"] = [str(day) for day in parts["BYDAY"]]
    return parts


def builder_choices(rrule, *, start, time_zone):
    """The builder's choices that give `rrule` again for a series first starting at
    `start` (naive, in `time_zone`), or None when the builder cannot express that rule
    (an RDATE-like BYSETPOS, a date-only UNTIL, …): the page then keeps it as it is."""
    try:
        parts = vRecur.from_ical(rrule)
        zone = ZoneInfo(time_zone)
    except (ValueError, TypeError, KeyError):
        return None
    freq = parts.get("FREQ", [""])[0]
    days = [str(day) for day in parts.get("BYDAY", [])]
    until = parts.get("UNTIL", [None])[0]
    choices = {
        "freq": freq,
        "interval": parts.get("INTERVAL", [1])[0],
        "weekdays": (days or [authoring.WEEKDAYS[start.weekday()]]) if freq == "WEEKLY" else [],
        "monthly_by": "weekday" if freq == "MONTHLY" and days else "date",
        "until": local(until, zone).date() if getattr(until, "tzinfo", None) else None,
        "count": parts.get("COUNT", [None])[0],
    }
    try:
        rebuilt = authoring.build_rrule(start=start, time_zone=time_zone, **choices)
    except ValidationError:
        return None
    return choices if same_rule(rebuilt, rrule, start=start) else None


def same_rule(one, other, *, start):
    """Whether two rules say the same for a series starting at `start` ("FREQ=WEEKLY" is
    "FREQ=WEEKLY;BYDAY=TH" for a Thursday start)."""
    if one == other:
        return True
    if not one or not other:
        return False
    return _comparable(vRecur.from_ical(one), start) == _comparable(vRecur.from_ical(other), start)


class EventForm(forms.Form):
    title = forms.CharField(
        label="Title", required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: **bold**, *italic*, lists, links.",
    )
    cover = forms.FileField(
        label="Cover image",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="JPEG, PNG, GIF or WebP, up to 10 MB; shown at the top of the event's page.",
    )
    remove_cover = forms.BooleanField(label="Remove the cover image", required=False)
    starts_at = WallClockField(label="Starts", error_messages={"required": "When does it start?"})
    ends_at = WallClockField(label="Ends", error_messages={"required": "When does it end?"})
    all_day = forms.BooleanField(
        label="All day", required=False, help_text="Whole days: the times are ignored."
    )
    time_zone = forms.CharField(
        label="Time zone",
        widget=forms.Select(choices=TIME_ZONE_CHOICES),
        help_text="Starts and Ends are read in this zone; a weekly 18:00 stays 18:00 in it.",
    )
    location = forms.CharField(
        label="Location",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 300, "placeholder": "A place"}),
    )
    online_url = forms.CharField(
        label="Online link",
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://…"}),
        help_text="A link to join online, shown to those who may see the event.",
    )
    capacity = forms.IntegerField(
        label="Capacity", required=False, help_text="Seats per date. Empty: no limit."
    )
    visibility, required_tier = gating_fields(
        Event.Visibility.choices,
        paid_help="Only for paid events: members holding this tier open it and RSVP.",
    )
    # The repeat builder: build_rrule's arguments.
    freq = forms.ChoiceField(label="Repeats", choices=REPEAT_CHOICES, required=False)
    interval = forms.IntegerField(
        label="Every", required=False, initial=1, widget=forms.NumberInput(attrs={"min": 1})
    )
    weekdays = forms.MultipleChoiceField(
        label="On",
        required=False,
        choices=list(zip(authoring.WEEKDAYS, WEEKDAY_LABELS, strict=True)),
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: the weekday of the first date.",
    )
    monthly_by = forms.ChoiceField(
        label="Each month",
        required=False,
        choices=monthly_labels(None),
        widget=forms.RadioSelect,
        initial="date",
    )
    ends = forms.ChoiceField(
        label="End of the series",
        required=False,
        choices=[
            (ENDS_NEVER, "Never"),
            (ENDS_ON, "On a date"),
            (ENDS_AFTER, "After some dates"),
        ],
        widget=forms.RadioSelect,
        initial=ENDS_NEVER,
    )
    until = forms.DateField(
        label="Last day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    count = forms.IntegerField(
        label="How many dates", required=False, widget=forms.NumberInput(attrs={"min": 1})
    )

    def __init__(self, *args, event=None, time_zone="UTC", **kwargs):
        self.event = event
        self.kept_rule = ""  # the stored rule the builder cannot show, kept unless replaced
        if event is not None:
            kwargs["initial"] = self.initial_for(event)
        else:
            kwargs.setdefault("initial", {"time_zone": time_zone})
        super().__init__(*args, **kwargs)
        start = self.typed_start()
        self.fields["monthly_by"].choices = monthly_labels(start)
        if self.kept_rule:
            self.fields["freq"].choices = [(KEEP, "As now (the rule below)"), *REPEAT_CHOICES]
        if event is not None and event.is_recurring:
            self.fields["starts_at"].help_text = "The first date: moving it moves every date."

    def initial_for(self, event):
        """The event's values as the form shows them, the builder filled from its rule."""
        zone = ZoneInfo(event.time_zone)
        start = local(event.starts_at, zone)
        initial = {name: getattr(event, name) for name in PLAIN_FIELDS} | {
            "starts_at": start,
            "ends_at": typed_end(event.ends_at, zone, event.all_day),
            "required_tier": event.required_tier_id,
        }
        return initial | self.rule_initial(event.rrule, start=start, time_zone=event.time_zone)

    def rule_initial(self, rrule, *, start, time_zone):
        if not rrule:
            return {"freq": ""}
        choices = builder_choices(rrule, start=start, time_zone=time_zone)
        if choices is None:
            self.kept_rule = rrule
            return {"freq": KEEP}
        ends = ENDS_ON if choices["until"] else ENDS_AFTER if choices["count"] else ENDS_NEVER
        return choices | {"ends": ends}

    def typed_start(self):
        """The start the monthly choices name: as typed, else as stored."""
        if self.is_bound:
            try:
                return self.fields["starts_at"].to_python(self.data.get("starts_at"))
            except ValidationError:
                return None
        return self.initial.get("starts_at")

    def clean(self):
        data = super().clean()
        freq, ends = data.get("freq"), data.get("ends")
        if freq in ("", KEEP):
            return data
        if ends == ENDS_ON and data.get("until") is None:
            self.add_error("until", "Pick the last day of the series.")
        if ends == ENDS_AFTER and data.get("count") is None:
            self.add_error("count", "How many dates in all?")
        return data

    def rule(self, start):
        """The RRULE the builder's choices make for a series starting at `start`, "" for
        no repeat, None to keep the stored rule. build_rrule's refusals are by field."""
        data = self.cleaned_data
        if data["freq"] == KEEP:
            return None
        if not data["freq"]:
            return ""
        ends = data["ends"] or ENDS_NEVER
        return authoring.build_rrule(
            freq=data["freq"],
            start=start,
            time_zone=data["time_zone"],
            interval=1 if data["interval"] is None else data["interval"],
            weekdays=data["weekdays"],
            monthly_by=data["monthly_by"] or "date",
            until=data["until"] if ends == ENDS_ON else None,
            count=data["count"] if ends == ENDS_AFTER else None,
        )

    def _values(self):
        return {name: self.cleaned_data[name] for name in (*PLAIN_FIELDS, "starts_at", "ends_at")}

    def create_kwargs(self):
        """create_event's arguments (build_rrule may refuse: a ValidationError by field)."""
        values = self._values() | {"rrule": self.rule(self.cleaned_data["starts_at"])}
        if self.cleaned_data["cover"]:
            values["cover"] = self.cleaned_data["cover"]
        return values

    def changes(self, baseline=None):
        """What differs from `baseline` (the form's initial values: the event's), as
        update_event (or split_series) takes it."""
        baseline = self.initial if baseline is None else baseline
        baseline = baseline | {"required_tier": self.event.required_tier}
        values = self._values()
        changes = {name: value for name, value in values.items() if value != baseline[name]}
        rule = self.rule(values["starts_at"])
        if rule is not None and not same_rule(rule, self.event.rrule, start=values["starts_at"]):
            changes["rrule"] = rule
        if self.cleaned_data["cover"]:
            changes["cover"] = self.cleaned_data["cover"]
        elif self.cleaned_data["remove_cover"] and self.event.cover:
            changes["cover"] = None
        return changes


class OccurrenceForm(EventForm):
    """One date of a series: change only it (start, end, title, location) or it and the
    dates after it (every field of the event, the repeat kept unless a new one is picked)."""

    scope = forms.ChoiceField(
        label="Change",
        choices=[(SCOPE_ONLY, "Only this occurrence"), (SCOPE_FOLLOWING, "This and following")],
        widget=forms.RadioSelect,
        initial=SCOPE_ONLY,
    )

    def __init__(self, *args, event, occurrence, **kwargs):
        self.occurrence = occurrence
        super().__init__(*args, event=event, **kwargs)
        self.fields["freq"].choices = [(KEEP, "As the series does now"), *REPEAT_CHOICES]
        self.fields["starts_at"].help_text = f"In {event.time_zone}, the event's time zone."
        self.kept_rule = ""  # the series' rule goes on from here unless another is picked

    def initial_for(self, event):
        zone = ZoneInfo(event.time_zone)
        occurrence = self.occurrence
        return super().initial_for(event) | {
            "starts_at": local(occurrence.starts_at, zone),
            "ends_at": typed_end(occurrence.ends_at, zone, event.all_day),
            "title": occurrence.title,
            "location": occurrence.location,
            "freq": KEEP,
        }

    def only_changes(self):
        """change_occurrence's arguments, or {} when the date stays as it is. A title or
        location equal to the series' is not an override (it follows later edits)."""
        data, event = self.cleaned_data, self.event
        typed = {name: data[name] for name in ("starts_at", "ends_at", "title", "location")}
        if all(typed[name] == self.initial[name] for name in typed):
            return {}
        return typed | {
            "title": "" if typed["title"] == event.title else typed["title"],
            "location": "" if typed["location"] == event.location else typed["location"],
        }

    def following_changes(self):
        """split_series' changes: what differs from the series as it would go on from this
        date (its original time, the event's title and place)."""
        zone = ZoneInfo(self.event.time_zone)
        start = self.occurrence.original_start
        baseline = self.initial | {
            "starts_at": local(start, zone),
            "ends_at": typed_end(start + self.event.duration, zone, self.event.all_day),
            "title": self.event.title,
            "location": self.event.location,
        }
        return self.changes(baseline)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Calendar file (.ics)",
        widget=forms.FileInput(attrs={"accept": ".ics,text/calendar"}),
        help_text=f"An iCalendar file from Google, Apple or Outlook calendars, up to "
        f"{filesizeformat(ical.MAX_IMPORT_BYTES)}. Each event in it becomes an event here, with "
        "its repeats and their exceptions.",
    )
    visibility = EventForm.base_fields["visibility"]
    required_tier = EventForm.base_fields["required_tier"]
