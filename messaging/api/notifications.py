"""Your notifications over the API: the list (newest activity first), the unread count,
marking one or all read. Only your own: another member's id answers 404."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from community.api.toolkit import cursor_page_serializer, page_response, read_query

from .. import selectors, services
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
