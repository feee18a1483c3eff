"""Every non-trivial read in the community app, one module per subject."""

from .cards import liked_ids, mark_liked, with_card_data
from .directory import (
    directory,
    follow_counts,
    follow_page,
    follow_state,
    follow_target,
    followed_ids,
    mark_followed,
    member_posts,
    profile_summary,
)
from .feed import feed, hashtag_posts, newer_posts, space_feed
from .members import (
    active_api_token,
    api_tokens,
    managed_space,
    member_profile,
    space_by_slug,
    spaces_for,
    tiers,
)
from .posts import (
    comment_detail,
    comment_total,
    comment_view,
    comments_for,
    like_count,
    post_detail,
    reply_parent,
)
from .reports import report_for_moderation, report_queue, report_target

__all__ = [
    "active_api_token",
    "api_tokens",
    "comment_detail",
    "comment_total",
    "comment_view",
    "comments_for",
    "directory",
    "feed",
    "follow_counts",
    "follow_page",
    "follow_state",
    "follow_target",
    "followed_ids",
    "hashtag_posts",
    "like_count",
    "liked_ids",
    "managed_space",
    "mark_followed",
    "mark_liked",
    "member_posts",
    "member_profile",
    "newer_posts",
    "post_detail",
    "profile_summary",
    "reply_parent",
    "report_for_moderation",
    "report_queue",
    "report_target",
    "space_by_slug",
    "space_feed",
    "spaces_for",
    "tiers",
    "with_card_data",
]
