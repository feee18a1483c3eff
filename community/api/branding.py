"""API for the community's branding (admins only, like its page): read it, and change it
through the same service as /manage/branding/ (community.services.update_branding)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from community import access, branding, services
from community.models.branding import NAME_MAX
from community.validators import DOMAIN_MAX, MIN_CONTRAST

from .errors import ErrorSerializer
from .toolkit import StrictSerializer, read_body

IMAGE_HELP = "A JPEG, PNG, GIF or WebP image (multipart/form-data), up to 10 MB; null removes it."


class BrandingUpdateSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=NAME_MAX, required=False, allow_blank=True,
        help_text="The community's name; blank: the server's AGORA_SITE_NAME.",
    )  # fmt: skip
    primary_color = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="#rrggbb or #rgb (stored as lowercase #rrggbb), dark enough for white text "
        f"on it (contrast at least {MIN_CONTRAST}:1); blank: the server's AGORA_PRIMARY_COLOR.",
    )  # fmt: skip
    custom_domain = serializers.CharField(
        max_length=DOMAIN_MAX, required=False, allow_blank=True,
        help_text="A host name alone (community.example.com): no scheme, path or port; blank: "
        "none. Requests to it are accepted and links in emails use https://<it>.",
    )  # fmt: skip
    # FileField, not ImageField: the service's upload gate (community.uploads) decodes and
    # checks the image, once.
    logo = serializers.FileField(required=False, allow_null=True, help_text=IMAGE_HELP)
    favicon = serializers.FileField(required=False, allow_null=True, help_text=IMAGE_HELP)


class BrandingSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The name in force (the server's default if unset).")
    primary_color = serializers.CharField(help_text="The colour in force, #rrggbb.")
    logo_url = serializers.CharField(
        allow_null=True, help_text="The logo image, or null when there is none."
    )
    favicon_url = serializers.CharField(
        allow_null=True, help_text="The uploaded favicon, or null (the default icon)."
    )
    custom_domain = serializers.CharField(allow_blank=True, help_text="Blank: none.")
    base_url = serializers.CharField(help_text="The address links in emails start with.")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="Null: never set.")


def _data():
    brand = branding.current()
    return {
        "name": brand.name,
        "primary_color": brand.primary_color,
        "logo_url": brand.logo_url or None,
        "favicon_url": brand.favicon_url if brand.favicon else None,
        "custom_domain": brand.custom_domain,
        "base_url": branding.base_url(),
        "updated_at": brand.updated_at,
    }


class BrandingView(APIView):
    @extend_schema(
        operation_id="branding_retrieve",
        responses={200: BrandingSerializer, 403: ErrorSerializer},
        summary="The community's branding and custom domain (admins)",
    )
    def get(self, request):
        access.check_can_administer(request.user)
        return Response(BrandingSerializer(_data()).data)

    @extend_schema(
        operation_id="branding_update",
        request=BrandingUpdateSerializer,
        responses={200: BrandingSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Change the branding or the custom domain (admins; audited; every page and "
        "email shows it at once)",
    )
    def patch(self, request):
        access.check_can_administer(request.user)
        services.update_branding(request.user, **read_body(BrandingUpdateSerializer, request))
        return Response(BrandingSerializer(_data()).data)
