"""Every write to posts: create, edit, delete (soft), hide (services.hiding), pin; and space
visits."""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from community import access, audit, effects, live, signals, tasks
from community.models import BODY_MAX, Hashtag, Post, User
from community.models.posts import TITLE_MAX
from community.uploads import clean_image

from . import common, hiding

HASHTAG_MAX = Hashtag._meta.get_field("name").max_length
POST_IMAGE_FOLDER = "post-images"
POST_IMAGE_MAX_SIDE = 2000
VISIT_EVERY = timedelta(minutes=1)  # how stale a kept visit may be


def _validate(*, body=None, title=None):
    errors = _errors(body=body, title=title)
    if errors:
        raise ValidationError(errors)


def _errors(*, body=None, title=None):
    """Every refusal of the text at once, as {field: [messages]}."""
    errors = {}
    if body is not None:
        if not body.strip():
            errors["body"] = ["Write something before posting."]
        elif len(body) > BODY_MAX:
            errors["body"] = [f"A post can be at most {BODY_MAX:,} characters ({len(body):,})."]
    if title is not None and len(title.strip()) > TITLE_MAX:
        errors["title"] = [f"A title can be at most {TITLE_MAX} characters."]
    return errors


def _render_into(post, body):
    """Sets body and body_html; returns the rendering (mentions, hashtags) to store."""
    rendered = common.render_body(body)
    post.body = body
    post.body_html = rendered.html
    return rendered


def _store_references(post, rendered):
    """Links the post to its hashtags (created once, race-free) and mentioned members;
    returns the ids of members mentioned now who were not mentioned before."""
    names = sorted({name.lower() for name in rendered.hashtags if 0 < len(name) <= HASHTAG_MAX})
    if names:
        Hashtag.objects.bulk_create([Hashtag(name=n) for n in names], ignore_conflicts=True)
    post.hashtags.set(Hashtag.objects.filter(name__in=names))
    before = set(post.mentions.values_list("pk", flat=True))
    members = User.objects.filter(pk__in=set(rendered.mention_ids), is_active=True)
    post.mentions.set(members)
    return sorted(set(members.values_list("pk", flat=True)) - before - {post.author_id})


def _announce_mentions(actor, post, member_ids):
    for member_id in member_ids:
        effects.send_signal_on_commit(
            signals.member_mentioned,
            member_id=member_id,
            by_id=actor.pk,
            post_id=post.pk,
            comment_id=None,
        )


def _cleaned_image(image, errors):
    """The image checked by the shared validator (None without one), after every other
    refusal in `errors` was collected: raises them all at once, the image's included."""
    cleaned = None
    if image is not None and not errors.get("image"):
        try:
            cleaned = _clean_attached_image(image)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_attached_image(image):
    """The image checked and re-encoded by the shared validator, or field errors."""
    try:
        return clean_image(image, max_side=POST_IMAGE_MAX_SIDE)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error


# The line create_post writes below the text for an attached image (and only that line, at
# the very end, pointing into POST_IMAGE_FOLDER): the edit form shows it as an image field.
_IMAGE_LINE = re.compile(
    rf"(?:\A|\n\n)(?P<line>!\[Image\]\((?P<url>[^)\s]*/{POST_IMAGE_FOLDER}/[^/?#)\s]+"
    r"(?:[?#][^)\s]*)?)\))\s*\Z"
)


def split_image(body):
    """(text, image line or None, image URL or None): a post's text apart from the image
    that create_post or edit_post attached below it."""
    match = _IMAGE_LINE.search(body or "")
    if match is None:
        return body or "", None, None
    return body[: match.start()], match["line"], match["url"]


def _join(text, line):
    if not line:
        return text
    return f"{text.rstrip()}\n\n{line}" if text.strip() else line


def _store_image(cleaned):
    """Stores the image before the post's transaction (S3 may be slow); returns its
    storage name and the Markdown that shows it."""
    name = default_storage.save(f"{POST_IMAGE_FOLDER}/{cleaned.name}", cleaned)
    return name, f"![Image]({default_storage.url(name)})"


def create_post(actor, *, space, body, title="", image=None):
    """`image` (optional) is an uploaded file: it goes through the shared upload validator
    and is shown below the text; a post may then have no text of its own. Every refusal of
    the input comes at once (no space, no text, a bad image), so a form shows them together."""
    if space is not None:
        access.check_can_post_in_space(actor, space)
    title = (title or "").strip()
    body = body or ""
    errors = {"space": ["Choose a space to post in."]} if space is None else {}
    errors.update(_errors(title=title, body=body if image is None else None))
    cleaned = _cleaned_image(image, errors)
    stored = None
    if cleaned is not None:
        stored, markdown = _store_image(cleaned)
        body = _join(body, markdown)
    try:
        _validate(body=body)
        with transaction.atomic():
            post = Post(space=space, author=actor, title=title)
            rendered = _render_into(post, body)
            post.save()
            mentioned = _store_references(post, rendered)
    except Exception:
        if stored:
            default_storage.delete(stored)  # nothing points at it
        raise
    live.publish_on_commit(f"space:{space.pk}", "post.created", id=post.pk)
    effects.send_signal_on_commit(
        signals.post_created, post_id=post.pk, author_id=actor.pk, space_id=space.pk
    )
    _announce_mentions(actor, post, mentioned)
    return post


def edit_post(actor, *, post, body=None, title=None, image=None, remove_image=False):
    """Authors edit their own posts; moderators and admins others' (an audit entry records
    it), except that only admins edit an admin's.
    `body` is the text: the attached image stays unless `image` replaces it (through the
    same upload validator as create_post) or `remove_image` removes it. A body that ends
    with its own image line (as the API returns it) keeps that line as written."""
    access.check_can_edit_post(actor, post)
    title = title.strip() if title is not None else None
    text, line, _url = split_image(post.body)
    if body is not None:
        text, own_line, _url = split_image(body)
        line = own_line or line
    errors = _errors(title=title)
    if image is not None and remove_image:
        errors["image"] = ["Replace the image or remove it, not both."]
    cleaned = _cleaned_image(image, errors)
    if remove_image:
        line = None
    touched = body is not None or image is not None or remove_image
    stored = None
    if cleaned is not None:
        stored, line = _store_image(cleaned)
    try:
        new_body = _join(text, line) if touched else None
        _validate(body=new_body)
        with transaction.atomic():
            rendered = _render_into(post, new_body) if new_body is not None else None
            if title is not None:
                post.title = title
            post.edited_at = timezone.now()
            post.save(update_fields=["body", "body_html", "title", "edited_at", "updated_at"])
            mentioned = _store_references(post, rendered) if rendered is not None else []
            if post.author_id != actor.pk:
                audit.record(actor, audit.POST_EDIT, post, "Edited a member's post")
    except Exception:
        if stored:
            default_storage.delete(stored)  # nothing points at it
        raise
    live.publish_on_commit(f"post:{post.pk}", "post.updated", id=post.pk)
    _announce_mentions(actor, post, mentioned)
    return post


def delete_post(actor, *, post, reason=""):
    """Soft delete by the author, or by a moderator (audited)."""
    access.check_can_edit_post(actor, post)
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at", "updated_at"])
        if post.author_id != actor.pk:
            audit.record(actor, audit.POST_DELETE, post, reason or "Deleted a post")
        effects.send_signal_on_commit(
            signals.post_removed, post_id=post.pk, author_id=post.author_id, reason="deleted"
        )
    live.publish_on_commit(f"post:{post.pk}", "post.deleted", id=post.pk)
    live.recheck_on_commit(f"post:{post.pk}")  # its viewers may no longer see it
    return post


def _moderate(actor, post, *, field, value, action, reason):
    access.check_can_pin_or_hide(actor, post)
    with transaction.atomic():
        setattr(post, field, value)
        post.save(update_fields=[field, "updated_at"])
        audit.record(actor, action, post, reason)
    live.publish_on_commit(f"post:{post.pk}", "post.updated", id=post.pk)
    return post


def hide_post(actor, *, post, reason=""):
    """Moderators hide a post from members (they still see it, marked hidden)."""
    return hiding.hide(actor, target=post, reason=reason)


def unhide_post(actor, *, post, reason=""):
    return hiding.unhide(actor, target=post, reason=reason)


def pin_post(actor, *, post, reason=""):
    """Pinned posts come first in their space, newest pin first."""
    return _moderate(
        actor,
        post,
        field="pinned_at",
        value=timezone.now(),
        action=audit.POST_PIN,
        reason=reason or "Pinned a post",
    )


def unpin_post(actor, *, post, reason=""):
    return _moderate(
        actor,
        post,
        field="pinned_at",
        value=None,
        action=audit.POST_UNPIN,
        reason=reason or "Unpinned a post",
    )


def visit_space(actor, *, space):
    """Remembers when a member last opened a space (posts after it are unread). A task
    writes it after the response, so opening a page does not write in the request (in
    production; the embedded default runs tasks in process). Visitors leave no trace.

    At most once a minute: a `space` read by selectors.sidebar.sidebar_spaces carries the
    member's `last_visited_at` and `has_unread`, and a visit less than a minute old is kept
    when no post counts as unread. Keeping it then hides nothing: the kept time marks read
    only posts the newer one would (those before it), no post that counts lies between the
    two (has_unread is False), and a later post is newer than both. With an unread post the
    visit is written however recent, so a post the member has just seen loses its dot."""
    if not access.is_active_member(actor):
        return
    access.check_can_see_space(actor, space)
    now = timezone.now()
    if _visit_is_fresh(space, now):
        return
    effects.enqueue_on_commit(tasks.record_space_visit, actor.pk, space.pk, now.isoformat())


def _visit_is_fresh(space, now):
    last = getattr(space, "last_visited_at", None)
    unread = getattr(space, "has_unread", True)
    return last is not None and not unread and now - last < VISIT_EVERY
