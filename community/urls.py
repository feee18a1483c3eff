from django.urls import path

from .views import members

app_name = "community"

urlpatterns = [
    path("profile/", members.own_profile, name="own_profile"),
    path("profile/edit/", members.edit_profile, name="edit_profile"),
    path("members/<int:member_id>/", members.profile, name="profile"),
    path("settings/tokens/", members.api_tokens, name="api_tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/", members.revoke_api_token, name="revoke_api_token"
    ),
]
