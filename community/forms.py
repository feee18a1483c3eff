import zoneinfo

from django import forms

from .models import BIO_MAX, DISPLAY_NAME_MAX, User

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


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
