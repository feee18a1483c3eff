"""Notifications read: a member's own, newest activity first, and their unread count."""

from django.utils.text import Truncator

from community.pagination import keyset_page

from ..models import Mute, Notification, Preferences

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


def kinds_on(member):
    """{kind: on} for every kind of notification, as the member chose (all on by default)."""
    off = set(
        Preferences.objects.filter(member=member).values_list("in_app_off", flat=True).first() or ()
    )
    return {kind: kind not in off for kind in Notification.Kind.values}


def is_muted(member, target_type, target_id):
    return Mute.objects.filter(
        member=member, target_type=target_type, target_id=target_id
    ).exists()  # fmt: skip


def mutes_of(member):
    """The member's mutes, newest first, each with `label` (the post's title, the space's or
    the member's name; "" for one that is gone): 1 query for the mutes, 1 per kind."""
    from community.models import Post, Space, User

    mutes = list(Mute.objects.filter(member=member).order_by("-created_at", "-id"))
    wanted = {}
    for mute in mutes:
        wanted.setdefault(mute.target_type, set()).add(mute.target_id)
    labels = {}
    if Mute.Target.POST in wanted:
        for pk, title, body in Post.objects.filter(pk__in=wanted[Mute.Target.POST]).values_list(
            "pk", "title", "body"
        ):
            labels[(Mute.Target.POST, pk)] = title or Truncator(" ".join(body.split())).chars(60)
    if Mute.Target.SPACE in wanted:
        for pk, name in Space.objects.filter(pk__in=wanted[Mute.Target.SPACE]).values_list(
            "pk", "name"
        ):
            labels[(Mute.Target.SPACE, pk)] = name
    if Mute.Target.MEMBER in wanted:
        for pk, name in User.objects.filter(pk__in=wanted[Mute.Target.MEMBER]).values_list(
            "pk", "display_name"
        ):
            labels[(Mute.Target.MEMBER, pk)] = name
    for mute in mutes:
        mute.label = labels.get((mute.target_type, mute.target_id), "")
    return mutes
