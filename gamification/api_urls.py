"""The gamification API, under /api/v1/ (config/urls.py mounts it before the JSON 404 for
every other path under /api/)."""

from django.urls import path

from .api import rules, scores

urlpatterns = [
    path("me/score/", scores.MyScoreView.as_view(), name="api-my-score"),
    path(
        "members/<int:member_id>/score/", scores.MemberScoreView.as_view(), name="api-member-score"
    ),
    path("leaderboards/<str:period>/", scores.LeaderboardView.as_view(), name="api-leaderboard"),
    path("point-rules/", rules.PointRuleListView.as_view(), name="api-point-rules"),
    path("point-rules/<str:action>/", rules.PointRuleDetailView.as_view(), name="api-point-rule"),
    path("levels/", rules.LevelListView.as_view(), name="api-levels"),
]
