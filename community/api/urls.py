from django.urls import path

from . import spaces, views

urlpatterns = [
    path("me", views.MeView.as_view(), name="api-me"),
    path("members/<int:member_id>/", views.MemberDetailView.as_view(), name="api-member"),
    path("tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", views.ApiTokenDetailView.as_view(), name="api-token"),
    path("spaces/", spaces.SpaceListView.as_view(), name="api-spaces"),
    path("spaces/reorder/", spaces.SpaceReorderView.as_view(), name="api-spaces-reorder"),
    path("spaces/<slug:slug>/", spaces.SpaceDetailView.as_view(), name="api-space"),
    path("tiers/", spaces.TierListView.as_view(), name="api-tiers"),
]
