"""The leaderboards, a member's rank and score: read from Score and PeriodScore only, banned
and deactivated members left out, ties by member id, at a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gamification.models import Level, PeriodScore, Score
from gamification.periods import period_start
from gamification.selectors import leaderboard, rank_of, score_of
from tests.factories import UserFactory
from tests.helpers import assert_constant_queries


def scored(points, *, week=None, month=None, **member_fields):
    """A member with a Score (its level as recompute sets it) and this period's rows."""
    member = UserFactory(**member_fields)
    level = Level.objects.filter(threshold__lte=points).order_by("-threshold").first()
    Score.objects.create(member=member, points=points, level=level)
    for period, value in (("week", week), ("month", month)):
        if value is not None:
            PeriodScore.objects.create(
                member=member, period=period, starts_on=period_start(period), points=value
            )
    return member


def board(period, **kwargs):
    return [(row.rank, row.member, row.points) for row in leaderboard(period, **kwargs)]


def test_the_all_time_board_ranks_by_points_then_member(db):
    low, tie_a, tie_b, top = scored(3), scored(10), scored(10), scored(70)
    assert board("all") == [(1, top, 70), (2, tie_a, 10), (3, tie_b, 10), (4, low, 3)]
    assert [row.level.name for row in leaderboard("all")] == [
        "Contributor", "Member", "Member", "Newcomer",
    ]  # fmt: skip


def test_the_week_and_month_boards_read_their_period(db):
    a = scored(500, week=1, month=40)
    b = scored(20, week=9, month=9)
    old = scored(100)
    PeriodScore.objects.create(
        member=old, period="week", starts_on=period_start("week") - timedelta(days=7), points=99
    )  # last week's row
    assert board("week") == [(1, b, 9), (2, a, 1)]
    assert board("month") == [(1, a, 40), (2, b, 9)]
    assert leaderboard("week")[1].level.name == "Expert"  # the member's level, all time


def test_banned_deactivated_and_pointless_members_are_left_out(db):
    shown = scored(5, week=5)
    scored(50, week=50, banned=True)
    scored(60, week=60, is_active=False)
    scored(0, week=0)
    expired_ban = scored(7, week=7, banned_at=timezone.now() - timedelta(days=9),
                         banned_until=timezone.now() - timedelta(days=1))  # fmt: skip
    assert board("all") == [(1, expired_ban, 7), (2, shown, 5)]
    assert board("week") == [(1, expired_ban, 7), (2, shown, 5)]


def test_a_member_outside_the_top_list_knows_their_rank(db):
    for points in range(10, 25):
        scored(points, week=points)
    me = scored(12, week=12)  # tied with the member of 12, who is older
    assert [row.points for row in leaderboard("all", limit=5)] == [24, 23, 22, 21, 20]
    assert rank_of(me, "all") == 14
    assert rank_of(me, "week") == 14
    assert rank_of(me, "month") is None  # no points this month
    assert rank_of(UserFactory(), "all") is None


def test_a_rank_agrees_with_the_board_whoever_is_out_of_standing_ahead(db):
    # Counted on the board's index less those out of standing: a banned member tied and
    # older, a deactivated one ahead; an ended ban counts again.
    scored(9, week=9, month=9, banned=True)
    scored(50, week=50, month=50, is_active=False)
    ended = scored(40, week=40, month=40, banned_at=timezone.now() - timedelta(days=9),
                   banned_until=timezone.now() - timedelta(days=1))  # fmt: skip
    members = [scored(p, week=p, month=p) for p in (5, 9, 9, 1, 30)]
    for period in ("all", "week", "month"):
        rows = leaderboard(period)
        assert [row.member for row in rows] == [ended, members[4], *members[1:3], *members[::3]]
        for row in rows:
            assert rank_of(row.member, period) == row.rank
    assert score_of(members[2], with_rank=True).rank == 4
    assert rank_of(scored(4, banned=True), "all") is None


def test_an_unknown_period_is_refused(db):
    with pytest.raises(ValueError, match="all, month, week"):
        leaderboard("year")


def test_a_score_with_its_level_next_level_and_progress(member):
    Score.objects.create(member=member, points=12)
    score = score_of(member)
    assert (score.points, score.level.name, score.next_level.name) == (12, "Member", "Regular")
    assert (score.progress, score.to_next) == (46, 8)  # 7 of the 15 points from 5 to 20


def test_a_member_without_a_score_is_a_newcomer(member):
    score = score_of(member)
    assert (score.points, score.level.name, score.next_level.name, score.progress) == (
        0, "Newcomer", "Member", 0,
    )  # fmt: skip


def test_the_top_of_the_ladder_has_no_next_level(member):
    Score.objects.create(member=member, points=40_000)
    score = score_of(member)
    assert (score.level.name, score.next_level, score.progress, score.to_next) == (
        "Icon", None, 100, None,
    )  # fmt: skip


# --- Query counts -----------------------------------------------------------------------------


def add_members(count):
    for index in range(count):
        scored(index + 1, week=index + 1, month=index + 1)


@pytest.mark.parametrize("period", ["all", "week", "month"])
def test_a_board_costs_one_query(db, period):
    add_members(5)
    # The board's rows with each member and level joined (1).
    before, after = assert_constant_queries(
        lambda: leaderboard(period, limit=50), grow=lambda: add_members(5), bound=1
    )
    assert (len(before), len(after)) == (5, 10)


@pytest.mark.parametrize("period", ["all", "week", "month"])
def test_a_rank_and_a_score_cost_a_fixed_number_of_queries(db, period):
    me = scored(3, week=3, month=3)
    add_members(5)
    # The rank: a COUNT of the rows before mine on the board's index, and one of the members
    # out of standing among them (2); the ladder with my points beside it (1).
    assert_constant_queries(
        lambda: rank_of(me, period, points=3), grow=lambda: add_members(5), bound=2
    )
    assert_constant_queries(lambda: score_of(me), grow=lambda: add_members(5), bound=1)


def test_the_rank_beside_the_ladder_is_the_rank_of_the_board(db):
    members = [scored(points) for points in (9, 30, 30, 4)]
    members.append(scored(7, banned=True))
    for member in [*members, UserFactory()]:
        expected = rank_of(member, "all")
        assert score_of(member, with_rank=True).rank == expected
    assert [score_of(m, with_rank=True).rank for m in members] == [3, 1, 2, 4, None]
