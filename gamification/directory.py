"""Points and levels in the member directory, through community's seams: a "Points" sort
(highest first), a level filter, each card's level and points, and the same two as columns
of the admins' member export."""

from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from community.selectors.directory import register_member_filter, register_member_sort
from community.selectors.member_export import register_member_export_columns

from .models import Level, Score


def _with_points(members):
    """The member's all-time points (0 without a score) and level, joined in the page's
    one query."""
    return members.annotate(
        points=Coalesce(F("score__points"), Value(0)),
        level_name=F("score__level__name"),
    )


def _with_points_by_key(members):
    """The same two for the export's batches of members by id: each member's score read by
    its primary key. A join would read the score table from its start for every batch
    (bench/README.md, "the admin pages"), so an export would grow as members squared."""
    score = Score.objects.filter(member=OuterRef("pk"))
    return members.annotate(
        points=Coalesce(Subquery(score.values("points")[:1]), Value(0)),
        level_name=Subquery(score.values("level__name")[:1]),
    )


def _points_and_level(member):
    return member.points, member.level_name


def _by_points(members):
    """Walks score_directory_idx: every member has a Score row (made when they join), so an
    inner join on it loses no one, and its (-points, -member) order is the page's."""
    return members.filter(score__isnull=False).annotate(score_points=F("score__points"))


def _levels():
    return [(str(level.pk), level.name) for level in Level.objects.order_by("threshold")]


def _at_level(members, level_id):
    """At the level; at the first one, also the members with no score yet (0 points)."""
    at = Q(score__level_id=level_id)
    first = Level.objects.order_by("threshold").values_list("pk", flat=True).first()
    if str(first) == str(level_id):
        at |= Q(score__isnull=True)
    return members.filter(at)


def register():
    register_member_sort(
        "points", "Points", annotate=_with_points, fields=("score_points", "id"),
        badge="gamification/_directory_badge.html", prepare=_by_points,
    )  # fmt: skip
    register_member_filter("level", "Level", choices=_levels, apply=_at_level)
    register_member_export_columns(
        ("points", "level"), annotate=_with_points_by_key, values=_points_and_level
    )
