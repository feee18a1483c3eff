"""Every write to comments: create, edit, soft-delete, hide (services.hiding).

Replies are two levels deep: a reply to a reply attaches to the same top-level comment.
Counters are not touched here; the recount task rebuilds `comment_count` after commit.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from community import access, audit, effects, live, signals, tasks
from community.models import BODY_MAX, Comment, User

from . import hiding
from .common import render_body


def _clean_body(body):
    body = body if isinstance(body, str) else ""
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": [f"Keep a comment under {BODY_MAX:,} characters (it has {len(body):,})."]}
        )
    if not body.strip():
        raise ValidationError({"body": ["Write something first."]})
    return body.strip()


def _top_level_parent(post, parent):
    """The comment a reply attaches to: the top-level one, whatever depth was asked for."""
    if parent is None:
        return None
    if parent.post_id != post.pk or parent.deleted_at or parent.hidden_at:
        raise ValidationError({"parent": ["You can only reply to a comment on this post."]})
    return parent.parent if parent.parent_id else parent


def _mention_signals(actor, comment, member_ids):
    """Announce mentions only to members who may read the comment (never to its author)."""
    members = User.objects.filter(pk__in=set(member_ids) - {actor.pk})
    for member in members:
        if access.can_see_post(member, comment.post):
            effects.send_signal_on_commit(
                signals.member_mentioned,
                member_id=member.pk,
                by_id=actor.pk,
                post_id=comment.post_id,
                comment_id=comment.pk,
            )


def create_comment(actor, *, post, body, parent=None):
    access.check_can_comment(actor, post)
    body = _clean_body(body)
    parent = _top_level_parent(post, parent)
    rendered = render_body(body)
    with transaction.atomic():
        comment = Comment.objects.create(
            post=post, author=actor, parent=parent, body=body, body_html=rendered.html
        )
        comment.mentions.set(rendered.mention_ids)
        live.publish_on_commit(f"post:{post.pk}", "comment.created", id=comment.pk,
                               post_id=post.pk, parent_id=comment.parent_id)  # fmt: skip
        effects.send_signal_on_commit(
            signals.comment_created,
            comment_id=comment.pk,
            post_id=post.pk,
            author_id=actor.pk,
            parent_id=comment.parent_id,
            post_author_id=post.author_id,
        )
        _mention_signals(actor, comment, rendered.mention_ids)
        effects.enqueue_on_commit(tasks.recount_post, post.pk)
    return comment


def edit_comment(actor, *, comment, body):
    """Authors edit their own comments; the comment then shows "edited"."""
    access.check_can_edit_comment(actor, comment)
    body = _clean_body(body)
    rendered = render_body(body)
    with transaction.atomic():
        before = set(comment.mentions.values_list("pk", flat=True))
        comment.body, comment.body_html = body, rendered.html
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
        comment.mentions.set(rendered.mention_ids)
        live.publish_on_commit(f"post:{comment.post_id}", "comment.updated", id=comment.pk,
                               post_id=comment.post_id)  # fmt: skip
        _mention_signals(actor, comment, set(rendered.mention_ids) - before)
    return comment


def delete_comment(actor, *, comment, reason=""):
    """Soft delete by the author or a moderator. A top-level comment with live replies stays
    in the thread as "deleted" and keeps them; one without replies disappears."""
    access.check_can_delete_comment(actor, comment)
    with transaction.atomic():
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["deleted_at"])
        if comment.author_id != actor.pk:
            audit.record(actor, audit.COMMENT_DELETE, comment, reason)
        live.publish_on_commit(f"post:{comment.post_id}", "comment.deleted", id=comment.pk,
                               post_id=comment.post_id)  # fmt: skip
        effects.enqueue_on_commit(tasks.recount_post, comment.post_id)
        effects.send_signal_on_commit(
            signals.comment_removed,
            comment_id=comment.pk,
            post_id=comment.post_id,
            author_id=comment.author_id,
            reason="deleted",
        )
    return comment


def hide_comment(actor, *, comment, reason=""):
    """Moderators hide a comment from members (they still see it, marked hidden). A
    top-level comment with replies members see stays in the thread as "hidden" and keeps
    them, as a deleted one does: the replies are other members' words."""
    return hiding.hide(actor, target=comment, reason=reason)


def unhide_comment(actor, *, comment, reason=""):
    return hiding.unhide(actor, target=comment, reason=reason)
