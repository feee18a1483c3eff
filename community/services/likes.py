"""Likes of posts and comments: one row per member and target, enforced by the database.

`toggle_like` (the page's button) deletes the member's like if there is one, else inserts
it. The unique constraint settles races: when two requests of the same member both find no
like and both insert, the second insert fails inside its savepoint and that request reports
"liked" too, so a double click never leaves two likes (and never a wrong count: counters
are recomputed from the rows after commit). `like` and `unlike` are the idempotent forms
the API's POST and DELETE use.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from community import access, effects, live, signals, tasks
from community.models import Comment, Like, Post


def _target_type(target):
    if isinstance(target, Post):
        return "post"
    if isinstance(target, Comment):
        return "comment"
    raise ValidationError({"target": ["Only posts and comments can be liked."]})


def _check_can_like(actor, target, target_type):
    """404 for a deleted or invisible target, whoever asks; then members only."""
    if target_type == "post":
        access.check_can_see_post(actor, target)
    else:
        access.check_can_see_comment(actor, target)
    access.check_is_active_member(actor)


def _rows(actor, target):
    return Like.objects.filter(
        user=actor, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    )


def _insert(actor, target):
    """True if this call created the like; False if it already existed (maybe just now, by
    a concurrent request of the same member)."""
    try:
        with transaction.atomic():  # a savepoint: the outer transaction survives a conflict
            Like.objects.create(user=actor, target=target)
    except IntegrityError:
        return False
    return True


def _after_commit(actor, target, target_type, *, added):
    post_id = target.pk if target_type == "post" else target.post_id
    if target_type == "post":
        effects.enqueue_on_commit(tasks.recount_post, target.pk)
    else:
        effects.enqueue_on_commit(tasks.recount_comment, target.pk)
    live.publish_on_commit(f"post:{post_id}", "like.changed", target_type=target_type,
                           target_id=target.pk, post_id=post_id)  # fmt: skip
    effects.send_signal_on_commit(signals.like_added if added else signals.like_removed,
                           user_id=actor.pk, target_type=target_type, target_id=target.pk,
                           target_author_id=target.author_id)  # fmt: skip


def toggle_like(actor, *, target):
    """Likes the target if the member has not, unlikes it if they have. Returns liked."""
    target_type = _target_type(target)
    _check_can_like(actor, target, target_type)
    with transaction.atomic():
        removed, _ = _rows(actor, target).delete()
        if removed:
            _after_commit(actor, target, target_type, added=False)
            return False
        if _insert(actor, target):
            _after_commit(actor, target, target_type, added=True)
    return True


def like(actor, *, target):
    """Idempotent: the target is liked afterwards. Returns True."""
    target_type = _target_type(target)
    _check_can_like(actor, target, target_type)
    with transaction.atomic():
        if _insert(actor, target):
            _after_commit(actor, target, target_type, added=True)
    return True


def unlike(actor, *, target):
    """Idempotent: the target is not liked afterwards. Returns False."""
    target_type = _target_type(target)
    _check_can_like(actor, target, target_type)
    with transaction.atomic():
        removed, _ = _rows(actor, target).delete()
        if removed:
            _after_commit(actor, target, target_type, added=False)
    return False
