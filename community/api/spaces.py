from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from community import access, selectors, services
from community.models import Space, Tier
from community.pagination import keyset_page

from .toolkit import (
    PageQuerySerializer,
    StrictSerializer,
    cursor_page_serializer,
    page_query,
    page_response,
)


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "name", "slug", "description"]
        read_only_fields = fields


class SpaceSerializer(serializers.ModelSerializer):
    required_tier = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Null for a space open to all tiers.",
    )
    can_post = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = ["id", "slug", "name", "description", "icon", "visibility", "required_tier",
                  "post_permission", "position", "can_post"]  # fmt: skip
        read_only_fields = fields

    def get_can_post(self, space) -> bool:
        return access.can_post_in_space(self.context["request"].user, space)


class SpaceWriteSerializer(StrictSerializer):
    """Shape of a create or edit; services validate the values (SpaceAdmin uses them too)."""

    name = serializers.CharField(required=False, allow_blank=True)
    slug = serializers.SlugField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    icon = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Space.Visibility.choices, required=False)
    post_permission = serializers.ChoiceField(choices=Space.PostPermission.choices, required=False)
    required_tier = serializers.SlugRelatedField(
        slug_field="slug", queryset=selectors.tiers(), required=False, allow_null=True
    )


class SpaceOrderSerializer(StrictSerializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every live space's id, in the new order."
    )


def _space_response(request, space, code=status.HTTP_200_OK):
    return Response(SpaceSerializer(space, context={"request": request}).data, status=code)


class SpaceListView(APIView):
    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(SpaceSerializer),
        operation_id="spaces_list",
        summary="Spaces you may see, in the admins' order (by position)",
    )
    def get(self, request):
        spaces = selectors.spaces_for(request.user)
        page = keyset_page(spaces, fields=("position", "id"), ascending=True, **page_query(request))
        return page_response(request, page, SpaceSerializer)

    @extend_schema(
        request=SpaceWriteSerializer, responses={201: SpaceSerializer}, summary="Create (admins)"
    )
    def post(self, request):
        incoming = SpaceWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        space = services.create_space(request.user, **incoming.validated_data)
        return _space_response(request, space, status.HTTP_201_CREATED)


class SpaceDetailView(APIView):
    @extend_schema(responses=SpaceSerializer, summary="A space")
    def get(self, request, slug):
        return _space_response(request, selectors.space_by_slug(request.user, slug))

    @extend_schema(request=SpaceWriteSerializer, responses=SpaceSerializer, summary="Edit (admins)")
    def patch(self, request, slug):
        space = selectors.space_by_slug(request.user, slug)
        incoming = SpaceWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        space = services.update_space(request.user, space=space, **incoming.validated_data)
        return _space_response(request, space)

    @extend_schema(responses={204: None}, summary="Delete (admins; soft)")
    def delete(self, request, slug):
        space = selectors.space_by_slug(request.user, slug)
        services.delete_space(request.user, space=space)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpaceReorderView(APIView):
    @extend_schema(
        request=SpaceOrderSerializer,
        responses=SpaceSerializer(many=True),
        summary="Set the order of all spaces at once (admins)",
    )
    def post(self, request):
        incoming = SpaceOrderSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        spaces = services.reorder_spaces(request.user, space_ids=incoming.validated_data["order"])
        return Response(SpaceSerializer(spaces, many=True, context={"request": request}).data)


class TierListView(APIView):
    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(TierSerializer),
        operation_id="tiers_list",
        summary="The community's tiers, by name",
    )
    def get(self, request):
        tiers = selectors.tiers()
        page = keyset_page(tiers, fields=("name", "id"), ascending=True, **page_query(request))
        return page_response(request, page, TierSerializer)
