"""Messaging's cards (community.cards): a notification's row. Only its recipient ever sees
it, but it is rendered once per version all the same (the page's next visit, and the bell's
menu, reuse it), the way every list row is."""

from community.cards import CardKind

from .text import sentence


def _version(notification):
    actor = notification.actor
    return (
        sentence(notification),
        notification.kind,
        notification.updated_at,
        notification.read_at is not None,
        actor.pk if actor else None,
        actor.avatar.name if actor else None,
    )


NOTIFICATION = CardKind(
    name="notification",
    template="messaging/_notification_card.html",
    includes=("community/_avatar.html",),
    version=_version,
    viewer_state=lambda request, notification: {},
    context=lambda notification: {"text": sentence(notification)},
)


def _conversation_version(participant):
    other, last = participant.other, participant.conversation.last_message
    latest = last and (last.pk, last.sender_id, last.body_html, bool(last.image), last.deleted_at)
    return (
        other.pk, other.display_name, other.avatar.name,
        participant.unread, participant.latest_at, latest,
    )  # fmt: skip


# A row of the member's conversation list: only they see it (its unread count is theirs).
CONVERSATION = CardKind(
    name="conversation",
    template="messaging/_conversation_card.html",
    includes=("community/_avatar.html",),
    version=_conversation_version,
    viewer_state=lambda request, participant: {},
)


def _message_version(message):
    sender = message.sender
    return (
        message.body_html, message.image, message.created_at, message.edited_at,
        message.deleted_at, sender.pk, sender.display_name, sender.avatar.name,
    )  # fmt: skip


# One message of a thread: the same card for both members; its sender also gets the edit
# and delete controls, and sees it on their side.
MESSAGE = CardKind(
    name="message",
    template="messaging/_message_card.html",
    includes=("community/_avatar.html",),
    version=_message_version,
    viewer_state=lambda request, message: {"mine": message.sender_id == request.user.pk},
)
