"""Your notifications over the API: the list (newest activity first), the unread count,
marking one or all read, which kinds you get, and what you muted. Only your own: another
member's id answers 404."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from community.api.errors import ErrorSerializer
from community.api.toolkit import (
    StrictSerializer,
    cursor_page_serializer,
    page_response,
    read_body,
    read_query,
)

from .. import selectors, services
from ..models import Mute
from .base import MessagingView
from .serializers import (
    MarkedReadSerializer,
    NotificationQuerySerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)


class NotificationListView(MessagingView):
    @extend_schema(
        operation_id="notifications_list",
        parameters=[NotificationQuerySerializer],
        responses=cursor_page_serializer(NotificationSerializer),
        summary="Your notifications, newest activity first (a grouped one moves up when it grows)",
    )
    def get(self, request):
        query = read_query(NotificationQuerySerializer, request)
        page = selectors.notifications.notifications_page(
            request.user, cursor=query.get("cursor"), size=query["size"],
            unread_only=query["unread"],
        )  # fmt: skip
        return page_response(request, page, NotificationSerializer)


class UnreadCountView(MessagingView):
    @extend_schema(
        operation_id="notifications_unread_count",
        responses=UnreadCountSerializer,
        summary="How many of your notifications are unread",
    )
    def get(self, request):
        return Response({"unread": selectors.notifications.unread_count(request.user)})


class MarkReadView(MessagingView):
    @extend_schema(
        operation_id="notifications_read",
        request=None,
        responses=NotificationSerializer,
        summary="Mark one of your notifications read",
    )
    def post(self, request, notification_id):
        notification = selectors.notifications.own_notification(request.user, notification_id)
        if notification is None:
            raise NotFound("No such notification.")
        notification = services.notifications.mark_read(request.user, notification)
        return Response(NotificationSerializer(notification).data)


class MarkAllReadView(MessagingView):
    @extend_schema(
        operation_id="notifications_read_all",
        request=None,
        responses=MarkedReadSerializer,
        summary="Mark all your notifications read",
    )
    def post(self, request):
        return Response({"marked": services.notifications.mark_all_read(request.user)})


class KindsSerializer(StrictSerializer):
    kinds = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="For each kind of notification (comment, reply, mention, like, follow, "
        "event, course, level, payment), whether you get it. Kinds left out keep their "
        "setting.",
    )


class MuteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mute
        fields = ["id", "target_type", "target_id", "created_at"]
        read_only_fields = ["id", "created_at"]


class MuteCreateSerializer(StrictSerializer):
    target_type = serializers.ChoiceField(
        choices=Mute.Target.choices, help_text="What to mute: a post's thread, a space, a member."
    )
    target_id = serializers.IntegerField(help_text="Its id.")


class NotificationPreferencesView(MessagingView):
    @extend_schema(
        operation_id="notification_preferences_read",
        responses=KindsSerializer,
        summary="Which kinds of notification you get",
    )
    def get(self, request):
        return Response({"kinds": selectors.notifications.kinds_on(request.user)})

    @extend_schema(
        operation_id="notification_preferences_update",
        request=KindsSerializer,
        responses=KindsSerializer,
        summary="Turn kinds of notification on or off",
    )
    def patch(self, request):
        changes = read_body(KindsSerializer, request)["kinds"]
        services.notifications.set_kinds(request.user, changes=changes)
        return Response({"kinds": selectors.notifications.kinds_on(request.user)})


class MuteListView(MessagingView):
    @extend_schema(
        operation_id="mutes_list", responses=MuteSerializer(many=True), summary="What you muted"
    )
    def get(self, request):
        return Response(
            MuteSerializer(selectors.notifications.mutes_of(request.user), many=True).data
        )

    @extend_schema(
        operation_id="mutes_create",
        request=MuteCreateSerializer,
        responses={
            201: MuteSerializer,
            404: OpenApiResponse(
                ErrorSerializer,
                description="No such post, space or member, or one you may not see.",
            ),
        },
        summary="Mute a post's thread, a space or a member: no notifications of it",
    )
    def post(self, request):
        data = read_body(MuteCreateSerializer, request)
        mute = services.notifications.mute(request.user, data["target_type"], data["target_id"])
        return Response(MuteSerializer(mute).data, status=status.HTTP_201_CREATED)


class MuteDetailView(MessagingView):
    @extend_schema(operation_id="mutes_delete", responses={204: None}, summary="Unmute")
    def delete(self, request, mute_id):
        mute = Mute.objects.filter(member=request.user, pk=mute_id).first()
        if mute is None:
            raise NotFound("No such mute.")
        services.notifications.unmute(request.user, mute.target_type, mute.target_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
