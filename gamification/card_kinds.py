"""Gamification's cards (community.cards): a row of a leaderboard, rendered once per version
and reused for every viewer. Whether the row is the viewer's own ("You") and whether the
viewer may open the member's profile (a private one keeps its rank without a name) are
filled per request."""

from community.access import can_view_profile
from community.cards import CardKind


def _version(row):
    member, level = row.member, row.level
    return (
        row.rank, row.points,
        member.pk, member.display_name, member.avatar.name, member.role,
        (level.pk, level.name) if level else None,
    )  # fmt: skip


def _viewer_state(request, row):
    return {
        "me": row.member.pk == request.user.pk,
        "shown": can_view_profile(request.user, row.member),
    }


BOARD_ROW = CardKind(
    name="board_row",
    template="gamification/_row.html",
    includes=("community/_avatar.html", "gamification/_level_chip.html"),
    version=_version,
    viewer_state=_viewer_state,
)
