"""Every form of the community pages. Forms give the shape of the input; the services do
the validation that matters, and apply_service_errors puts their refusals on the form."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from . import analytics, audit
from .models import BIO_MAX, BODY_MAX, DISPLAY_NAME_MAX, Space, User
from .models.branding import NAME_MAX as BRAND_NAME_MAX
from .models.posts import TITLE_MAX
from .selectors import tiers
from .selectors.directory import member_filters, sorts
from .selectors.moderation import content_type_named
from .services.moderation import NOTE_MAX, Action
from .services.social import REASON_MAX
from .validators import DOMAIN_MAX, MIN_CONTRAST, clean_color, clean_domain


def gating_fields(visibility_choices, *, paid_help):
    """The "who can see it" radio and the paid tier select of every gated thing's form
    (spaces, courses, events), checked together by community.access's gating rule."""
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=visibility_choices,
        widget=forms.RadioSelect,
        initial="members",
    )
    required_tier = forms.ModelChoiceField(
        label="Required tier",
        queryset=tiers(),  # lazy: read when the form renders or validates
        required=False,
        empty_label="No tier",
        help_text=paid_help,
    )
    return visibility, required_tier


TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]
ROLE_LABELS = {"admin": "Admins", "moderator": "Moderators", "member": "Members"}


def apply_service_errors(form, error):
    """Puts a service's ValidationError on the form: a message for a field the form has goes
    under that field, any other (or one without a field) above the form. The API's
    counterpart is community.api.errors, which maps the same errors to JSON."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class SignupDetailsForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label="Display name",
        max_length=DISPLAY_NAME_MAX,
        help_text="How other members see you. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])


class ProfileForm(forms.Form):
    """Input for services.update_profile, which does the validation that matters."""

    display_name = forms.CharField(max_length=DISPLAY_NAME_MAX)
    bio = forms.CharField(
        required=False,
        max_length=BIO_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: **bold**, _italic_, [links](https://…), lists, `code`.",
    )
    avatar = forms.FileField(
        required=False,
        help_text="JPEG, PNG, GIF or WebP, up to 10 MB. Large images are scaled down.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)
    profile_visibility = forms.ChoiceField(
        label="Who can see your profile",
        choices=User.Visibility.choices,
        widget=forms.RadioSelect,
    )

    @classmethod
    def for_member(cls, member, *args, **kwargs):
        initial = {
            name: getattr(member, name)
            for name in ("display_name", "bio", "time_zone", "profile_visibility")
        }
        return cls(*args, initial=initial, **kwargs)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Say what will use it, for example “Zapier” or “my backup script”.",
    )


class PostForm(forms.Form):
    """The shape of a post; services.create_post / edit_post do the validation that matters."""

    # Not required here: services.create_post refuses a missing space together with the
    # other errors, so the form shows them all at once.
    space = forms.ChoiceField(label="Space", choices=(), required=False)
    title = forms.CharField(
        label="Title (optional)",
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "placeholder": "Add a title"}),
    )
    body = forms.CharField(
        label="Your post",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "maxlength": BODY_MAX, "placeholder": "Share something…"}
        ),
        help_text="Markdown works: **bold**, _italic_, `code`, links, @mentions and #hashtags.",
    )
    image = forms.FileField(
        label="Add an image (optional)",
        required=False,
        help_text="JPEG, PNG, GIF or WebP, up to 10 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
    )

    def __init__(self, *args, spaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        if spaces is None:
            del self.fields["space"]
        else:
            self.fields["space"].choices = [("", "Choose a space")] + [
                (space.slug, f"{space.icon} {space.name}".strip()) for space in spaces
            ]


class EditPostForm(PostForm):
    """Editing a post: its text without the attached image, which is a field of its own
    (kept unless replaced or removed; services.edit_post decides)."""

    remove_image = forms.BooleanField(label="Remove the image", required=False)

    def __init__(self, *args, has_image=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_image = has_image
        if has_image:
            self.fields["image"].label = "Replace the image (optional)"
        else:
            del self.fields["remove_image"]


class SpaceForm(forms.Form):
    """The shape of a space; services.create_space / update_space do the validation."""

    name = forms.CharField(
        label="Name", required=False, widget=forms.TextInput(attrs={"maxlength": 100})
    )
    slug = forms.CharField(
        label="Address",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 100, "placeholder": "made from the name"}),
        help_text="Letters, numbers, hyphens: the space lives at /spaces/<address>/.",
    )
    icon = forms.CharField(
        label="Icon",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 8, "placeholder": "💬", "size": 4}),
        help_text="One emoji.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    visibility, required_tier = gating_fields(
        Space.Visibility.choices,
        paid_help="Only for paid spaces: members holding this tier see the space.",
    )
    post_permission = forms.ChoiceField(
        label="Who may post",
        choices=Space.PostPermission.choices,
        widget=forms.RadioSelect,
        initial=Space.PostPermission.ALL,
    )

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            self.fields["slug"].widget.attrs.pop("placeholder")
            self.fields["slug"].help_text += " Changing it breaks old links."


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search members", required=False, max_length=100)
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "All roles"), *ROLE_LABELS.items()]
    )
    following = forms.BooleanField(label="Only people I follow", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read per form (other apps register theirs when ready; a filter's choices are
        # rows, read once here for both validating and showing them).
        self.fields["sort"].choices = list(sorts().items())
        for key, member_filter in member_filters().items():
            self.fields[key] = forms.ChoiceField(
                label=member_filter.label,
                required=False,
                choices=[("", "Any"), *member_filter.choices()],
            )

    def extra_fields(self):
        """The bound fields of the filters other apps registered, for the page to show."""
        return [self[key] for key in member_filters()]

    def filters(self):
        """The valid filters; a bad value falls back to its default rather than failing."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": data.get("q", ""),
            "role": data.get("role") or None,
            "following": data.get("following", False),
            "sort": data.get("sort") or "newest",
            **{key: data.get(key) or None for key in member_filters()},
        }


class SearchFilterForm(forms.Form):
    """The search page's filters beside the query: a space (of those the searcher may see),
    an author's handle and whole days on the searcher's clock, `until` included."""

    space = forms.ChoiceField(label="Space", required=False)
    author = forms.CharField(label="By", required=False, max_length=60)
    # Days far enough from the calendar's ends that a midnight on any clock, and the day after
    # `until`, stay datetimes (9999-12-31 + 1 day overflowed).
    FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, spaces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].choices = [("", "Any space"), *((s.slug, s.name) for s in spaces)]
        for name in ("since", "until"):
            self.fields[name].validators += [
                MinValueValidator(self.FIRST_DAY),
                MaxValueValidator(self.LAST_DAY),
            ]
        self.fields["author"].widget.attrs["placeholder"] = "@handle"

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The last day comes before the first.")
        return data

    def filters(self):
        """The search service's keyword arguments from the valid fields (a bad one is shown
        with its error and left out)."""
        self.is_valid()
        data = self.cleaned_data

        def midnight(day):
            return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())

        until = data.get("until")
        return {
            "space": data.get("space") or None,
            "author": (data.get("author") or "").strip().lstrip("@") or None,
            "since": midnight(data["since"]) if data.get("since") else None,
            "until": midnight(until + timedelta(days=1)) if until else None,
        }


class AnalyticsPeriodForm(forms.Form):
    """The analytics page's dates: `from` and `to` (both needed), else a preset number of
    `days` up to today, else the last DEFAULT_DAYS days. `period()` after is_valid()."""

    days = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(n, f"{n} days") for n in analytics.PRESET_DAYS]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are added by name.
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                label=label, required=False, widget=forms.DateInput({"type": "date"})
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if self.errors:
            return data
        if bool(start) != bool(end):
            self.add_error("to" if start else "from", "Give both dates, or neither.")
        elif start:
            try:
                data["period"] = analytics.check_period(start, end)
            except ValidationError as refused:
                self.add_error(None, refused)
        else:
            data["period"] = analytics.default_period(data.get("days") or analytics.DEFAULT_DAYS)
        return data

    def period(self):
        return self.cleaned_data["period"]


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong?",
        strip=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": REASON_MAX}),
        help_text="Only the moderators see your report and your name.",
    )


class ModerationForm(forms.Form):
    """One decision from the queue: what, on which target, why, and for a ban how long."""

    BAN_LENGTHS = {"": "For good", "1": "For a day", "7": "For a week", "30": "For 30 days"}

    target_type = forms.ChoiceField(choices=[(k, k) for k in ("post", "comment", "member")])
    target_id = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=list(Action.CHOICES.items()))
    reason = forms.CharField(
        label="Reason (the audit log; the member reads it with a warning, a hide or a ban)",
        required=False,
        max_length=NOTE_MAX,
    )
    ban_days = forms.ChoiceField(label="Ban", required=False, choices=list(BAN_LENGTHS.items()))

    def ban_until(self):
        days = self.cleaned_data.get("ban_days")
        if not days or self.cleaned_data.get("action") != Action.BAN:
            return None
        return timezone.now() + timedelta(days=int(days))


class AuditLogFilterForm(forms.Form):
    """The audit log's filters, for the page and the API alike."""

    action = forms.ChoiceField(label="Action", required=False)
    actor = forms.IntegerField(label="Actor (member id)", required=False, min_value=1)
    target_type = forms.CharField(
        label="Target type", required=False, max_length=100,
        widget=forms.TextInput({"placeholder": "e.g. community.post"}),
    )  # fmt: skip
    target_id = forms.IntegerField(label="Target id", required=False, min_value=1)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Every action"), *audit.registered_actions()]

    def clean_target_type(self):
        name = self.cleaned_data["target_type"]
        if not name:
            return None
        try:
            return content_type_named(name)
        except ValidationError as refused:
            raise forms.ValidationError(refused.message_dict["target_type"]) from None

    def clean(self):
        data = super().clean()
        if data.get("target_id") and not data.get("target_type"):
            self.add_error("target_id", "Give the target's type too.")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end comes before the start.")
        return data

    def filters(self):
        """The selector's keyword arguments."""
        data = self.cleaned_data
        return {"action": data.get("action") or "", "actor_id": data.get("actor"),
                "target_type": data.get("target_type"), "target_id": data.get("target_id"),
                "since": data.get("since"), "until": data.get("until")}  # fmt: skip


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=User.Role.choices)
    reason = forms.CharField(label="Why (for the audit log)", required=False, max_length=500)


IMAGE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp"


class BrandingForm(forms.Form):
    """The admins' branding page. The colour and the domain are checked here by the same
    rules as the service and the API (community.validators); the images by the upload gate
    in the service, whose refusals apply_service_errors puts under their fields."""

    name = forms.CharField(label="Community name", required=False, max_length=BRAND_NAME_MAX)
    primary_color = forms.CharField(
        label="Primary colour",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "#4f46e5", "spellcheck": "false"}),
        help_text="#rrggbb or #rgb. Buttons show white text on it, so it must be dark enough "
        f"(a contrast of at least {MIN_CONTRAST}:1).",
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text="JPEG, PNG, GIF or WebP, up to 10 MB; shown in the header (about 40 pixels "
        "high) and in emails, in place of the name's first letter.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    favicon = forms.FileField(
        label="Favicon",
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text="A square PNG, 64 by 64 pixels or more, works best; browsers show it in tabs.",
    )
    remove_favicon = forms.BooleanField(label="Remove the favicon", required=False)
    custom_domain = forms.CharField(
        label="Custom domain",
        required=False,
        max_length=DOMAIN_MAX,
        widget=forms.TextInput(
            attrs={"placeholder": "community.example.com", "spellcheck": "false"}
        ),
        help_text="The host name alone. Point its DNS at this server and serve it over HTTPS "
        "first (the README says how); links in emails then use it.",
    )

    def __init__(self, *args, defaults, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = f"Blank: “{defaults.name}”, the server's setting."
        self.fields["name"].widget.attrs["placeholder"] = defaults.name
        self.fields["primary_color"].widget.attrs["placeholder"] = defaults.primary_color

    def clean_primary_color(self):
        value = self.cleaned_data["primary_color"].strip()
        return clean_color(value) if value else ""

    def clean_custom_domain(self):
        value = self.cleaned_data["custom_domain"].strip()
        return clean_domain(value) if value else ""

    def changes(self):
        """The keyword arguments of services.update_branding."""
        data = self.cleaned_data
        changes = {name: data[name] for name in ("name", "primary_color", "custom_domain")}
        for name in ("logo", "favicon"):
            if data[name]:
                changes[name] = data[name]
            elif data[f"remove_{name}"]:
                changes[name] = None
        return changes
