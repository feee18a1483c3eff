from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors, services
from community.models import ApiToken
from community.pagination import keyset_page

from . import social
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
    MeUpdateSerializer,
)
from .toolkit import PageQuerySerializer, cursor_page_serializer, page_query, page_response


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The signed-in member's own profile")
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses=MeSerializer,
        summary="Change the signed-in member's profile (same rules as the edit page)",
    )
    def patch(self, request):
        incoming = MeUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        member = services.update_profile(request.user, **incoming.validated_data)
        return Response(MeSerializer(member, context={"request": request}).data)


class MemberDetailView(APIView):
    @extend_schema(responses=social.MemberProfileSerializer, summary="A member's public profile")
    def get(self, request, member_id):
        member = selectors.member_profile(request.user, member_id)
        return Response(social.member_profile_data(request, member))


class ApiTokenListView(APIView):
    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(ApiTokenSerializer),
        operation_id="tokens_list",
        summary="Your personal API tokens, newest first (revoked ones too)",
    )
    def get(self, request):
        page = keyset_page(selectors.api_tokens(request.user), **page_query(request))
        return page_response(request, page, ApiTokenSerializer)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
        summary="Create a token; its key is in this response only",
    )
    def post(self, request):
        incoming = ApiTokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        token, raw_key = services.create_api_token(request.user, **incoming.validated_data)
        token.key = raw_key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Revoke a token")
    def delete(self, request, token_id):
        try:
            services.revoke_api_token(request.user, token_id=token_id)
        except ApiToken.DoesNotExist as missing:
            raise NotFound("No active token with this id.") from missing
        return Response(status=status.HTTP_204_NO_CONTENT)
