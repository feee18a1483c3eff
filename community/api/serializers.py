from rest_framework import serializers

from community.forms import TIME_ZONE_CHOICES
from community.models import ApiToken, User

from .toolkit import AvatarUrlField, StrictSerializer


class AuthorSerializer(serializers.ModelSerializer):
    """A member as a post, a comment or a list shows them: name, handle, avatar."""

    avatar_url = AvatarUrlField()

    class Meta:
        model = User
        fields = ["id", "handle", "display_name", "avatar_url"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    """A member as other members see them."""

    avatar_url = AvatarUrlField()

    class Meta:
        model = User
        fields = ["id", "display_name", "bio", "bio_html", "avatar_url", "role", "created_at"]
        read_only_fields = fields


class MeSerializer(MemberSerializer):
    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "email", "time_zone", "profile_visibility"]
        read_only_fields = fields


class MeUpdateSerializer(StrictSerializer):
    """Shape of a PATCH; services.update_profile validates the values, as for the page."""

    display_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    bio = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    avatar = serializers.FileField(required=False)
    time_zone = serializers.ChoiceField(choices=TIME_ZONE_CHOICES, required=False)
    profile_visibility = serializers.ChoiceField(choices=User.Visibility.choices, required=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "created_at", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields
