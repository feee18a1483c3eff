"""Gamification's idempotent tasks: each makes the ledger or a score agree with the rows it
is computed from, so a task run twice, late or out of order leaves the right result."""

from celery import shared_task

from .services import awards, scores


@shared_task
def reconcile_award(action, source, source_id, actor_id=None):
    """The one award of `action` on a source (and actor), created or deleted to match it."""
    awards.reconcile_award(action=action, source=source, source_id=source_id, actor_id=actor_id)


@shared_task
def reconcile_awards_from(source, source_id):
    """A post or comment removed or restored: its own award and the like awards on it."""
    awards.reconcile_awards_from(source=source, source_id=source_id)


@shared_task
def reconcile_rsvp_award(user_id, event_id, occurrence_start):
    """The event_going award of a member's RSVP to one occurrence (ISO 8601 start)."""
    awards.reconcile_rsvp_award(
        user_id=user_id, event_id=event_id, occurrence_start=occurrence_start
    )


@shared_task
def reconcile_event_awards(event_id, occurrence_start=None):
    """An event or one occurrence cancelled, deleted or moved: its going members' awards."""
    awards.reconcile_event_awards(event_id=event_id, occurrence_start=occurrence_start)


@shared_task
def recompute_score(member_id):
    """A member's points, level and this week's and month's points, from the ledger."""
    scores.recompute_score(member_id)


@shared_task
def recompute_all_scores():
    """Every member's score (after a change of the ladder, or to repair drift); safe while
    awards continue, each member being recomputed under their own lock."""
    for member_id in scores.every_member():
        scores.recompute_score(member_id, regrant=True)


@shared_task
def repair_scores():
    """The daily repair: every score that may have drifted from the ledger, recomputed (and
    the tiers its levels unlock granted again, if a grant was lost)."""
    scores.add_missing_scores()
    for member_id in scores.members_to_repair():
        scores.recompute_score(member_id, regrant=True)


@shared_task
def add_missing_scores():
    """Score rows for members who have none (see scores.add_missing_scores)."""
    scores.add_missing_scores()


@shared_task
def prune_period_scores():
    """The week and month rows no board reads any more (older than the previous period)."""
    scores.prune_period_scores()


@shared_task
def grant_level_tier(member_id, level_id):
    """The tier a reached level unlocks, granted once."""
    scores.grant_level_tier(member_id, level_id)
