"""The gamification API's shapes. A member is shown as everywhere else in the API
(community.api.serializers.AuthorSerializer: id, handle, display name, avatar); a level in
three sizes: on a board row (id, name, colour), in a score (with its threshold) and on the
ladder (with the tier it unlocks). What a write accepts is a StrictSerializer: an unknown
key is a 400 naming it; gamification.services validate the values."""

from rest_framework import serializers

from community.api.fields import UtcDateTimeField
from community.api.serializers import AuthorSerializer
from community.api.toolkit import PageSizeField, StrictSerializer
from community.models import Tier
from community.pagination import MAX_PAGE_SIZE

from ..models import COLOUR, POINTS_MAX, THRESHOLD_MAX, Level, PointRule
from ..selectors import PERIODS

BOARD_SIZE = 20

# --- Levels -----------------------------------------------------------------------------------


class LevelRefSerializer(serializers.ModelSerializer):
    """A level as a board row shows it."""

    class Meta:
        model = Level
        fields = ["id", "name", "colour"]
        read_only_fields = fields


class LevelStepSerializer(LevelRefSerializer):
    """A level with the points that reach it."""

    class Meta(LevelRefSerializer.Meta):
        fields = [*LevelRefSerializer.Meta.fields, "threshold"]
        read_only_fields = fields


class LevelSerializer(LevelStepSerializer):
    """A rung of the ladder, as PUT /api/v1/levels/ takes it back."""

    unlocks_tier = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True,
        help_text="The tier granted to members who reach this level (its slug); null: none.",
    )  # fmt: skip

    class Meta(LevelStepSerializer.Meta):
        fields = [*LevelStepSerializer.Meta.fields, "unlocks_tier"]
        read_only_fields = fields


class LevelsSerializer(serializers.Serializer):
    levels = LevelSerializer(many=True, read_only=True, help_text="By threshold, lowest first.")


class LevelWriteSerializer(StrictSerializer):
    """A rung of the ladder to save: an existing level (by `id`) or a new one."""

    id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1,
        help_text="The level this row edits (members keep it); none: a new level.",
    )  # fmt: skip
    name = serializers.CharField(max_length=Level._meta.get_field("name").max_length)
    threshold = serializers.IntegerField(
        min_value=0, max_value=THRESHOLD_MAX, help_text="The points that reach this level."
    )
    colour = serializers.CharField(max_length=7, validators=[COLOUR], help_text="#rrggbb")
    unlocks_tier = serializers.SlugRelatedField(
        slug_field="slug", queryset=Tier.objects.all(), required=False, allow_null=True,
        help_text="A tier's slug: members reaching this level are granted it.",
    )  # fmt: skip


def _flat(detail, name=""):
    """DRF's nested errors ({"levels": {1: {"threshold": [...]}}}) as the flat fields of the
    project's error body ({"levels[1].threshold": [...]})."""
    if isinstance(detail, dict):  # a row's fields, or a list's rows by index
        for key, value in detail.items():
            if isinstance(key, int):
                yield from _flat(value, f"{name}[{key}]")
            else:
                yield from _flat(value, f"{name}.{key}" if name else key)
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            if item:
                yield from _flat(item, f"{name}[{index}]")
    else:
        yield name, detail


class LevelsUpdateSerializer(StrictSerializer):
    """The whole ladder at once. A refused row is named by its place: `levels[1].threshold`
    is the second row's threshold; a refused ladder (thresholds repeated or decreasing, the
    first not 0) is named `levels`, its message naming the level."""

    levels = LevelWriteSerializer(
        many=True,
        help_text="The whole ladder, lowest first: the first threshold is 0 and each is higher "
        "than the one before. Levels left out are deleted; members' levels are then "
        "recomputed. A bad ladder is refused and nothing changes.",
    )

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as refused:
            raise serializers.ValidationError(dict(_flat(refused.detail))) from None


# --- Scores and boards ------------------------------------------------------------------------


class ScoreSerializer(serializers.Serializer):
    """A member's all-time points, level, progress to the next level and rank."""

    member = AuthorSerializer()
    points = serializers.IntegerField(help_text="All time.")
    level = LevelStepSerializer(allow_null=True, help_text="Null: the ladder has no level yet.")
    next_level = LevelStepSerializer(allow_null=True, help_text="Null: at the top.")
    progress = serializers.IntegerField(
        help_text="Percent of the way from this level to the next (100 at the top)."
    )
    to_next = serializers.IntegerField(
        allow_null=True, help_text="Points still needed for the next level; null at the top."
    )
    rank = serializers.IntegerField(
        allow_null=True,
        help_text="On the all-time leaderboard; null when not on it (no points yet).",
    )


class LeaderboardQuerySerializer(serializers.Serializer):
    size = PageSizeField(
        required=False,
        default=BOARD_SIZE,
        help_text=f"Rows of the top list, 1 to {MAX_PAGE_SIZE} (default {BOARD_SIZE}).",
    )


class BoardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 is first; ties go to the older account.")
    member = AuthorSerializer(
        allow_null=True,
        help_text="Null for a member whose profile is private to you (their rank stays).",
    )
    level = LevelRefSerializer(allow_null=True, help_text="The member's level (all time).")
    points = serializers.IntegerField(help_text="The period's points.")


class StandingSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        allow_null=True, help_text="Null: not on this board (no points in the period)."
    )
    points = serializers.IntegerField(help_text="The period's points.")


class LeaderboardSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIODS)
    starts_on = serializers.DateField(
        allow_null=True,
        help_text="The first day of the week (Monday) or month, in the community's time "
        "zone; null for all time.",
    )
    results = BoardRowSerializer(many=True, help_text="The top list, best first.")
    me = StandingSerializer(help_text="Your own rank and points, even outside the top list.")


# --- Rules ------------------------------------------------------------------------------------


class PointRuleSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_action_display", read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = PointRule
        fields = ["action", "label", "points", "active", "updated_at"]
        read_only_fields = fields


class PointRulesSerializer(serializers.Serializer):
    rules = PointRuleSerializer(many=True, read_only=True)


class PointRuleUpdateSerializer(StrictSerializer):
    """What to change; a value left out stays as it is."""

    # No bounds here: the model refuses a value out of range with its own reason.
    points = serializers.IntegerField(
        required=False,
        help_text=f"0 to {POINTS_MAX}. No negative values: a penalty is a moderation tool "
        "(hide, delete, ban), not a game rule. A change applies to new awards; awards "
        "already given keep their points.",
    )
    active = serializers.BooleanField(
        required=False, help_text="Off: the action earns nothing new."
    )
