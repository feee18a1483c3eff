"""Direct messages' own rules on top of community's (never a copy of them): who may message
whom, and who may read or follow a conversation. Every refusal has words a member can read,
so the profile, the thread and the API all say the same thing."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery

from community import access
from community.models import User

from .models import Block, Message, Participant, Preferences


def why_not_message(sender, recipient):
    """None when `sender` may send `recipient` a message now, else the reason, as the
    sender should read it (1 query: the recipient's switch and the blocks either way)."""
    if not access.is_active_member(sender):
        return "Sign in to send messages."
    if recipient.pk == sender.pk:
        return "You cannot message yourself."
    if not access.is_active_member(recipient):
        return "This member cannot receive messages."
    facts = (
        User.objects.filter(pk=recipient.pk)
        .annotate(
            switch=Subquery(
                Preferences.objects.filter(member=OuterRef("pk")).values("direct_messages")[:1]
            ),
            blocked_by_sender=Exists(Block.objects.filter(blocker=sender, blocked=OuterRef("pk"))),
            blocks_sender=Exists(Block.objects.filter(blocker=OuterRef("pk"), blocked=sender)),
        )
        .values("switch", "blocked_by_sender", "blocks_sender")
        .first()
    )
    if facts is None:
        return "This member cannot receive messages."
    if facts["blocked_by_sender"]:
        return f"You blocked {recipient.display_name}. Unblock them to send a message."
    if facts["blocks_sender"]:
        return f"{recipient.display_name} is not taking messages from you."
    if facts["switch"] is False:
        return f"{recipient.display_name} has turned direct messages off."
    return None


def check_can_message(sender, recipient):
    reason = why_not_message(sender, recipient)
    if reason:
        raise PermissionDenied(reason)


def can_start_conversation(sender, recipient):
    """Starting needs the recipient's profile in sight (a private member is not found by
    id) and messages allowed both ways."""
    return access.can_view_profile(sender, recipient) and why_not_message(sender, recipient) is None


def direct_messages_on(member):
    preference = Preferences.objects.filter(member=member).values_list(
        "direct_messages", flat=True
    ).first()  # fmt: skip
    return True if preference is None else preference


def visible_messages(user, queryset=None):
    """The messages `user` may read: those not deleted in the conversations they are one of
    the two participants of (never anyone else's, whatever their role); a visitor reads
    none. What the thread page shows of them, without the placeholders of deleted ones."""
    queryset = Message.objects.all() if queryset is None else queryset
    if not access.is_active_member(user):
        return queryset.none()
    return queryset.filter(
        deleted_at__isnull=True,
        conversation_id__in=Participant.objects.filter(member=user).values("conversation_id"),
    )


def may_receive_conversation_topic(user, conversation_id):
    """Only the conversation's two participants follow it live."""
    return Participant.objects.filter(conversation_id=conversation_id, member=user).exists()
