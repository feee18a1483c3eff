from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("profile/", views.own_profile, name="own_profile"),
    path("profile/edit/", views.edit_profile, name="edit_profile"),
    path("members/<int:member_id>/", views.profile, name="profile"),
    path("settings/tokens/", views.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.revoke_api_token, name="revoke_api_token"),
]
