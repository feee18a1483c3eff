"""The moderators' decisions from the queue, one step each (page and API alike): the action
on the reported post, comment or member, every open report on it closed in the same
transaction, the audit entries, and a notice to the member concerned (messaging listens to
`signals.moderation_notice`)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from community import access, audit, effects, signals
from community.models import Report, User
from community.selectors.reports import target_kind

from . import comments, hiding, members, posts

NOTE_MAX = 2000


class Action:
    DISMISS = "dismiss"
    HIDE = "hide"
    DELETE = "delete"
    BAN = "ban"
    WARN = "warn"

    # What each does, in the words the queue's buttons and the API's docs use.
    CHOICES = {
        DISMISS: "Dismiss the reports: nothing to act on (what the reports hid comes back)",
        HIDE: "Hide the post or comment from members",
        DELETE: "Delete the post or comment",
        BAN: "Ban the author (or the reported member)",
        WARN: "Warn the author with a message (required)",
    }


# The notice's word for what happened, for messaging.
_NOTICE = {Action.HIDE: "hidden", Action.DELETE: "deleted", Action.BAN: "banned",
           Action.WARN: "warned"}  # fmt: skip


@dataclass
class Decision:
    action: str
    target: object
    reports_closed: int


def _reports_on(target):
    return Report.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    )


def _clean(action, target, reason, until):
    if action not in Action.CHOICES:
        raise ValidationError(
            {"action": [f"Choose one of: {', '.join(Action.CHOICES)}."]}, code="invalid"
        )
    reason = (reason or "").strip()
    if len(reason) > NOTE_MAX:
        raise ValidationError(
            {"reason": [f"Keep it under {NOTE_MAX} characters ({len(reason)} now)."]},
            code="max_length",
        )
    if action in (Action.HIDE, Action.DELETE) and isinstance(target, User):
        raise ValidationError(
            {"action": [f"A member is not {_NOTICE[action]} from here; ban them instead."]},
            code="invalid",
        )
    if action == Action.WARN and not reason:
        raise ValidationError(
            {"reason": ["Write the warning the member will read."]}, code="required"
        )
    if until is not None and action != Action.BAN:
        raise ValidationError({"until": ["Only a ban has an end."]}, code="invalid")
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": ["The ban's end must be in the future."]}, code="invalid")
    return reason


def _act(actor, action, target, author, reason, until):
    kind = target_kind(target)
    if action == Action.DISMISS:
        if kind != "member" and target.hidden_at is not None and hiding.was_auto_hidden(target):
            hiding.restore_auto_hidden(actor, target=target, reason="Reports dismissed")
    elif action == Action.HIDE:
        if target.hidden_at is None:
            hiding.hide(actor, target=target, reason=reason)
    elif action == Action.DELETE:
        if target.deleted_at is None:
            if kind == "post":
                posts.delete_post(actor, post=target, reason=reason)
            else:
                comments.delete_comment(actor, comment=target, reason=reason)
    elif action == Action.BAN:
        members.ban_member(actor, member=author, reason=reason, until=until)
    elif action == Action.WARN:
        audit.record(actor, audit.WARN, author, reason)


def moderate(actor, *, target, action, reason="", until=None):
    """Takes `action` on a reported (or any) post, comment or member and closes the open
    reports on it: dismissed for "dismiss", resolved otherwise. `reason` goes to the audit
    log and, for a warning, to the member. Refused: a non-moderator; a moderator over an
    admin's content or an admin; an action that does not fit the target."""
    access.check_can_moderate(actor)
    reason = _clean(action, target, reason, until)
    author = target if isinstance(target, User) else target.author
    if action != Action.DISMISS:
        if author is None:
            if action in (Action.BAN, Action.WARN):
                raise ValidationError("The author's account no longer exists.", code="gone")
        elif action in (Action.BAN, Action.WARN):
            access.check_can_moderate_member(actor, author)
        else:
            access.check_can_act_on_content_of(actor, author)
    with transaction.atomic():
        # The content's row, then its reports, locked first: a second moderator's decision
        # waits, then finds it hidden or deleted and the reports closed, and repeats nothing.
        if not isinstance(target, User):
            state = type(target).objects.select_for_update().values("deleted_at", "hidden_at")
            for name, value in state.get(pk=target.pk).items():
                setattr(target, name, value)
        open_ids = list(
            _reports_on(target)
            .select_for_update()
            .filter(status=Report.Status.OPEN)
            .values_list("pk", flat=True)
        )
        _act(actor, action, target, author, reason, until)
        if open_ids:
            dismissed = action == Action.DISMISS
            Report.objects.filter(pk__in=open_ids).update(
                status=Report.Status.DISMISSED if dismissed else Report.Status.RESOLVED,
                resolved_by=actor,
                resolved_at=timezone.now(),
            )
            audit.record(
                actor,
                audit.REPORT_DISMISS if dismissed else audit.REPORT_RESOLVE,
                target,
                f"{len(open_ids)} report(s), {action}" + (f": {reason}" if reason else ""),
            )
        if action in _NOTICE:
            effects.send_signal_on_commit(
                signals.moderation_notice,
                member_id=author.pk,
                action=_NOTICE[action],
                target_type=target_kind(target),
                target_id=target.pk,
                reason=reason,
                until=until.isoformat() if until else None,
                at=timezone.now().isoformat(),
            )
    return Decision(action=action, target=target, reports_closed=len(open_ids))


def hide_if_reported_enough(target):
    """After a report on a post or comment: hides it when AGORA_AUTO_HIDE_REPORTS different
    members (or more) have open reports on it. Off when the setting is 0."""
    threshold = settings.AGORA_AUTO_HIDE_REPORTS
    if threshold <= 0 or target.hidden_at is not None:
        return False
    # One report per member and target (a unique constraint): rows count reporters.
    reporters = _reports_on(target).filter(status=Report.Status.OPEN).count()
    if reporters < threshold:
        return False
    hiding.auto_hide(target, reporters=reporters)
    return True
