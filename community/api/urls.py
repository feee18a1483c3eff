from django.urls import path

from . import views

urlpatterns = [
    path("me", views.MeView.as_view(), name="api-me"),
    path("members/<int:member_id>/", views.MemberDetailView.as_view(), name="api-member"),
    path("tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", views.ApiTokenDetailView.as_view(), name="api-token"),
]
