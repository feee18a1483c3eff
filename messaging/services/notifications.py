"""Notifications written: told once per cause, grouped by what they are about, read one by one
or all at once. Every change is published to the member's `user:<id>` topic after commit,
with their unread count, so the bell of every open page follows."""

from django.db import transaction
from django.utils import timezone

from community import access, live
from community.models import User

from ..models import DeliveredCause, Notification

# Kinds whose causes gather in one row while it is unread ("Ana and 4 others liked …").
GROUPED = {Notification.Kind.LIKE}


def notify(recipient_id, kind, *, cause, target_type, target_id=None, actor_id=None,
           group=None, data=None):  # fmt: skip
    """Tells the member `recipient_id` of `cause` (a key naming what happened, unique for
    them), unless it is their own action, they cannot be reached (deactivated, banned) or
    they were told of it already. A cause of a grouped kind updates the unread row of its
    `group` (the latest actor, one more other) instead of adding one. Returns the
    notification, or None when nobody was told."""
    if actor_id is not None and actor_id == recipient_id:
        return None
    with transaction.atomic():
        # One member's notifications are written one at a time: two likes of one post
        # processed at once must update one row, not race to make two.
        recipient = User.objects.select_for_update().filter(pk=recipient_id).first()
        if recipient is None or not access.is_active_member(recipient):
            return None
        _, new = DeliveredCause.objects.get_or_create(recipient_id=recipient_id, key=cause)
        if not new:
            return None
        group = group if kind in GROUPED and group else cause
        row = Notification.objects.filter(
            recipient_id=recipient_id, group=group, read_at__isnull=True
        ).first()
        if row is None:
            row = Notification.objects.create(
                recipient_id=recipient_id, kind=kind, group=group, actor_id=actor_id,
                target_type=target_type, target_id=target_id, data=data or {},
            )  # fmt: skip
        else:
            row.others += 1
            row.actor_id = actor_id
            row.data = data or row.data
            row.save(update_fields=["others", "actor", "data", "updated_at"])
        live.publish_on_commit(
            f"user:{recipient_id}", "notification.created", id=row.pk, unread=_unread(recipient_id)
        )
    return row


def mark_read(member, notification):
    """Marks one of the member's own notifications read (already read: nothing changes)."""
    if notification.recipient_id != member.pk:
        raise ValueError("A member marks only their own notifications read.")
    with transaction.atomic():
        changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            live.publish_on_commit(
                f"user:{member.pk}", "notification.read", id=notification.pk,
                unread=_unread(member.pk),
            )  # fmt: skip
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(member):
    """Marks every unread notification of the member read; returns how many."""
    with transaction.atomic():
        changed = Notification.objects.filter(recipient=member, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            live.publish_on_commit(f"user:{member.pk}", "notification.read", id=None, unread=0)
    return changed


def _unread(member_id):
    """The member's unread count as this write leaves it (live events carry it: a bell
    follows without asking)."""
    return Notification.objects.filter(recipient_id=member_id, read_at__isnull=True).count()
