"""Notifications read: a member's own, newest activity first, and their unread count."""

from community.pagination import keyset_page

from ..models import Notification

LIST_ORDER = ("updated_at", "id")


def notifications_page(member, *, cursor=None, size=20, unread_only=False):
    """One page of the member's notifications (the latest actor joined: one query)."""
    rows = Notification.objects.filter(recipient=member).select_related("actor")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return keyset_page(rows, cursor=cursor, size=size, fields=LIST_ORDER)


def own_notification(member, notification_id):
    """The member's notification with that id, or None (another member's is not theirs to
    see: the caller answers 404 for both)."""
    return Notification.objects.filter(recipient=member, pk=notification_id).first()


def unread_count(member):
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()
