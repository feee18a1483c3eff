"""A post page: the post, its comment threads, and the viewer's likes.

A page of comments costs a fixed number of queries however many there are: the top-level
comments with their authors (1), their live replies with authors (1), and the viewer's
likes of all of them (1).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from community import access
from community.models import Comment, Like, Post
from community.pagination import DEFAULT_PAGE_SIZE, keyset_page

from .cards import liked_ids, mark_liked, with_card_data


def like_count(target):
    """The target's likes counted now from the rows (the stored counter follows after the
    recount task runs)."""
    return Like.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).count()


def post_detail(viewer, post_id):
    """The one read of a single post, for pages and the API alike: joined for its card
    (space, author) and marked `liked` for the viewer, or 404 if it is missing or the viewer
    may not see it. Two queries (the post, the viewer's like)."""
    post = get_object_or_404(with_card_data(Post.objects.all()), pk=post_id)
    access.check_can_see_post(viewer, post)
    return mark_liked(viewer, [post])[0]


def comment_detail(viewer, comment_id):
    """A live comment the viewer may see, with its post, or 404."""
    comment = get_object_or_404(
        Comment.objects.select_related("post__space", "author"), pk=comment_id
    )
    access.check_can_see_comment(viewer, comment)
    return comment


def reply_parent(parent_id):
    """The comment a new comment replies to, from the id a form or a client sent (None for a
    top-level comment). The service checks the rest: same post, not deleted."""
    if parent_id is None or parent_id == "":
        return None
    raw = str(parent_id)
    parent = None
    if raw.isascii() and raw.isdecimal():
        parent = Comment.objects.filter(pk=raw).first()
    if parent is None:
        raise ValidationError({"parent": ["You can only reply to a comment on this post."]})
    return parent


def comment_view(viewer, comment_id):
    """One comment as the post page shows it to the viewer (liked, may edit, may delete)."""
    comment = comment_detail(viewer, comment_id)
    _mark(viewer, comment.post, [comment], liked_ids(viewer, [comment]))
    return comment


def comment_total(post):
    """The post's live comments counted now (the stored counter follows after commit)."""
    return Comment.objects.filter(post=post, deleted_at__isnull=True).count()


def _threads(post):
    """Top-level comments of the post that are live, or deleted but with live replies (they
    show as "deleted" and keep their replies)."""
    live_replies = Comment.objects.filter(parent=OuterRef("pk"), deleted_at__isnull=True)
    replies = Comment.objects.filter(deleted_at__isnull=True).select_related("author")
    return (
        Comment.objects.filter(post=post, parent__isnull=True)
        .filter(Q(deleted_at__isnull=True) | Exists(live_replies))
        .select_related("author")
        .prefetch_related(
            Prefetch("replies", queryset=replies.order_by("created_at", "id"), to_attr="thread")
        )
    )


def _mark(viewer, post, comments, liked):
    may_comment = access.can_comment(viewer, post)
    for comment in comments:
        comment.post = post  # the one already loaded: access checks need no query
        comment.liked = comment.pk in liked
        comment.is_deleted = comment.deleted_at is not None
        comment.can_edit = access.can_edit_comment(viewer, comment)
        comment.can_delete = access.can_delete_comment(viewer, comment)
        comment.can_reply = may_comment and not comment.is_deleted


def comments_for(viewer, post, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    """A keyset page of the post's threads, newest first; each top-level comment carries
    `thread` (its live replies, oldest first), and every comment `liked`, `is_deleted`,
    `can_edit`, `can_delete` and `can_reply` for the viewer."""
    access.check_can_see_post(viewer, post)
    page = keyset_page(_threads(post), cursor=cursor, size=size)
    everyone = [reply for comment in page.items for reply in [comment, *comment.thread]]
    _mark(viewer, post, everyone, liked_ids(viewer, everyone))
    return page
