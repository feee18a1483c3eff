"""Who may see and do what: the one place that answers it.

Naming: `can_*` returns a bool (templates use these), `check_*` raises, `visible_*` filters
a queryset. A thing that is missing and a thing the viewer may not see give the same 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.http import Http404
from django.utils import timezone

from . import live
from .actors import SystemActor
from .models import AccessGrant, Comment, Gated, Post, Space, User


def is_system(actor):
    """A service run by no person (webhook, scheduled job): see community/actors.py."""
    return isinstance(actor, SystemActor)


def may_sign_in(user):
    """A banned member's sign-in, sessions, tokens and sockets all end here."""
    return user.is_active and not user.is_banned


def is_active_member(user):
    return bool(user and user.is_authenticated and user.is_active and not user.is_banned)


def in_good_standing(prefix=""):
    """is_active_member in SQL: a Q on users (through `prefix`, e.g. "user__") that are
    active and not banned now, for lists of members a task or service walks."""
    now = timezone.now()
    return Q(**{f"{prefix}is_active": True}) & (
        Q(**{f"{prefix}banned_at__isnull": True}) | Q(**{f"{prefix}banned_until__lte": now})
    )


def out_of_standing(prefix=""):
    """in_good_standing's complement (deactivated, or banned now), shaped so that the users'
    partial index on inactive-or-banned rows (user_out_of_standing_idx) finds these few
    members without reading the others: a count over many members subtracts them."""
    now = timezone.now()
    banned_now = Q(**{f"{prefix}banned_at__isnull": False}) & (
        Q(**{f"{prefix}banned_until__isnull": True}) | Q(**{f"{prefix}banned_until__gt": now})
    )
    return Q(**{f"{prefix}is_active": False}) | banned_now


def can_moderate(user):
    return is_active_member(user) and user.is_moderator


def check_can_moderate(user):
    if not can_moderate(user):
        raise PermissionDenied("Only moderators and admins may do this.")


def can_view_profile(viewer, member):
    if not member.is_active:
        return False
    if member.profile_visibility == User.Visibility.PUBLIC:
        return True
    return is_active_member(viewer) and (viewer.pk == member.pk or can_moderate(viewer))


def check_can_view_profile(viewer, member):
    if not can_view_profile(viewer, member):
        raise Http404("No such member.")


def visible_members(viewer, queryset=None):
    queryset = User.objects.all() if queryset is None else queryset
    queryset = queryset.filter(is_active=True)
    if can_moderate(viewer):
        return queryset
    # A plain condition on the row: excluding a subquery of the private members made
    # PostgreSQL hash all of them (a scan of every member) on each directory page.
    shown = Q(profile_visibility=User.Visibility.PUBLIC)
    if is_active_member(viewer):
        shown |= Q(pk=viewer.pk)
    return queryset.filter(shown)


def findable_members(viewer, queryset=None):
    """The members a viewer may find by name (the directory, search): visible_members for
    members; none for visitors, to whom the directory is closed."""
    if not is_active_member(viewer):
        return (User.objects.all() if queryset is None else queryset).none()
    return visible_members(viewer, queryset)


def can_moderate_member(actor, member):
    """Moderators act on members; only admins act on other moderators and admins."""
    if not can_moderate(actor) or actor.pk == member.pk:
        return False
    if member.is_moderator:
        return actor.role == User.Role.ADMIN
    return True


def check_can_moderate_member(actor, member):
    if not can_moderate_member(actor, member):
        raise PermissionDenied("You may not moderate this member.")


def can_act_on_content_of(actor, author):
    """Editing, deleting, pinning, hiding or warning over a member's content: moderators
    may, except over an admin's (only admins act on admins); `author` None is a deleted
    account."""
    if not can_moderate(actor):
        return False
    return author is None or author.role != User.Role.ADMIN or actor.role == User.Role.ADMIN


def check_can_act_on_content_of(actor, author):
    if not can_act_on_content_of(actor, author):
        raise PermissionDenied("Only admins may act on an admin's content.")


def _refuse_over_content(actor, author, message):
    """Raises the refusal that explains itself: a moderator over an admin's content is told
    why, anyone else gets `message`."""
    if can_moderate(actor):
        check_can_act_on_content_of(actor, author)
    raise PermissionDenied(message)


def held_tier_ids(user):
    """Ids of the tiers the member holds now, through an active grant (one query, then
    remembered on the user object for the rest of the request)."""
    if not is_active_member(user):
        return frozenset()
    cached = getattr(user, "_held_tier_ids", None)
    if cached is None:
        cached = frozenset(
            AccessGrant.objects.active().filter(user=user).values_list("tier_id", flat=True)
        )
        user._held_tier_ids = cached
    return cached


def can_administer(user):
    """Admins run the community: spaces, tiers and access grants (so does the system)."""
    return is_system(user) or (is_active_member(user) and user.role == User.Role.ADMIN)


def check_can_administer(user):
    if not can_administer(user):
        raise PermissionDenied("Only admins may do this.")


# --- Gating: anything a tier can lock (models inheriting community.models.Gated) ---------


def can_see_gated(user, obj):
    """Public: anyone. Members: signed-in members. Paid: holders of the required tier, and
    moderators. Whether the object itself is alive is its own model's question."""
    if obj.visibility == Gated.Visibility.PUBLIC or can_moderate(user):
        return True
    if not is_active_member(user):
        return False
    if obj.visibility == Gated.Visibility.MEMBERS:
        return True
    return obj.required_tier_id in held_tier_ids(user)


def gated_audience(obj, prefix=""):
    """can_see_gated for members, in SQL: a Q on users (through `prefix`) in good standing who
    may see `obj` now: any of them for a public or members' object, moderators and holders of
    an active grant of its tier for a paid one (a member whose grant ended drops out)."""
    allowed = in_good_standing(prefix)
    if obj.visibility != Gated.Visibility.PAID:
        return allowed
    holders = AccessGrant.objects.active().filter(tier_id=obj.required_tier_id).values("user_id")
    return allowed & (
        Q(**{f"{prefix}role__in": [User.Role.ADMIN, User.Role.MODERATOR]})
        | Q(**{f"{prefix}pk__in": holders})
    )


def visible_gated(user, queryset):
    """The rows of a Gated model's queryset that `user` may see (the same rule, in SQL)."""
    if can_moderate(user):
        return queryset
    if not is_active_member(user):
        return queryset.filter(visibility=Gated.Visibility.PUBLIC)
    return queryset.filter(
        Q(visibility__in=[Gated.Visibility.PUBLIC, Gated.Visibility.MEMBERS])
        | Q(visibility=Gated.Visibility.PAID, required_tier_id__in=held_tier_ids(user))
    )


def can_preview_gated(user, obj):
    """May `user` see what a gated object is (name, description) and how to get it, without
    its contents? Only paid things lock, and only behind a listed tier (Tier.listed; a staff
    tier nobody may ask for keeps what it opens hidden): an active member without the tier
    previews them. Anonymous visitors do not (public things they see; the rest is a 404 for
    them, as for members' spaces). Whether the object itself is alive is its own model's
    question. Reads obj.required_tier: load it with the object."""
    return (
        obj.visibility == Gated.Visibility.PAID
        and is_active_member(user)
        and not can_see_gated(user, obj)
        and obj.required_tier.listed
    )


def gated_with_locks(user, queryset):
    """The rows of a Gated model's queryset that `user` may see or preview, each annotated
    with `is_locked` (previewable only): the SQL twin of can_see_gated / can_preview_gated."""
    if can_moderate(user) or not is_active_member(user):
        return visible_gated(user, queryset).annotate(is_locked=Value(False))
    held = held_tier_ids(user)
    locked = (
        Q(visibility=Gated.Visibility.PAID)
        & Q(required_tier__listed=True)
        & ~Q(required_tier_id__in=held)
    )
    return (visible_gated(user, queryset) | queryset.filter(locked)).annotate(
        is_locked=ExpressionWrapper(
            Q(visibility=Gated.Visibility.PAID) & ~Q(required_tier_id__in=held),
            output_field=BooleanField(),
        )
    )


# --- Spaces ------------------------------------------------------------------------------


def can_see_space(user, space):
    return space.deleted_at is None and can_see_gated(user, space)


def check_can_see_space(user, space):
    if not can_see_space(user, space):
        raise Http404("No such space.")


def can_post_in_space(user, space):
    if not (is_active_member(user) and can_see_space(user, space)):
        return False
    if space.post_permission == Space.PostPermission.ALL:
        return True
    if space.post_permission == Space.PostPermission.MODERATORS:
        return can_moderate(user)
    return can_administer(user)


def can_preview_space(user, space):
    """A live paid space the member may not enter: its page shows what it is and how to get
    access, never its posts."""
    return space.deleted_at is None and can_preview_gated(user, space)


def check_can_post_in_space(user, space):
    check_can_see_space(user, space)
    if not can_post_in_space(user, space):
        raise PermissionDenied("You may not post in this space.")


def visible_spaces(user, queryset=None):
    return visible_gated(user, (Space.objects.all() if queryset is None else queryset).alive())


# --- Posts and comments ----------------------------------------------------------------


def visible_posts(user, queryset=None, *, spaces=None):
    """Live posts in spaces the viewer may see; hidden ones only for moderators. `spaces`:
    the space rows a page has already read (its space list, or the one space it shows):
    each is checked here and the posts filtered by their ids, which spares building the
    gating subquery again (docs/rendering.md); without it, the subquery decides."""
    queryset = Post.objects.all() if queryset is None else queryset
    if spaces is None:
        queryset = queryset.filter(space__in=visible_spaces(user))
    else:
        queryset = queryset.filter(
            space_id__in=[space.pk for space in spaces if can_see_space(user, space)]
        )
    return _shown_posts(queryset, moderator=can_moderate(user))


def _shown_posts(queryset, *, moderator):
    queryset = queryset.alive()
    return queryset if moderator else queryset.filter(hidden_at__isnull=True)


def spaces_every_member_sees():
    """Live public and members' spaces: what any active member may read whatever tiers they
    hold (with the two below: search's spelling vocabulary reads only these, so that a
    suggestion names no word that some members could not find)."""
    return Space.objects.alive().filter(
        visibility__in=[Gated.Visibility.PUBLIC, Gated.Visibility.MEMBERS]
    )


def posts_every_member_sees():
    return _shown_posts(Post.objects.filter(space__in=spaces_every_member_sees()), moderator=False)


def comments_every_member_sees():
    return Comment.objects.filter(
        _shown_comments(moderator=False), post__in=posts_every_member_sees()
    )


def can_see_post(user, post):
    if post.deleted_at is not None or not can_see_space(user, post.space):
        return False
    return post.hidden_at is None or can_moderate(user)


def check_can_see_post(user, post):
    if not can_see_post(user, post):
        raise Http404("No such post.")


def can_edit_post(user, post):
    """Authors edit (and delete) their own posts; moderators and admins others', except that
    only admins act on an admin's."""
    if not is_active_member(user) or (post.author_id != user.pk and not user.is_moderator):
        return False  # asked of every card a member sees: the cheap answers first
    if post.author_id != user.pk and not can_act_on_content_of(user, post.author):
        return False
    return can_see_post(user, post)


def check_can_edit_post(user, post):
    check_can_see_post(user, post)
    if not can_edit_post(user, post):
        _refuse_over_content(user, post.author, "You may not change this post.")


def can_pin_or_hide(user, post):
    return (
        can_moderate(user) and can_act_on_content_of(user, post.author) and can_see_post(user, post)
    )


def check_can_pin_or_hide(user, post):
    check_can_see_post(user, post)
    if not can_pin_or_hide(user, post):
        _refuse_over_content(user, post.author, "Only moderators and admins may do this.")


def can_comment(user, post):
    return is_active_member(user) and can_see_post(user, post) and post.hidden_at is None


def check_can_comment(user, post):
    check_can_see_post(user, post)
    if not can_comment(user, post):
        raise PermissionDenied("You may not comment here.")


def can_see_comment(user, comment):
    if comment.deleted_at is not None or not can_see_post(user, comment.post):
        return False
    return comment.hidden_at is None or can_moderate(user)


def comments_shown_to(user):
    """can_see_comment in SQL, for comments of a post the user may see: a Q on comments."""
    return _shown_comments(moderator=can_moderate(user))


def _shown_comments(*, moderator):
    live = Q(deleted_at__isnull=True)
    return live if moderator else live & Q(hidden_at__isnull=True)


def visible_comments(user, queryset=None):
    """can_see_comment in SQL, for comments anywhere: shown ones on posts the user may see."""
    queryset = Comment.objects.all() if queryset is None else queryset
    return queryset.filter(comments_shown_to(user), post__in=visible_posts(user))


def check_can_see_comment(user, comment):
    if not can_see_comment(user, comment):
        raise Http404("No such comment.")


def can_edit_comment(user, comment):
    return (
        is_active_member(user) and comment.author_id == user.pk and can_see_comment(user, comment)
    )


def can_delete_comment(user, comment):
    if not (is_active_member(user) and can_see_comment(user, comment)):
        return False
    return comment.author_id == user.pk or (
        can_moderate(user) and can_act_on_content_of(user, comment.author)
    )


def check_can_edit_comment(user, comment):
    check_can_see_comment(user, comment)
    if not can_edit_comment(user, comment):
        raise PermissionDenied("You may not change this comment.")


def check_can_delete_comment(user, comment):
    check_can_see_comment(user, comment)
    if not can_delete_comment(user, comment):
        _refuse_over_content(user, comment.author, "You may not delete this comment.")


def can_hide_comment(user, comment):
    return (
        can_moderate(user)
        and can_act_on_content_of(user, comment.author)
        and can_see_comment(user, comment)
    )


def check_can_hide_comment(user, comment):
    check_can_see_comment(user, comment)
    if not can_hide_comment(user, comment):
        _refuse_over_content(user, comment.author, "Only moderators and admins may do this.")


def check_is_active_member(user):
    """For writes every signed-in, unbanned member may make (likes, follows, reports)."""
    if not is_active_member(user):
        raise PermissionDenied("Sign in to do this.")


# --- Live topics -------------------------------------------------------------------------


def can_subscribe(user, topic):
    """May this member receive the live events of `topic` ("space:3")? The topic's kind
    answers, through the rule its app registered with live.register_topic; an unknown kind
    is refused."""
    if not is_active_member(user):
        return False
    rule, object_id = live.topic_rule(topic)
    return rule is not None and rule(user, object_id)


def may_receive_user_topic(user, user_id):
    return user_id == user.pk


def may_receive_space_topic(user, space_id):
    space = Space.objects.filter(pk=space_id).first()
    return space is not None and can_see_space(user, space)


def may_receive_post_topic(user, post_id):
    post = Post.objects.select_related("space").filter(pk=post_id).first()
    return post is not None and can_see_post(user, post)


# --- Reports -----------------------------------------------------------------------------


def can_report(user, target):
    """Any active member may report a post, a comment or a member they can see."""
    if not is_active_member(user):
        return False
    kind = target._meta.model_name
    if kind == "post":
        return can_see_post(user, target)
    if kind == "comment":
        return can_see_comment(user, target)
    if kind == "user":
        return can_view_profile(user, target)
    return False


def check_can_report(user, target):
    check_is_active_member(user)
    if not can_report(user, target):
        raise Http404("Nothing to report here.")
