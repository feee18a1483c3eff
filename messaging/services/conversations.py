"""Direct messages written: a conversation started (one per pair of members), messages sent,
edited and deleted (soft), read receipts, blocks and the direct-message switch.

Every change is published after commit to the conversation's `conversation:<id>` topic (its
two participants' open threads) and to each participant's `user:<id>` topic (their
conversation list and the header's count)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import access as community_access
from community import effects, live
from community.richtext import render_markdown
from community.uploads import clean_image

from .. import access
from ..models import MESSAGE_MAX, Block, Conversation, Message, Participant, Preferences
from . import email

MESSAGE_IMAGE_FOLDER = "message-images"
MESSAGE_IMAGE_MAX_SIDE = 2000
RATE_WINDOW = timedelta(minutes=1)


def start_conversation(actor, recipient):
    """The pair's conversation, made on first use (a race makes one: the pair is unique).
    A member whose profile the actor may not see is not there for them (404)."""
    community_access.check_can_view_profile(actor, recipient)
    access.check_can_message(actor, recipient)
    low, high = sorted((actor, recipient), key=lambda member: member.pk)
    conversation = Conversation.objects.filter(low=low, high=high).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(low=low, high=high)
            Participant.objects.bulk_create([
                Participant(conversation=conversation, member=low, other=high),
                Participant(conversation=conversation, member=high, other=low),
            ])  # fmt: skip
    except IntegrityError:
        conversation = Conversation.objects.get(low=low, high=high)
    return conversation


def _participant(actor, conversation):
    participant = Participant.objects.select_related("other").filter(
        conversation=conversation, member=actor
    ).first()  # fmt: skip
    if participant is None or not community_access.is_active_member(actor):
        raise PermissionDenied("Only its two members may use a conversation.")
    return participant


def _text_errors(body, *, image=None):
    body = body or ""
    if not body.strip() and image is None:
        return {"body": ["Write a message before sending."]}
    if len(body) > MESSAGE_MAX:
        return {"body": [f"A message can be at most {MESSAGE_MAX:,} characters ({len(body):,})."]}
    return {}


class TooManyMessages(ValidationError):
    """The sender passed the rate limit (the API answers 429 with when to try again)."""

    def __init__(self, limit):
        super().__init__(
            {"body": [f"You sent {limit} messages in the last minute. Wait a moment, then send."]}
        )
        self.retry_after = int(RATE_WINDOW.total_seconds())


def _check_rate(actor):
    """At most MESSAGES_PER_MINUTE a minute per sender, on the pages and the API alike
    (counted from the messages themselves, through their index: exact, and nothing else to
    keep)."""
    limit = settings.AGORA_MESSAGES_PER_MINUTE
    since = timezone.now() - RATE_WINDOW
    sent = Message.objects.filter(sender=actor, created_at__gte=since)[:limit].count()
    if sent >= limit:
        raise TooManyMessages(limit)


def _cleaned_image(image):
    try:
        return clean_image(image, max_side=MESSAGE_IMAGE_MAX_SIDE)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error


def send_message(actor, conversation, *, body, image=None):
    """Sends a message (Markdown through the shared renderer, an optional image through the
    shared upload validator) to the conversation's other member, if they may get it."""
    participant = _participant(actor, conversation)
    access.check_can_message(actor, participant.other)
    body = (body or "").strip()
    errors = _text_errors(body, image=image)
    if errors:
        raise ValidationError(errors)
    _check_rate(actor)
    stored = ""
    if image is not None:
        cleaned = _cleaned_image(image)
        stored = default_storage.save(f"{MESSAGE_IMAGE_FOLDER}/{cleaned.name}", cleaned)
    body_html = render_markdown(body)
    try:
        with transaction.atomic():
            # One message of a conversation at a time: the newest is then the last written,
            # with the largest id and the latest time, and becomes the conversation's latest.
            Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
            message = Message.objects.create(
                conversation=conversation, sender=actor, body=body, body_html=body_html,
                image=stored,
            )  # fmt: skip
            Conversation.objects.filter(pk=conversation.pk).update(last_message=message)
            Participant.objects.filter(conversation=conversation).update(
                latest_at=message.created_at
            )
            # Their own message is read by the sender.
            Participant.objects.filter(pk=participant.pk).update(
                last_read_id=message.pk, last_read_at=message.created_at
            )
            email.note_message(conversation.pk, participant.other_id)
    except Exception:
        if stored:
            default_storage.delete(stored)  # nothing points at it
        raise
    _publish(conversation, "message.created", id=message.pk, sender=actor.pk)
    return message


def _own_message(actor, message):
    if message.sender_id != actor.pk or message.deleted_at is not None:
        raise PermissionDenied("You can change only your own messages.")
    _participant(actor, message.conversation)


def edit_message(actor, message, *, body):
    _own_message(actor, message)
    body = (body or "").strip()
    errors = _text_errors(body, image=message.image or None)
    if errors:
        raise ValidationError(errors)
    message.body = body
    message.body_html = render_markdown(body)
    message.edited_at = timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    _publish(message.conversation, "message.updated", id=message.pk)
    return message


def delete_message(actor, message):
    """Soft: the row stays where it was in the thread ("message deleted"); its words and
    image go."""
    _own_message(actor, message)
    image = message.image
    message.body = message.body_html = message.image = ""
    message.deleted_at = timezone.now()
    message.save(update_fields=["body", "body_html", "image", "deleted_at"])
    if image:
        effects.on_commit(lambda: default_storage.delete(image))
    _publish(message.conversation, "message.deleted", id=message.pk)
    return message


def mark_read(actor, conversation, *, side=None):
    """The member has seen everything up to the conversation's newest message (as the
    caller loaded it): their read receipt moves, published to the other member's open
    thread. Nothing new: nothing changes. `side`: the actor's Participant row, when the
    caller has it already."""
    if side is not None and side.member_id == actor.pk and side.conversation_id == conversation.pk:
        participant = side
    else:
        participant = _participant(actor, conversation)
    newest = conversation.last_message_id
    if not newest or newest <= participant.last_read_id:
        return participant
    now = timezone.now()
    changed = Participant.objects.filter(pk=participant.pk, last_read_id__lt=newest).update(
        last_read_id=newest, last_read_at=now, email_pending=False
    )
    participant.last_read_id, participant.last_read_at = newest, now
    if changed:
        _publish(
            conversation, "conversation.read", member=actor.pk, last_read_id=newest,
            read_at=now.isoformat(),
        )  # fmt: skip
    return participant


def _publish(conversation, event_type, **data):
    live.publish_on_commit(f"conversation:{conversation.pk}", event_type, **data)
    for member_id in (conversation.low_id, conversation.high_id):
        live.publish_on_commit(
            f"user:{member_id}", "conversation.updated", id=conversation.pk, change=event_type
        )


def set_direct_messages(actor, *, enabled):
    community_access.check_is_active_member(actor)
    Preferences.objects.update_or_create(member=actor, defaults={"direct_messages": enabled})


def block(actor, member):
    """No messages either way from now on, and the blocker's side of their conversation is
    hidden (unblocking shows it again)."""
    community_access.check_is_active_member(actor)
    if member.pk == actor.pk:
        raise ValidationError({"member": ["You cannot block yourself."]})
    with transaction.atomic():
        Block.objects.get_or_create(blocker=actor, blocked=member)
        _set_hidden(actor, member, hidden=True)


def unblock(actor, member):
    community_access.check_is_active_member(actor)
    with transaction.atomic():
        Block.objects.filter(blocker=actor, blocked=member).delete()
        _set_hidden(actor, member, hidden=False)


def _set_hidden(actor, member, *, hidden):
    Participant.objects.filter(member=actor, other=member).update(hidden=hidden)
    live.publish_on_commit(f"user:{actor.pk}", "conversation.updated", change="block")
