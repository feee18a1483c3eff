"""Your notifications over the API: the list (newest activity first), the unread count,
marking one or all read, which kinds you get in the app and by email (how often, quiet
hours), and what you muted. Only your own: another
member's id answers 404."""

from django.core.exceptions import ValidationError
from django.db import transaction
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
from ..models import EMAIL_KINDS, Mute, Preferences
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


class EmailPreferencesSerializer(StrictSerializer):
    enabled = serializers.BooleanField(
        required=False, help_text="Whether you get notification emails at all."
    )
    frequency = serializers.ChoiceField(
        choices=Preferences.Frequency.choices, required=False,
        help_text="immediate: as it happens; daily / weekly: a digest at 8:00 in your time "
        "zone (weekly on Mondays); off: none. Payment problems are always mailed at once.",
    )  # fmt: skip
    kinds = serializers.DictField(
        child=serializers.BooleanField(), required=False,
        help_text="For each kind (the notification kinds but `payment`, which is always "
        "mailed, and `message`, direct messages), whether it comes by email. Kinds left out "
        "keep their setting.",
    )  # fmt: skip
    quiet_start = serializers.TimeField(
        required=False, allow_null=True, format="%H:%M",
        help_text="Quiet hours, on your own clock: no email from this time …",
    )  # fmt: skip
    quiet_end = serializers.TimeField(
        required=False, allow_null=True, format="%H:%M",
        help_text="… until this one (may span midnight); a payment problem still comes at once. "
        "Set both, or both null for none.",
    )  # fmt: skip
    next_digest_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When your next digest is due (null: no digests).",
    )


class PreferencesSerializer(StrictSerializer):
    kinds = serializers.DictField(
        child=serializers.BooleanField(), required=False,
        help_text="For each kind of notification (comment, reply, mention, like, follow, "
        "event, course, level, payment), whether you get it in the app. Kinds left out keep "
        "their setting; `payment` is always on.",
    )  # fmt: skip
    email = EmailPreferencesSerializer(required=False)


def _preferences(member):
    prefs = services.email.preferences_of(member.pk)
    return {
        "kinds": selectors.notifications.kinds_on(member),
        "email": {
            "enabled": prefs.email_enabled,
            "frequency": prefs.email_frequency,
            "kinds": {kind: kind not in (prefs.email_off or ()) for kind, _ in EMAIL_KINDS},
            "quiet_start": prefs.quiet_start,
            "quiet_end": prefs.quiet_end,
            "next_digest_at": prefs.next_digest_at,
        },
    }


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
        responses=PreferencesSerializer,
        summary="Which notifications you get, in the app and by email",
    )
    def get(self, request):
        return Response(PreferencesSerializer(_preferences(request.user)).data)

    @extend_schema(
        operation_id="notification_preferences_update",
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
        summary="Change which notifications you get, how often email comes, quiet hours",
    )
    def patch(self, request):
        body = read_body(PreferencesSerializer, request)
        with transaction.atomic():
            if "kinds" in body:
                services.notifications.set_kinds(request.user, changes=body["kinds"])
            if "email" in body:
                email = body["email"]
                try:
                    services.email.set_email_preferences(
                        request.user,
                        enabled=email.get("enabled"),
                        frequency=email.get("frequency"),
                        kinds=email.get("kinds"),
                        quiet_start=email.get("quiet_start", ...),
                        quiet_end=email.get("quiet_end", ...),
                    )
                except ValidationError as error:  # named as in the body: email.kinds
                    raise ValidationError(
                        {f"email.{name}": messages for name, messages in error.message_dict.items()}
                    ) from error
        return Response(PreferencesSerializer(_preferences(request.user)).data)


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
