"""What every member reads: their own score, another member's (when their profile is
visible to the reader, as GET /api/v1/members/{id}/ decides) and the leaderboards."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from community import selectors as community_selectors
from community.api.toolkit import read_query

from .. import selectors
from ..periods import period_start
from .base import GamificationView
from .serializers import LeaderboardQuerySerializer, LeaderboardSerializer, ScoreSerializer


def score_data(member):
    """The member's score and all-time rank, in one query (the ladder with both beside it)."""
    score = selectors.score_of(member, with_rank=True)
    return ScoreSerializer({
        "member": member, "points": score.points, "level": score.level,
        "next_level": score.next_level, "progress": score.progress, "to_next": score.to_next,
        "rank": score.rank,
    }).data  # fmt: skip


class MyScoreView(GamificationView):
    @extend_schema(
        operation_id="me_score_retrieve",
        responses=ScoreSerializer,
        summary="Your points, level, progress to the next level and all-time rank",
    )
    def get(self, request):
        return Response(score_data(request.user))


class MemberScoreView(GamificationView):
    @extend_schema(
        operation_id="members_score_retrieve",
        responses=ScoreSerializer,
        summary="A member's points, level and rank (404 when their profile is private to you)",
    )
    def get(self, request, member_id):
        member = community_selectors.member_profile(request.user, member_id)
        return Response(score_data(member))


def _named_rows(viewer, rows):
    """The rows, with `member` null where the viewer may not open the member's profile."""
    shown = selectors.profiles_shown(viewer, [row.member for row in rows])
    return [
        {"rank": row.rank, "member": row.member if row.member.pk in shown else None,
         "level": row.level, "points": row.points}
        for row in rows
    ]  # fmt: skip


class LeaderboardView(GamificationView):
    @extend_schema(
        operation_id="leaderboards_retrieve",
        parameters=[
            OpenApiParameter(
                "period",
                str,
                OpenApiParameter.PATH,
                enum=list(selectors.PERIODS),
                description="`all` (all time), `month` or `week` (this one, from Monday), in "
                "the community's time zone; any other answers 404.",
            ),
            LeaderboardQuerySerializer,
        ],
        responses=LeaderboardSerializer,
        summary="The top members of a period, and your own rank and points",
    )
    def get(self, request, period):
        if period not in selectors.PERIODS:
            raise NotFound(f"No leaderboard “{period}”: the periods are all, month and week.")
        size = read_query(LeaderboardQuerySerializer, request)["size"]
        # Four queries whatever the size: the top rows with members and levels joined, the
        # viewer's points, their rank (two COUNTs on the board's index).
        points = selectors.points_in(request.user, period)
        board = {
            "period": period,
            "starts_on": None if period == "all" else period_start(period),
            "results": _named_rows(request.user, selectors.leaderboard(period, limit=size)),
            "me": {
                "rank": selectors.rank_of(request.user, period, points=points),
                "points": points,
            },
        }
        return Response(LeaderboardSerializer(board).data)
