"""Notifications written: told once per cause, grouped by what they are about, read one by one
or all at once. Every change is published to the member's `user:<id>` topic after commit,
with their unread count, so the bell of every open page follows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from community import access, live
from community.models import User

from ..models import ALWAYS_TOLD, DeliveredCause, Mute, Notification, Preferences
from . import email

# Kinds whose causes gather in one row while it is unread ("Ana and 4 others liked …").
GROUPED = {Notification.Kind.LIKE}


def notify(recipient_id, kind, *, cause, target_type, target_id=None, actor_id=None,
           group=None, data=None, post_id=None, space_id=None):  # fmt: skip
    """Tells the member `recipient_id` of `cause` (a key naming what happened, unique for
    them), unless it is their own action, they cannot be reached (deactivated, banned),
    they turned that kind off, they muted its source (the post `post_id`, the space
    `space_id` or the actor) or they were told of it already. A cause of a grouped kind
    updates the unread row of its `group` (the latest actor, one more other) instead of
    adding one. Returns the notification, or None when nobody was told."""
    if actor_id is not None and actor_id == recipient_id:
        return None
    with transaction.atomic():
        # One member's notifications are written one at a time: two likes of one post
        # processed at once must update one row, not race to make two.
        recipient = User.objects.select_for_update().filter(pk=recipient_id).first()
        if recipient is None or not access.is_active_member(recipient):
            return None
        prefs = email.preferences_of(recipient_id)
        if kind not in ALWAYS_TOLD and _unwanted(
            prefs, kind, post_id=post_id, space_id=space_id, actor_id=actor_id
        ):
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
            email.note_notification(prefs, row)
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
            read_at=timezone.now(), email_pending=False
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
            read_at=timezone.now(), email_pending=False
        )
        if changed:
            live.publish_on_commit(f"user:{member.pk}", "notification.read", id=None, unread=0)
    return changed


def _unwanted(prefs, kind, *, post_id, space_id, actor_id):
    """Whether the member turned this kind off or muted where it comes from."""
    if kind in (prefs.in_app_off or ()):
        return True
    sources = Q()
    for target_type, target_id in (
        (Mute.Target.POST, post_id), (Mute.Target.SPACE, space_id), (Mute.Target.MEMBER, actor_id)
    ):  # fmt: skip
        if target_id is not None:
            sources |= Q(target_type=target_type, target_id=target_id)
    return bool(sources) and Mute.objects.filter(sources, member_id=prefs.member_id).exists()


def set_kinds(member, *, enabled=None, changes=None):
    """The kinds of notification the member wants: `enabled` lists them all (the others are
    turned off), or `changes` ({kind: on}) changes only those named. Returns the kinds off."""
    access.check_is_active_member(member)
    kinds = Notification.Kind.values
    unknown = (set(enabled or ()) | set(changes or ())) - set(kinds)
    if unknown:
        raise ValidationError({"kinds": [f"Unknown kinds: {', '.join(sorted(unknown))}."]})
    if any((changes or {}).get(kind) is False for kind in ALWAYS_TOLD):
        raise ValidationError({"kinds": ["Payment problems are always told: they cannot be "
                                         "turned off."]})  # fmt: skip
    if enabled is None:
        current = Preferences.objects.filter(member=member).values_list("in_app_off", flat=True)
        off = set(current.first() or ())
        enabled = [kind for kind in kinds if (changes or {}).get(kind, kind not in off)]
    off = [kind for kind in kinds if kind not in set(enabled) and kind not in ALWAYS_TOLD]
    Preferences.objects.update_or_create(member=member, defaults={"in_app_off": off})
    return off


def mute(member, target_type, target_id):
    """Mutes a post's thread, a space or a member the member may see (not themselves);
    muting twice keeps one."""
    access.check_is_active_member(member)
    _check_mutable(member, target_type, target_id)
    row, _ = Mute.objects.get_or_create(member=member, target_type=target_type, target_id=target_id)
    return row


def unmute(member, target_type, target_id):
    """Hears of it again (not muted: nothing changes)."""
    Mute.objects.filter(member=member, target_type=target_type, target_id=target_id).delete()


def _check_mutable(member, target_type, target_id):
    from community.models import Post, Space

    if target_type == Mute.Target.POST:
        post = Post.objects.select_related("space").filter(pk=target_id).first()
        found = post is not None and access.can_see_post(member, post)
    elif target_type == Mute.Target.SPACE:
        space = Space.objects.filter(pk=target_id).first()
        found = space is not None and access.can_see_space(member, space)
    elif target_type == Mute.Target.MEMBER:
        other = User.objects.filter(pk=target_id).first()
        if other is not None and other.pk == member.pk:
            raise ValidationError({"target_id": ["You cannot mute yourself."]})
        found = other is not None and access.can_view_profile(member, other)
    else:
        raise ValidationError({"target_type": ["Mute a post, a space or a member."]})
    if not found:
        raise Http404(f"No such {target_type}.")


def _unread(member_id):
    """The member's unread count as this write leaves it (live events carry it: a bell
    follows without asking)."""
    return Notification.objects.filter(recipient_id=member_id, read_at__isnull=True).count()
