"""Community's cards (community.cards): the post card of every feed, profile and post page,
and a comment of the post page. Each kind's `version` lists every value its templates
show; a test renders each card, changes one such value and expects a new card."""

from community import access
from community.cards import CardKind

# The body is clamped in lists above this many characters of Markdown.
CLAMPED_BODY_LENGTH = 1200


def _member(member):
    """What a card shows of a member (display name, initials, avatar, role)."""
    return (member.pk, member.display_name, member.avatar.name, member.role)


def _post_version(post):
    space = post.space
    return (
        post.title,
        post.body_html,
        len(post.body) > CLAMPED_BODY_LENGTH,
        post.created_at,
        post.edited_at,
        post.pinned_at,
        post.hidden_at,
        post.like_count,
        post.comment_count,
        _member(post.author),
        (space.slug, space.name, space.icon),
    )


def _post_viewer_state(request, post):
    user = request.user
    editable = access.can_edit_post(user, post)
    moderatable = access.can_pin_or_hide(user, post)
    return {
        "liked": post.liked,
        "menu": editable or moderatable,
        "edit": editable,
        "moderate": moderatable,
        "report": user.is_authenticated and post.author_id != user.pk,
    }


POST = CardKind(
    name="post",
    template="community/_post_card.html",
    includes=("community/_avatar.html", "community/_like_button.html"),
    version=_post_version,
    viewer_state=_post_viewer_state,
    context=lambda post: {"clamped": len(post.body) > CLAMPED_BODY_LENGTH},
)


def _comment_version(comment):
    return (
        comment.body_html,
        comment.body,  # the edit form holds it
        comment.parent_id,
        comment.created_at,
        comment.edited_at,
        comment.deleted_at is not None,
        comment.hidden_at,
        # A hidden comment is a placeholder for members and the whole comment for moderators,
        # both in the members' audience: the key must tell the two apart.
        comment.withheld,
        comment.like_count,
        _member(comment.author),
        comment.post_id,
        comment.post.author_id,
    )


def _comment_viewer_state(request, comment):
    user = request.user
    return {
        "liked": comment.liked,
        "reply": comment.can_reply,
        "edit": comment.can_edit,
        "delete": comment.can_delete,
        "moderate": comment.can_hide,
        "report": user.is_authenticated and comment.author_id != user.pk,
    }


COMMENT = CardKind(
    name="comment",
    template="community/post/_comment_card.html",
    includes=(
        "community/_avatar.html",
        "community/_like_button.html",
        "community/post/_comment_form.html",
    ),
    version=_comment_version,
    viewer_state=_comment_viewer_state,
    context=lambda comment: {"post": comment.post},
)
