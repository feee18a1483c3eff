"""Direct messages over the API: your conversations (newest message first, with unread
counts), starting one, a thread page by page (newest first), sending, editing and deleting
your messages, marking a conversation read, blocks and your direct-message switch. A
conversation you are not in answers 404; messaging someone who turned direct messages off
or blocked you answers 403 with the reason; sending too fast answers 429."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.response import Response

from community.api.errors import ErrorSerializer
from community.api.serializers import AuthorSerializer
from community.api.toolkit import (
    PageQuerySerializer,
    StrictSerializer,
    cursor_page_serializer,
    page_query,
    page_response,
    read_body,
)
from community.models import User

from .. import access, selectors, services
from ..models import MESSAGE_MAX, Message, Participant
from ..services.conversations import TooManyMessages
from .base import MessagingView

NO_MEMBER = "No such member, or one whose profile you may not see: both answer the same."


class LatestMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "sender_id", "body", "created_at", "deleted_at"]
        read_only_fields = fields


class ConversationSerializer(serializers.ModelSerializer):
    """One of your conversations: `with` the other member, the latest message, how many of
    the other member's messages you have not seen, and where the other member has read to
    (`other_read_id`: their read receipt, on the thread's detail only)."""

    id = serializers.IntegerField(source="conversation_id", read_only=True)
    other = AuthorSerializer(read_only=True)
    latest_message = LatestMessageSerializer(
        source="conversation.last_message", read_only=True, allow_null=True
    )
    unread = serializers.IntegerField(read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "other", "latest_message", "unread", "latest_at", "last_read_id"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    """A message. A deleted one keeps its place with an empty body and `deleted_at` set."""

    sender = AuthorSerializer(read_only=True)
    image_url = serializers.CharField(read_only=True)

    class Meta:
        model = Message
        fields = ["id", "conversation_id", "sender", "body", "body_html", "image_url",
                  "created_at", "edited_at", "deleted_at"]  # fmt: skip
        read_only_fields = fields


BODY_FIELD = {
    "required": False, "allow_blank": True, "max_length": MESSAGE_MAX, "trim_whitespace": False,
    "error_messages": {"max_length": f"A message can be at most {MESSAGE_MAX:,} characters."},
    "help_text": "Markdown, at most 5,000 characters.",
}  # fmt: skip


class StartSerializer(StrictSerializer):
    member = serializers.IntegerField(help_text="The id of the member to talk to.")


class SendSerializer(StrictSerializer):
    body = serializers.CharField(**BODY_FIELD)
    image = serializers.FileField(
        required=False, help_text="An image (multipart/form-data), checked and re-encoded."
    )


class EditSerializer(StrictSerializer):
    body = serializers.CharField(**BODY_FIELD)


class ReceiptSerializer(serializers.Serializer):
    last_read_id = serializers.IntegerField(help_text="The newest message you have seen.")
    last_read_at = serializers.DateTimeField(allow_null=True)


class ConversationThreadSerializer(serializers.Serializer):
    conversation = ConversationSerializer(read_only=True)
    other_read_id = serializers.IntegerField(
        help_text="The other member's read receipt: the newest message they have seen."
    )
    other_read_at = serializers.DateTimeField(allow_null=True)
    can_send = serializers.BooleanField()
    cannot_send_reason = serializers.CharField(allow_null=True)


class BlockSerializer(serializers.Serializer):
    member = AuthorSerializer(source="blocked", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class BlockCreateSerializer(StrictSerializer):
    member = serializers.IntegerField(help_text="The id of the member to block.")


class MessagePreferencesSerializer(StrictSerializer):
    direct_messages = serializers.BooleanField(
        help_text="Whether members may send you direct messages."
    )


def _participant(request, conversation_id):
    participant = selectors.conversations.participant_in(request.user, conversation_id)
    if participant is None:
        raise NotFound("No such conversation.")
    return participant


def _message(request, message_id):
    message = selectors.conversations.message_in(request.user, message_id)
    if message is None:
        raise NotFound("No such message.")
    return message


def _send(request, conversation, body, image=None):
    try:
        return services.conversations.send_message(
            request.user, conversation, body=body, image=image
        )
    except TooManyMessages as error:
        raise Throttled(wait=error.retry_after, detail=error.messages[0]) from error


class ConversationListView(MessagingView):
    @extend_schema(
        operation_id="conversations_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(ConversationSerializer),
        summary="Your conversations, newest message first",
    )
    def get(self, request):
        query = page_query(request)
        page = selectors.conversations.conversations_page(
            request.user, cursor=query.get("cursor"), size=query["size"]
        )
        return page_response(request, page, ConversationSerializer)

    @extend_schema(
        operation_id="conversations_start",
        request=StartSerializer,
        responses={
            200: ConversationThreadSerializer,
            404: OpenApiResponse(ErrorSerializer, description=NO_MEMBER),
        },
        summary="Your conversation with a member (made on first use; send its first message next)",
    )
    def post(self, request):
        data = read_body(StartSerializer, request)
        member = User.objects.filter(pk=data["member"], is_active=True).first()
        if member is None:
            raise NotFound("No such member.")
        conversation = services.conversations.start_conversation(request.user, member)
        return _thread_response(request, _participant(request, conversation.pk))


def _thread_response(request, participant):
    participant.unread = 0
    other = selectors.conversations.other_side(participant)
    reason = access.why_not_message(request.user, participant.other)
    return Response(
        ConversationThreadSerializer(
            {
                "conversation": participant,
                "other_read_id": other.last_read_id if other else 0,
                "other_read_at": other.last_read_at if other else None,
                "can_send": reason is None,
                "cannot_send_reason": reason,
            }
        ).data
    )


class ConversationDetailView(MessagingView):
    @extend_schema(
        operation_id="conversations_read",
        responses=ConversationThreadSerializer,
        summary="One of your conversations, the other member's read receipt and whether you "
        "may send",
    )
    def get(self, request, conversation_id):
        return _thread_response(request, _participant(request, conversation_id))


class MessageListView(MessagingView):
    @extend_schema(
        operation_id="conversation_messages_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(MessageSerializer),
        summary="A conversation's messages, newest first (the cursor leads to older ones)",
    )
    def get(self, request, conversation_id):
        participant = _participant(request, conversation_id)
        query = page_query(request)
        page = selectors.conversations.thread_page(
            participant.conversation, cursor=query.get("cursor"), size=query["size"]
        )
        return page_response(request, page, MessageSerializer)

    @extend_schema(
        operation_id="conversation_messages_send",
        request={"application/json": SendSerializer, "multipart/form-data": SendSerializer},
        responses={201: MessageSerializer},
        summary="Send a message (text, an image or both)",
    )
    def post(self, request, conversation_id):
        participant = _participant(request, conversation_id)
        data = read_body(SendSerializer, request)
        message = _send(request, participant.conversation, data.get("body", ""), data.get("image"))
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class MarkConversationReadView(MessagingView):
    @extend_schema(
        operation_id="conversations_mark_read",
        request=None,
        responses=ReceiptSerializer,
        summary="Mark a conversation read up to its newest message (your read receipt)",
    )
    def post(self, request, conversation_id):
        participant = _participant(request, conversation_id)
        participant = services.conversations.mark_read(request.user, participant.conversation)
        return Response(ReceiptSerializer(participant).data)


class MessageDetailView(MessagingView):
    @extend_schema(
        operation_id="messages_edit",
        request=EditSerializer,
        responses=MessageSerializer,
        summary="Edit one of your messages",
    )
    def patch(self, request, message_id):
        message = _message(request, message_id)
        data = read_body(EditSerializer, request)
        message = services.conversations.edit_message(
            request.user, message, body=data.get("body", "")
        )
        return Response(MessageSerializer(message).data)

    @extend_schema(
        operation_id="messages_delete",
        responses={204: None},
        summary="Delete one of your messages (its place stays, its words and image go)",
    )
    def delete(self, request, message_id):
        services.conversations.delete_message(request.user, _message(request, message_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockListView(MessagingView):
    @extend_schema(
        operation_id="blocks_list",
        responses=BlockSerializer(many=True),
        summary="The members you blocked",
    )
    def get(self, request):
        blocks = selectors.conversations.blocked_members(request.user)
        return Response(BlockSerializer(blocks, many=True).data)

    @extend_schema(
        operation_id="blocks_create",
        request=BlockCreateSerializer,
        responses={204: None, 404: OpenApiResponse(ErrorSerializer, description=NO_MEMBER)},
        summary="Block a member: no messages either way, and your conversation is hidden",
    )
    def post(self, request):
        data = read_body(BlockCreateSerializer, request)
        member = get_object_or_404(User, pk=data["member"])
        services.conversations.block(request.user, member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockDetailView(MessagingView):
    @extend_schema(operation_id="blocks_delete", responses={204: None}, summary="Unblock a member")
    def delete(self, request, member_id):
        member = get_object_or_404(User, pk=member_id)
        services.conversations.unblock(request.user, member)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessagePreferencesView(MessagingView):
    @extend_schema(
        operation_id="message_preferences_read",
        responses=MessagePreferencesSerializer,
        summary="Your direct-message switch",
    )
    def get(self, request):
        return Response({"direct_messages": access.direct_messages_on(request.user)})

    @extend_schema(
        operation_id="message_preferences_update",
        request=MessagePreferencesSerializer,
        responses=MessagePreferencesSerializer,
        summary="Turn direct messages on or off",
    )
    def patch(self, request):
        data = read_body(MessagePreferencesSerializer, request)
        services.conversations.set_direct_messages(request.user, enabled=data["direct_messages"])
        return Response({"direct_messages": access.direct_messages_on(request.user)})
