"""Direct messages read: a member's conversations (newest message first, with the other
member, the latest message and the unread count), a thread page by page, the members they
blocked. Each is a fixed number of queries whatever the number of rows."""

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from community.pagination import keyset_page

from ..models import Block, Message, Participant

LIST_ORDER = ("latest_at", "id")
THREAD_ORDER = ("id",)


def _unread(member):
    """Messages of the other member after the last one this side has seen (the thread's
    index on (conversation, id) answers it)."""
    return Coalesce(
        Subquery(
            Message.objects.filter(
                conversation=OuterRef("conversation_id"),
                id__gt=OuterRef("last_read_id"),
                deleted_at__isnull=True,
            )
            .exclude(sender=member)
            .order_by()
            .values("conversation")
            .annotate(count=Count("id"))
            .values("count"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def conversations_page(member, *, cursor=None, size=20):
    """One page of the member's conversations (one query)."""
    rows = (
        Participant.objects.filter(member=member, hidden=False, latest_at__isnull=False)
        .select_related("other", "conversation__last_message")
        .annotate(unread=_unread(member))
    )
    return keyset_page(rows, cursor=cursor, size=size, fields=LIST_ORDER)


def unread_conversations_count(member):
    """How many of the member's conversations hold a message they have not seen."""
    return Participant.objects.filter(
        member=member,
        hidden=False,
        latest_at__isnull=False,
        conversation__last_message_id__gt=F("last_read_id"),
    ).count()


def participant_in(member, conversation_id):
    """The member's side of that conversation (with the other member and the conversation),
    or None when they are not in it: the caller answers 404 either way."""
    return (
        Participant.objects.select_related("conversation", "other")
        .filter(member=member, conversation_id=conversation_id)
        .first()
    )


def other_side(participant):
    """The other member's side (their read receipt)."""
    return Participant.objects.filter(
        conversation_id=participant.conversation_id, member_id=participant.other_id
    ).first()  # fmt: skip


def thread_page(conversation, *, cursor=None, size=30):
    """One page of a thread, newest first (the page shows it oldest first; the cursor leads
    to older messages): one query."""
    rows = Message.objects.filter(conversation=conversation).select_related("sender")
    return keyset_page(rows, cursor=cursor, size=size, fields=THREAD_ORDER)


def message_in(member, message_id):
    """A message of one of the member's conversations, or None."""
    return (
        Message.objects.select_related("sender", "conversation")
        .filter(pk=message_id, conversation__participants__member=member)
        .first()
    )


def messages_after(conversation, after_id, *, limit=50):
    return list(
        Message.objects.filter(conversation=conversation, id__gt=after_id)
        .select_related("sender")
        .order_by("id")[:limit]
    )


def blocked_members(member):
    return Block.objects.filter(blocker=member).select_related("blocked").order_by("-created_at")


def existing_conversation_id(member, other):
    return (
        Participant.objects.filter(member=member, other=other)
        .values_list("conversation_id", flat=True)
        .first()
    )
