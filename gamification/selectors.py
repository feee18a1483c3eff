"""Reads for the score on a profile and in the header, and the leaderboards.

The boards read Score (all time) and PeriodScore (this week, this month) on their
(-points, member) indexes, never the ledger; banned and deactivated members are left out;
ties are ranked by points, then by member id (the older account first).
"""

from dataclasses import dataclass

from django.db.models import Func, Q, Subquery

from community.access import (
    can_view_profile,
    in_good_standing,
    is_active_member,
    out_of_standing,
)

from .models import Level, PeriodScore, Score
from .periods import period_start

PERIODS = ("all", "month", "week")


@dataclass(frozen=True)
class MemberScore:
    points: int
    level: Level | None
    next_level: Level | None
    rank: int | None = None  # all time; read only by score_of(member, with_rank=True)

    @property
    def progress(self):
        """Percent of the way from this level to the next (100 at the top)."""
        if self.level is None or self.next_level is None:
            return 100
        span = self.next_level.threshold - self.level.threshold
        return min(100, max(0, (self.points - self.level.threshold) * 100 // span))

    @property
    def to_next(self):
        """Points still needed for the next level (None at the top)."""
        return None if self.next_level is None else self.next_level.threshold - self.points


@dataclass(frozen=True)
class BoardRow:
    rank: int
    member: object
    level: Level | None
    points: int

    @property
    def pk(self):  # a card's key (gamification.card_kinds.BOARD_ROW)
        return self.member.pk


def score_of(member, *, with_rank=False):
    """The member's points, level and next level (and all-time rank), in one query: the
    ladder, each rung with the member's points (and rank) beside it (a member with no score
    yet has 0)."""
    points = Score.objects.filter(member_id=member.pk).values("points")[:1]
    extra = {"member_points": Subquery(points)}
    if with_rank:
        extra["ahead"] = _ahead(member, "all", Subquery(points))
    ladder = list(Level.objects.annotate(**extra).order_by("threshold"))
    if not ladder:  # no ladder at all: the rank still counts
        return MemberScore(points_in(member, "all"), None, None, rank_of(member, "all"))
    total = ladder[0].member_points or 0
    reached = [level for level in ladder if level.threshold <= total]
    ahead = [level for level in ladder if level.threshold > total]
    rank = ladder[0].ahead + 1 if with_rank and _on_board(member, total) else None
    return MemberScore(
        points=total,
        level=reached[-1] if reached else None,
        next_level=ahead[0] if ahead else None,
        rank=rank,
    )


def _scores(period):
    """The rows of one board by points alone: members with points in the period, whatever
    their standing."""
    if period == "all":
        rows = Score.objects.all()
    elif period in ("week", "month"):
        rows = PeriodScore.objects.filter(period=period, starts_on=period_start(period))
    else:
        raise ValueError(f"A leaderboard period is one of {', '.join(PERIODS)}: {period!r}")
    return rows.filter(points__gt=0)


def _board(period):
    """The rows of one board: members with points in the period, in good standing."""
    rows = _scores(period).filter(in_good_standing("member__"))
    if period == "all":
        return rows.select_related("member", "level")
    return rows.select_related("member", "member__score__level")


def leaderboard(period, *, limit=20):
    """The top `limit` rows of the board (one query)."""
    rows = _board(period).order_by("-points", "member_id")[:limit]
    return [
        BoardRow(
            rank=rank,
            member=row.member,
            level=row.level if period == "all" else _level_of(row.member),
            points=row.points,
        )
        for rank, row in enumerate(rows, start=1)
    ]


def profiles_shown(viewer, members):
    """Ids of the members whose profile the viewer may open: a board names only them (a
    private profile keeps its rank, without a name or a link)."""
    return {member.pk for member in members if can_view_profile(viewer, member)}


def _level_of(member):
    score = getattr(member, "score", None)  # joined by _board; a missing row reads as None
    return score.level if score is not None else None


def points_in(member, period):
    """The member's points on the board of `period` (0 without a row), in one query."""
    return _scores(period).filter(member_id=member.pk).values_list("points", flat=True).first() or 0


def _before(member, period, points):
    """The board's rows before the member's (more points, or as many and a lower id), read
    on its (-points, member) index alone. `points`: the member's, a value or a subquery."""
    return _scores(period).filter(
        Q(points__gt=points) | Q(points=points, member_id__lt=member.pk), points__gte=points
    )


def _ahead(member, period, points):
    """The number of members in good standing before the member, as an expression for a
    query that reads more beside it: the rows before, less the members out of standing
    among them (few, found on the users' partial index). Joining every row before to its
    member to check standing would read the whole users table for a low rank."""
    before = _before(member, period, points)
    return _count(before) - _count(before.filter(out_of_standing("member__")))


def _count(rows):
    return Subquery(rows.order_by().values(n=Func("pk", function="COUNT")))


def _on_board(member, points):
    """Whether a member with these points in a period is on its board (in good standing:
    the instance says, as the page's viewer or the profile's member was just read)."""
    return points > 0 and is_active_member(member)


def rank_of(member, period, *, points=None):
    """The member's rank on the board (None when not on it). Two counts, as _ahead's but
    each its own query: Django builds them in half the time it takes to build _ahead's
    nested expression, and the building, not the counting, is what a board's request
    spends most on (3 ms against 0.5 ms of SQL). One query more without the points."""
    if points is None:
        points = points_in(member, period)
    if not _on_board(member, points):
        return None
    before = _before(member, period, points)
    return before.count() - before.filter(out_of_standing("member__")).count() + 1
