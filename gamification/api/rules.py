"""What each action is worth and the ladder of levels: every member reads them, admins
change them (a rule one at a time, the ladder as a whole) through gamification.services,
which check the admin again and validate."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from community.api.toolkit import read_body

from ..models import Level, PointRule
from ..services.levels import save_levels
from ..services.rules import update_rule
from .base import CanAdministerWrites, GamificationView
from .serializers import (
    LevelsSerializer,
    LevelsUpdateSerializer,
    PointRuleSerializer,
    PointRulesSerializer,
    PointRuleUpdateSerializer,
)


class PointRuleListView(GamificationView):
    @extend_schema(
        operation_id="point_rules_list",
        responses=PointRulesSerializer,
        summary="What each action is worth (every action, so not paged)",
    )
    def get(self, request):
        return Response(PointRulesSerializer({"rules": PointRule.objects.all()}).data)


class PointRuleDetailView(GamificationView):
    permission_classes = [IsAuthenticated, CanAdministerWrites]

    @extend_schema(
        operation_id="point_rules_partial_update",
        request=PointRuleUpdateSerializer,
        responses=PointRuleSerializer,
        summary="Change what an action is worth, or switch it off; awards already given keep "
        "their points (admins)",
    )
    def patch(self, request, action):
        if action not in PointRule.Action.values:
            raise NotFound(f"No point rule “{action}”.")
        data = read_body(PointRuleUpdateSerializer, request)
        try:
            rule = update_rule(request.user, action=action, **data)
        except PointRule.DoesNotExist:
            raise NotFound(f"No point rule “{action}”.") from None
        return Response(PointRuleSerializer(rule).data)


def _ladder():
    levels = Level.objects.select_related("unlocks_tier").order_by("threshold")
    return Response(LevelsSerializer({"levels": levels}).data)


class LevelListView(GamificationView):
    permission_classes = [IsAuthenticated, CanAdministerWrites]

    @extend_schema(
        operation_id="levels_list",
        responses=LevelsSerializer,
        summary="The ladder of levels, as PUT takes it",
    )
    def get(self, request):
        return _ladder()

    @extend_schema(
        operation_id="levels_update",
        request=LevelsUpdateSerializer,
        responses=LevelsSerializer,
        summary="Replace the whole ladder in one transaction; members' levels are recomputed "
        "(admins)",
    )
    def put(self, request):
        levels = read_body(LevelsUpdateSerializer, request)["levels"]
        try:
            save_levels(request.user, levels=[dict(row) for row in levels])
        except ValidationError as refused:
            # The service names the level in its message; the field is the ladder.
            raise ValidationError({"levels": refused.messages}) from None
        return _ladder()
