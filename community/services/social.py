"""Every write about members' relations: follows, and reports to the moderators."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import access, audit, effects, live, signals
from community.models import Follow, Report, User

from . import moderation

REASON_MAX = 2000
NOTE_MAX = 2000


def follow(actor, *, member):
    """Follow `member`; following twice is harmless and returns the existing row."""
    access.check_is_active_member(actor)
    access.check_can_view_profile(actor, member)
    if actor.pk == member.pk:
        raise ValidationError({"member": ["You cannot follow yourself."]}, code="self_follow")
    with transaction.atomic():
        # get_or_create inserts in a savepoint: a concurrent double click hits the unique
        # constraint there and reads the other request's row instead of failing.
        row, created = Follow.objects.get_or_create(follower=actor, followed=member)
        if created:
            effects.send_signal_on_commit(
                signals.member_followed, follower_id=actor.pk, followed_id=member.pk
            )
            live.publish_on_commit(f"user:{member.pk}", "follower.added", follower_id=actor.pk)
    return row


def unfollow(actor, *, member):
    """Stop following `member` (allowed even if their profile turned private since)."""
    access.check_is_active_member(actor)
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(follower=actor, followed=member).delete()
    return deleted > 0


def _check_can_report(actor, target):
    """404 for a target the reporter may not see; no reporting oneself or one's own posts."""
    access.check_can_report(actor, target)
    own = target.pk == actor.pk if isinstance(target, User) else target.author_id == actor.pk
    if own:
        raise ValidationError("You cannot report yourself or your own content.", code="own")


def _clean_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Tell the moderators what is wrong."]}, code="required")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [f"Keep the reason under {REASON_MAX} characters ({len(reason)} now)."]},
            code="max_length",
        )
    return reason


def report(actor, *, target, reason):
    """A member reports a post, a comment or a member to the moderators, once per target."""
    _check_can_report(actor, target)
    reason = _clean_reason(reason)
    kind = "member" if isinstance(target, User) else type(target).__name__.lower()
    try:
        # The unique constraint (reporter, target) decides, even for two requests at once.
        with transaction.atomic():
            row = Report.objects.create(reporter=actor, target=target, reason=reason)
    except IntegrityError as duplicate:
        raise ValidationError(
            f"You have already reported this {kind}; the moderators have your report.",
            code="already_reported",
        ) from duplicate
    if kind != "member":
        moderation.hide_if_reported_enough(target)
    return row


def _close_report(actor, *, report, status, action, note):
    access.check_can_moderate(actor)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [f"Keep the note under {NOTE_MAX} characters."]})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != Report.Status.OPEN:
            raise ValidationError(
                f"This report is already {locked.get_status_display().lower()}.", code="closed"
            )
        locked.status = status
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit.record(actor, action, locked, note)
    report.status, report.resolved_by, report.resolved_at = status, actor, locked.resolved_at
    return report


def resolve_report(actor, *, report, note=""):
    """The moderators acted on the report (hid the post, banned the member…)."""
    return _close_report(
        actor,
        report=report,
        status=Report.Status.RESOLVED,
        action=audit.REPORT_RESOLVE,
        note=note,
    )


def dismiss_report(actor, *, report, note=""):
    """The moderators found nothing to act on."""
    return _close_report(
        actor,
        report=report,
        status=Report.Status.DISMISSED,
        action=audit.REPORT_DISMISS,
        note=note,
    )
