from django.urls import path

from . import views

app_name = "gamification"

urlpatterns = [
    path("leaderboard/", views.leaderboard_page, name="leaderboard"),
    # The admins' pages.
    path("leaderboard/manage/rules/", views.manage_rules, name="manage_rules"),
    path("leaderboard/manage/levels/", views.manage_levels, name="manage_levels"),
]
