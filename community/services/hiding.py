"""Hiding posts and comments from members: one mechanism for both.

Moderators still see hidden content, marked; members do not. Each change writes its audit
entry in the same transaction and, after commit, sends the removed/restored signal
(gamification takes back or gives back what the content earned) and the live event. Reports
hide content on their own at a threshold (moderation.hide_if_reported_enough) until a
moderator decides. Telling the author is the moderation queue's part (services.moderate).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from community import access, audit, effects, live, signals, tasks
from community.actors import system
from community.models import AuditEntry, Comment, Post

# The audit log's cause for content the reports hid on their own (a dismissal of the
# reports looks for it to bring the content back).
AUTO_HIDE_CAUSE = "auto-hide"


@dataclass(frozen=True)
class _Kind:
    check: Callable  # access: (actor, target) raises unless the actor may hide it
    hide: str  # the audit actions
    unhide: str
    removed: Signal
    restored: Signal
    ids: Callable  # target -> the signals' ids
    saved: tuple  # the fields a change writes
    announce: Callable  # target -> the side effects after commit


def _announce_post(post):
    live.publish_on_commit(f"post:{post.pk}", "post.updated", id=post.pk)
    live.recheck_on_commit(f"post:{post.pk}")  # a hidden post leaves members' sockets


def _announce_comment(comment):
    live.publish_on_commit(f"post:{comment.post_id}", "comment.updated", id=comment.pk,
                           post_id=comment.post_id)  # fmt: skip
    effects.enqueue_on_commit(tasks.recount_post, comment.post_id)  # counts shown comments


_KINDS = {
    Post: _Kind(
        check=access.check_can_pin_or_hide,
        hide=audit.POST_HIDE,
        unhide=audit.POST_UNHIDE,
        removed=signals.post_removed,
        restored=signals.post_restored,
        ids=lambda post: {"post_id": post.pk, "author_id": post.author_id},
        saved=("hidden_at", "updated_at"),
        announce=_announce_post,
    ),
    Comment: _Kind(
        check=access.check_can_hide_comment,
        hide=audit.COMMENT_HIDE,
        unhide=audit.COMMENT_UNHIDE,
        removed=signals.comment_removed,
        restored=signals.comment_restored,
        ids=lambda c: {"comment_id": c.pk, "post_id": c.post_id, "author_id": c.author_id},
        saved=("hidden_at",),
        announce=_announce_comment,
    ),
}


def hide(actor, *, target, reason=""):
    """A moderator hides a post or comment from members."""
    _KINDS[type(target)].check(actor, target)
    reason = reason or f"Hid a {target._meta.model_name}"
    return _set_hidden(actor, target, timezone.now(), reason)


def unhide(actor, *, target, reason=""):
    _KINDS[type(target)].check(actor, target)
    reason = reason or f"Unhid a {target._meta.model_name}"
    return _set_hidden(actor, target, None, reason)


def auto_hide(target, *, reporters):
    """Hides a post or comment that `reporters` different members reported (the setting's
    threshold), until a moderator decides; the lock makes simultaneous reports hide it once."""
    with transaction.atomic():
        target = type(target).objects.select_for_update().get(pk=target.pk)
        if target.hidden_at is not None or target.deleted_at is not None:
            return target
        return _set_hidden(system(AUTO_HIDE_CAUSE), target, timezone.now(),
                           f"Reported by {reporters} members")  # fmt: skip


def restore_auto_hidden(actor, *, target, reason):
    """Brings back content the reports hid on their own, as a moderator dismisses them: the
    moderators' call whoever wrote it (an admin's too), since the hiding was no one's
    decision; moderation.moderate has checked that the actor moderates."""
    return _set_hidden(actor, target, None, reason)


def was_auto_hidden(target):
    """Whether the target's latest hiding was the reports' own (not a moderator's)."""
    kind = _KINDS[type(target)]
    latest = (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            action__in=[kind.hide, kind.unhide],
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return (
        latest is not None
        and latest.action == kind.hide
        and latest.actor_id is None
        and latest.cause == AUTO_HIDE_CAUSE
    )


def _set_hidden(actor, target, value, reason):
    kind = _KINDS[type(target)]
    with transaction.atomic():
        was_hidden = target.hidden_at is not None
        target.hidden_at = value
        target.save(update_fields=kind.saved)
        audit.record(actor, kind.unhide if value is None else kind.hide, target, reason)
        if was_hidden and value is None:
            effects.send_signal_on_commit(kind.restored, **kind.ids(target))
        elif not was_hidden and value is not None:
            effects.send_signal_on_commit(kind.removed, **kind.ids(target), reason="hidden")
    kind.announce(target)
    return target
