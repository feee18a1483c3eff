"""Gamification's demo (issue 16, item 6): the ledger the demo members' activity earns,
spread over past weeks, so the boards and levels differ on first run; seeding twice adds
nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from community import demo
from events import demo as events_demo
from gamification import demo as gamification_demo
from gamification import selectors
from gamification.models import PointAward, Score

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_points_are_seeded_after_the_content_they_reward():
    seed()
    order = demo.seeders()
    assert order.index(events_demo.seed_events) < order.index(gamification_demo.seed_points)


def test_the_demo_members_stand_at_different_levels_and_places():
    seed()
    board = selectors.leaderboard("all")
    assert len(board) == 7
    assert len({row.level.name for row in board}) >= 3
    assert len({row.points for row in board}) >= 5
    # Earned over past weeks: this week's board is not the all-time one.
    week = {row.member.pk: row.points for row in selectors.leaderboard("week")}
    assert any(week.get(row.member.pk, 0) < row.points for row in board)


def test_every_score_is_its_ledger_and_seeding_again_adds_nothing():
    seed()
    awards = sorted(PointAward.objects.values_list("member_id", "action", "source_id", "points"))
    sums = dict(PointAward.objects.values_list("member_id").annotate(total=Sum("points")))
    assert dict(Score.objects.values_list("member_id", "points")) == sums
    seed()
    again = sorted(PointAward.objects.values_list("member_id", "action", "source_id", "points"))
    assert again == awards
