from django.urls import path

from . import (
    analytics,
    branding,
    comments,
    moderation,
    portability,
    posts,
    search,
    social,
    spaces,
    views,
)

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("members/<int:member_id>/", views.MemberDetailView.as_view(), name="api-member"),
    path("tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/", views.ApiTokenDetailView.as_view(), name="api-token"),
    path("spaces/", spaces.SpaceListView.as_view(), name="api-spaces"),
    path("spaces/reorder/", spaces.SpaceReorderView.as_view(), name="api-spaces-reorder"),
    path("spaces/<slug:slug>/", spaces.SpaceDetailView.as_view(), name="api-space"),
    path("tiers/", spaces.TierListView.as_view(), name="api-tiers"),
    # Comments, and likes of posts and comments
    path(
        "posts/<int:post_id>/comments/",
        comments.PostCommentsView.as_view(),
        name="api-post-comments",
    ),
    path("comments/<int:comment_id>/", comments.CommentDetailView.as_view(), name="api-comment"),
    path(
        "comments/<int:comment_id>/hide/",
        comments.CommentHideView.as_view(),
        name="api-comment-hide",
    ),
    path(
        "comments/<int:comment_id>/unhide/",
        comments.CommentUnhideView.as_view(),
        name="api-comment-unhide",
    ),
    path("posts/<int:post_id>/like/", comments.PostLikeView.as_view(), name="api-post-like"),
    path(
        "comments/<int:comment_id>/like/",
        comments.CommentLikeView.as_view(),
        name="api-comment-like",
    ),
    # The feed, posts, a space's posts, a hashtag's posts
    path("posts/", posts.PostListView.as_view(), name="api-posts"),
    path("posts/<int:post_id>/", posts.PostDetailView.as_view(), name="api-post"),
    path("posts/<int:post_id>/pin/", posts.PostPinView.as_view(), name="api-post-pin"),
    path("posts/<int:post_id>/unpin/", posts.PostUnpinView.as_view(), name="api-post-unpin"),
    path("posts/<int:post_id>/hide/", posts.PostHideView.as_view(), name="api-post-hide"),
    path("posts/<int:post_id>/unhide/", posts.PostUnhideView.as_view(), name="api-post-unhide"),
    path("spaces/<slug:slug>/posts/", posts.SpacePostListView.as_view(), name="api-space-posts"),
    path(
        "hashtags/<str:name>/posts/", posts.HashtagPostListView.as_view(), name="api-hashtag-posts"
    ),
    # The member directory, follows, reports
    path("members/", social.MemberListView.as_view(), name="api-members"),
    path("members/export/", social.MemberExportView.as_view(), name="api-members-export"),
    path("members/<int:member_id>/follow/", social.FollowView.as_view(), name="api-member-follow"),
    path(
        "members/<int:member_id>/followers/",
        social.FollowerListView.as_view(),
        name="api-member-followers",
    ),
    path(
        "members/<int:member_id>/following/",
        social.FollowingListView.as_view(),
        name="api-member-following",
    ),
    path("reports/", social.ReportListView.as_view(), name="api-reports"),
    path("moderation/queue/", moderation.ModerationQueueView.as_view(), name="api-mod-queue"),
    path("moderation/actions/", moderation.ModerationActionView.as_view(), name="api-mod-act"),
    path("audit/", moderation.AuditLogView.as_view(), name="api-audit-log"),
    path(
        "members/<int:member_id>/role/",
        moderation.MemberRoleView.as_view(),
        name="api-member-role",
    ),
    path(
        "reports/<int:report_id>/resolve/",
        social.ReportResolveView.as_view(),
        name="api-report-resolve",
    ),
    path(
        "reports/<int:report_id>/dismiss/",
        social.ReportDismissView.as_view(),
        name="api-report-dismiss",
    ),
    # The admins' full export of the community (a zip)
    path("export/", portability.CommunityExportView.as_view(), name="api-export"),
    # The admins' analytics
    path("analytics/", analytics.AnalyticsListView.as_view(), name="api-analytics"),
    path(
        "analytics/<slug:key>/",
        analytics.AnalyticsSeriesView.as_view(),
        name="api-analytics-series",
    ),
    # Search across every kind
    path("search/", search.SearchView.as_view(), name="api-search"),
    # The admins' branding and custom domain
    path("branding/", branding.BrandingView.as_view(), name="api-branding"),
]
