"""A post page: the post, its comment threads, and the viewer's likes.

A page of comments costs a fixed number of queries however many there are: the top-level
comments with their authors (1), the replies the viewer may see with authors (1), and the
viewer's likes of all of them (1).

A comment a moderator hid is shown to moderators, marked, and to nobody else; a top-level one
whose replies members still see stays for them as a placeholder that keeps the replies, as
a deleted one does (the replies are other members' words, each hidden on its own if need be).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
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
    """A live comment the viewer may see (a hidden one: moderators), with its post, or 404."""
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
    """One comment as the post page shows it to the viewer (liked, may edit, delete, hide)."""
    comment = comment_detail(viewer, comment_id)
    _mark(viewer, comment.post, [comment], liked_ids(viewer, [comment]))
    return comment


def comment_total(post):
    """The post's comments members see, counted now (the stored counter follows after
    commit): the same number for every viewer, as the post's card shows."""
    return Comment.objects.shown().filter(post=post).count()


def _threads(viewer, post):
    """Top-level comments of the post that the viewer may see, or that are deleted or
    hidden from them but have replies they may see (kept as placeholders with the replies)."""
    shown = access.comments_shown_to(viewer)
    replies = Comment.objects.filter(shown).select_related("author")
    return (
        Comment.objects.filter(post=post, parent__isnull=True)
        .filter(shown | Exists(replies.filter(parent=OuterRef("pk"))))
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
        # Deleted, or hidden from this viewer: a placeholder without author or words.
        comment.withheld = not access.can_see_comment(viewer, comment)
        comment.can_edit = access.can_edit_comment(viewer, comment)
        comment.can_delete = access.can_delete_comment(viewer, comment)
        comment.can_hide = access.can_hide_comment(viewer, comment)
        comment.can_reply = may_comment and not comment.is_deleted and not comment.hidden_at


def comments_for(viewer, post, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    """A keyset page of the post's threads, newest first; each top-level comment carries
    `thread` (the replies the viewer may see, oldest first), and every comment `liked`,
    `is_deleted`, `withheld`, `can_edit`, `can_delete`, `can_hide` and `can_reply` for the
    viewer."""
    access.check_can_see_post(viewer, post)
    page = keyset_page(_threads(viewer, post), cursor=cursor, size=size)
    everyone = [reply for comment in page.items for reply in [comment, *comment.thread]]
    _mark(viewer, post, everyone, liked_ids(viewer, everyone))
    return page
