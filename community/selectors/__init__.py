"""Every non-trivial read in the community app, one module per subject."""

from .directory import (
    directory,
    follow_counts,
    follow_page,
    followed_ids,
    mark_followed,
    member_posts,
    profile_summary,
)
from .feed import (
    feed,
    hashtag_posts,
    mark_liked,
    newer_posts,
    post_card,
    post_for,
    space_feed,
    with_card_data,
)
from .members import api_tokens, member_profile, space_by_slug, spaces_for, tiers
from .posts import (
    comment_detail,
    comment_total,
    comment_view,
    comments_for,
    like_count,
    liked_ids,
    post_detail,
)
from .reports import report_for_moderation, report_queue, report_target

__all__ = [
    "api_tokens",
    "comment_detail",
    "comment_total",
    "comment_view",
    "comments_for",
    "directory",
    "feed",
    "follow_counts",
    "follow_page",
    "followed_ids",
    "hashtag_posts",
    "like_count",
    "liked_ids",
    "mark_followed",
    "mark_liked",
    "member_posts",
    "member_profile",
    "newer_posts",
    "post_card",
    "post_detail",
    "post_for",
    "profile_summary",
    "report_for_moderation",
    "report_queue",
    "report_target",
    "space_by_slug",
    "space_feed",
    "spaces_for",
    "tiers",
    "with_card_data",
]
