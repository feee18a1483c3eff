"""A member's score, level and period points, recomputed from the ledger.

Never incremented: recompute_score sums the awards under a lock on the member's Score row,
so a recompute run twice, late, or beside another one for the same member leaves the sums
of the ledger as it is committed (the last one to take the lock sees every award).
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from community import effects, live
from community.access import in_good_standing
from community.actors import system
from community.models import AccessGrant, User
from community.services import grant_access

from .. import signals, tasks
from ..models import Level, PeriodScore, PointAward, Score
from ..periods import period_start, start_moment


def lock_score(member_id):
    """The member's Score row, locked until the transaction ends (created if missing)."""
    try:
        return Score.objects.select_for_update().get(member_id=member_id)
    except Score.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            Score.objects.create(member_id=member_id)
    except IntegrityError:
        pass  # created by another task a moment ago
    return Score.objects.select_for_update().get(member_id=member_id)


def recompute_score(member_id, *, regrant=False):
    """Sets the member's points (all time, this week, this month) and level from the
    ledger; a changed total is published live to the member (`score.changed`). A level-up
    (a higher threshold than before) sends level_changed and a live `level.changed` to the
    member after commit, and grants the tier the level unlocks."""
    if not User.objects.filter(pk=member_id).exists():
        return None
    week, month = period_start(PeriodScore.Period.WEEK), period_start(PeriodScore.Period.MONTH)
    with transaction.atomic():
        score = lock_score(member_id)
        # Read after the lock: each statement sees every award committed before it.
        sums = PointAward.objects.filter(member_id=member_id).aggregate(
            total=Coalesce(Sum("points"), 0),
            week=Coalesce(Sum("points", filter=Q(created_at__gte=start_moment(week))), 0),
            month=Coalesce(Sum("points", filter=Q(created_at__gte=start_moment(month))), 0),
        )
        # A member without a level (a first score, or their level deleted from the ladder)
        # was at the level their previous points reach: a ladder edit is no level-up.
        previous = score.level or _level_at(score.points)
        level = _level_at(sums["total"])
        if score.points != sums["total"]:
            # The member's own pages (the header) show the new total at once.
            live.publish_on_commit(f"user:{member_id}", "score.changed", points=sums["total"])
        score.points, score.level = sums["total"], level
        score.save(update_fields=["points", "level", "updated_at"])
        for period, starts_on in (("week", week), ("month", month)):
            _set_period_points(member_id, period, starts_on, sums[period])
        if _is_level_up(previous, level):
            _announce_level_up(score, level, previous)
        if level is not None and (regrant or _is_level_up(previous, level)):
            # Every level passed may unlock a tier, not only the one reached; a recompute
            # of everyone (a ladder edit) grants those of every level reached.
            below = -1 if regrant or previous is None else previous.threshold
            _grant_tiers_between(member_id, below, level.threshold)
    return score


def _set_period_points(member_id, period, starts_on, points):
    """Upserts the period's row; a member with no points in it gets none (the boards list
    only members with points), so a recompute of everyone adds no empty rows."""
    row = PeriodScore.objects.filter(member_id=member_id, period=period, starts_on=starts_on)
    if not row.update(points=points) and points:
        PeriodScore.objects.create(
            member_id=member_id, period=period, starts_on=starts_on, points=points
        )


def _level_at(points):
    return Level.objects.filter(threshold__lte=points).order_by("-threshold").first()


def _is_level_up(previous, level):
    if level is None:
        return False
    return level.threshold > (previous.threshold if previous else 0)


def _announce_level_up(score, level, previous):
    effects.send_signal_on_commit(
        signals.level_changed, user_id=score.member_id, level_id=level.pk,
        previous_level_id=previous.pk if previous else None,
    )  # fmt: skip
    live.publish_on_commit(
        f"user:{score.member_id}", "level.changed", id=level.pk, name=level.name,
        colour=level.colour, points=score.points,
    )  # fmt: skip


def _grant_tiers_between(member_id, below, up_to):
    unlocking = Level.objects.filter(
        unlocks_tier__isnull=False, threshold__gt=below, threshold__lte=up_to
    ).values_list("pk", flat=True)
    for level_id in unlocking:
        effects.enqueue_on_commit(tasks.grant_level_tier, member_id, level_id)


def grant_level_tier(member_id, level_id):
    """Grants the tier a level unlocks to a member who has reached it, in good standing and
    not holding that tier already (so a second run grants nothing)."""
    level = Level.objects.select_related("unlocks_tier").filter(pk=level_id).first()
    if level is None or level.unlocks_tier is None:
        return None
    member = User.objects.filter(in_good_standing(), pk=member_id).first()
    if (
        member is None
        or not Score.objects.filter(member_id=member_id, points__gte=level.threshold).exists()
    ):
        return None
    held = AccessGrant.objects.active().filter(user_id=member_id, tier=level.unlocks_tier)
    if held.exists():
        return None
    return grant_access(
        system(f"level {level.name}"), member=member, tier=level.unlocks_tier,
        source=AccessGrant.Source.LEVEL, note=f"Reached level {level.name}",
    )  # fmt: skip


def every_member():
    """Every member's id, for a recompute of all: each has a Score row after it (the
    directory's Points sort walks those rows)."""
    return list(User.objects.order_by("pk").values_list("pk", flat=True))


def members_to_repair():
    """The members whose score may have drifted from the ledger: those with awards, and
    those whose score is not 0 (their awards gone). A member with neither has 0 points, as
    the row add_missing_scores gives them says."""
    awarded = set(PointAward.objects.values_list("member_id", flat=True).distinct())
    scored = set(Score.objects.exclude(points=0).values_list("member_id", flat=True))
    return sorted(awarded | scored)


MISSING_BATCH = 5_000


def add_missing_scores():
    """A Score row (0 points, the ladder's rung at 0) for each member who has none: the
    directory's Points sort lists only members with one. member_joined makes it as a member
    signs up; this catches those whose task was lost (a broker down) or who were created in
    bulk. Returns how many rows it made."""
    start = _level_at(0)
    missing = User.objects.filter(score__isnull=True).order_by("pk").values_list("pk", flat=True)
    made, last = 0, 0
    while batch := list(missing.filter(pk__gt=last)[:MISSING_BATCH]):
        created = Score.objects.bulk_create(
            [Score(member_id=pk, points=0, level=start) for pk in batch], ignore_conflicts=True
        )
        made, last = made + len(created), batch[-1]
    return made


PRUNE_BATCH = 10_000


def prune_period_scores(now=None):
    """Deletes the period rows of weeks and months before the previous one: no board reads
    them, and the ledger keeps the history. In batches, so a large prune never holds many
    row locks at once. Returns how many rows went."""
    removed = 0
    for period in PeriodScore.Period.values:
        current = period_start(period, now)
        previous = period_start(period, start_moment(current) - timedelta(days=1))
        old = PeriodScore.objects.filter(period=period, starts_on__lt=previous)
        while batch := list(old.values_list("pk", flat=True)[:PRUNE_BATCH]):
            removed += PeriodScore.objects.filter(pk__in=batch).delete()[0]
    return removed
