"""Every form of the community pages. Forms give the shape of the input; the services do
the validation that matters, and apply_service_errors puts their refusals on the form."""

import zoneinfo

from django import forms

from .models import BIO_MAX, BODY_MAX, DISPLAY_NAME_MAX, Space, User
from .models.posts import TITLE_MAX
from .selectors import tiers
from .selectors.directory import member_filters, sorts
from .services.social import REASON_MAX


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


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong?",
        strip=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": REASON_MAX}),
        help_text="Only the moderators see your report and your name.",
    )
