from django.urls import path

from .views import analytics as analytics_views
from .views import branding as branding_views
from .views import directory as directory_views
from .views import feed as feed_views
from .views import members
from .views import moderation as moderation_views
from .views import posts as post_views
from .views import search as search_views
from .views import spaces as space_views

app_name = "community"

urlpatterns = [
    path("profile/", members.own_profile, name="own_profile"),
    path("profile/edit/", members.edit_profile, name="edit_profile"),
    path("members/<int:member_id>/", members.profile, name="profile"),
    path("settings/tokens/", members.api_tokens, name="api_tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/", members.revoke_api_token, name="revoke_api_token"
    ),
    # The feed, spaces, hashtags, editing and moderating posts
    path("", feed_views.feed, name="feed"),  # the home page
    # The admins' page to manage spaces (above "spaces/<slug>/"; "manage" is reserved)
    path("spaces/manage/", space_views.manage_spaces, name="manage_spaces"),
    path("spaces/manage/new/", space_views.new_space, name="new_space"),
    path("spaces/manage/order/", space_views.reorder_spaces, name="reorder_spaces"),
    path("spaces/manage/<int:space_id>/edit/", space_views.edit_space, name="edit_space"),
    path("spaces/manage/<int:space_id>/move/", space_views.move_space, name="move_space"),
    path("spaces/manage/<int:space_id>/delete/", space_views.delete_space, name="delete_space"),
    path("spaces/<slug:slug>/", feed_views.space, name="space"),
    path("hashtags/<str:name>/", feed_views.hashtag, name="hashtag"),
    path("posts/<int:post_id>/edit/", feed_views.edit_post, name="edit_post"),
    path("posts/<int:post_id>/delete/", feed_views.delete_post, name="delete_post"),
    path("posts/<int:post_id>/hide/", feed_views.hide_post, name="hide_post"),
    path("posts/<int:post_id>/unhide/", feed_views.unhide_post, name="unhide_post"),
    path("posts/<int:post_id>/pin/", feed_views.pin_post, name="pin_post"),
    path("posts/<int:post_id>/unpin/", feed_views.unpin_post, name="unpin_post"),
    # The post page, comments, likes
    path("posts/<int:post_id>/", post_views.post_page, name="post"),
    path("posts/<int:post_id>/comments/", post_views.post_comments, name="post_comments"),
    path("posts/<int:post_id>/like/", post_views.like_post, name="like_post"),
    path("comments/<int:comment_id>/edit/", post_views.edit_comment, name="edit_comment"),
    path("comments/<int:comment_id>/delete/", post_views.delete_comment, name="delete_comment"),
    path("comments/<int:comment_id>/hide/", post_views.hide_comment, name="hide_comment"),
    path("comments/<int:comment_id>/unhide/", post_views.unhide_comment, name="unhide_comment"),
    path("comments/<int:comment_id>/like/", post_views.like_comment, name="like_comment"),
    # Search: the results page and the header palette's suggestions
    path("search/", search_views.search_page, name="search"),
    path("search/suggestions/", search_views.search_suggestions, name="search_suggestions"),
    # The member directory, follows, reports
    path("members/", directory_views.directory, name="directory"),
    path("members/export.csv", directory_views.export_members, name="export_members"),
    path("manage/export.zip", directory_views.export_community, name="export_community"),
    path("members/<int:member_id>/follow/", directory_views.follow, name="follow"),
    path("report/", directory_views.report, name="report"),
    path("moderation/reports/", moderation_views.queue, name="reports"),
    path("moderation/act/", moderation_views.act, name="moderate"),
    path("moderation/audit/", moderation_views.audit_log_page, name="audit_log"),
    path("members/<int:member_id>/role/", moderation_views.change_role, name="change_role"),
    # The admins' analytics
    path("manage/analytics/", analytics_views.analytics_page, name="analytics"),
    path("manage/analytics/<slug:key>.csv", analytics_views.analytics_csv, name="analytics_csv"),
    # The admins' branding and custom domain
    path("manage/branding/", branding_views.branding_page, name="branding"),
]
