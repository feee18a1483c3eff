"""Reads for the member directory, profiles and follow lists.

Other apps add to the directory through `register_member_sort` and `register_member_filter`
(gamification: by points, at a level): community never imports them, and the one query of
a page carries what they add.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.http import Http404

from community import access
from community.models import Follow, User
from community.pagination import keyset_page

from .cards import mark_liked, with_card_data

SORTS = {"newest": "Newest", "name": "Name"}  # and the registered sorts, after these
DIRECTORY_PAGE_SIZE = 24
PROFILE_POSTS = 10
NAME_ORDER = ("name_key", "id")


@dataclass(frozen=True)
class MemberSort:
    label: str
    annotate: object  # members -> members with `fields` (and what a card shows of them)
    fields: tuple  # the keyset, highest first; the last one unique ("id")
    badge: str = ""  # a template each member card includes (it reads what annotate adds)
    # members -> members ready for `fields` when this sort is chosen (e.g. an inner join an
    # index can walk in order); the identity if annotate is enough.
    prepare: object = None


@dataclass(frozen=True)
class MemberFilter:
    label: str
    choices: object  # () -> [(value, label)], read when a form or the schema needs them
    apply: object  # (members, value) -> members


_sorts = {}
_filters = {}


def register_member_sort(key, label, *, annotate, fields, badge="", prepare=None):
    """A directory order another app adds (`?sort=<key>`)."""
    _sorts[key] = MemberSort(label, annotate, tuple(fields), badge, prepare)


def member_badges():
    """The templates the registered sorts add to each member card."""
    return [sort.badge for sort in _sorts.values() if sort.badge]


def register_member_filter(key, label, *, choices, apply):
    """A directory filter another app adds (`?<key>=<value>`, one of `choices()`)."""
    _filters[key] = MemberFilter(label, choices, apply)


def sorts():
    """Every sort of the directory, key: label."""
    return SORTS | {key: sort.label for key, sort in _sorts.items()}


def member_filters():
    """The filters other apps registered, key: MemberFilter."""
    return dict(_filters)


def _name_page(queryset, *, cursor, size):
    """Keyset page in ascending order of (lower-cased display name, id)."""
    queryset = queryset.annotate(name_key=Lower("display_name"))
    return keyset_page(queryset, cursor=cursor, size=size, fields=NAME_ORDER, ascending=True)


def with_follow_counts(queryset):
    """Adds follower_count and following_count to members as subqueries (no join that
    could multiply rows, no query per card)."""

    def count_of(field):
        rows = Follow.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
        return Coalesce(
            # COUNT(*), not of a column: the count reads the index alone (index-only scan).
            Subquery(rows.annotate(n=Count("*")).values("n"), output_field=IntegerField()),
            Value(0),
        )

    return queryset.annotate(
        follower_count=count_of("followed"), following_count=count_of("follower")
    )


def directory(
    viewer, *, q="", role=None, following=False, sort="newest", cursor=None,
    size=DIRECTORY_PAGE_SIZE, **extra,
):  # fmt: skip
    """One page of the members the viewer may see, filtered and sorted; one query.
    `extra`: the registered filters' values (None or "" for none)."""
    if sort not in sorts():
        choices = ", ".join(sorts())
        raise ValidationError({"sort": [f"Sort by one of: {choices}."]}, code="invalid")
    if role and role not in User.Role.values:
        raise ValidationError({"role": [f"“{role}” is not a role."]}, code="invalid")
    members = access.visible_members(viewer)
    q = (q or "").strip()
    if q:
        handle = q.removeprefix("@")
        members = members.filter(Q(display_name__icontains=q) | Q(handle__icontains=handle))
    if role:
        members = members.filter(role=role)
    if following:
        if access.is_active_member(viewer):
            followed = Follow.objects.filter(follower=viewer).values("followed_id")
            members = members.filter(pk__in=followed)
        else:
            members = members.none()
    for key, value in extra.items():
        if key not in _filters:
            raise TypeError(f"No member filter {key!r} is registered.")
        if value in (None, ""):
            continue
        if str(value) not in {str(choice) for choice, _label in _filters[key].choices()}:
            raise ValidationError({key: [f"“{value}” is not a choice."]}, code="invalid")
        members = _filters[key].apply(members, value)
    members = with_follow_counts(members)
    for registered in _sorts.values():
        members = registered.annotate(members)  # cards show what every sort adds
    if sort in _sorts:
        chosen = _sorts[sort]
        if chosen.prepare is not None:
            members = chosen.prepare(members)
        return keyset_page(members, cursor=cursor, size=size, fields=chosen.fields)
    if sort == "name":
        return _name_page(members, cursor=cursor, size=size)
    return keyset_page(members, cursor=cursor, size=size, fields=("created_at", "id"))


def followed_ids(viewer, members):
    """Ids of the given members that the viewer follows (one query, none for visitors)."""
    ids = [member.pk for member in members]
    if not ids or not access.is_active_member(viewer):
        return set()
    rows = Follow.objects.filter(follower=viewer, followed_id__in=ids)
    return set(rows.values_list("followed_id", flat=True))


def mark_followed(viewer, members):
    """Sets `member.viewer_follows` on each member: one query for the whole list."""
    members = list(members)
    ids = followed_ids(viewer, members)
    for member in members:
        member.viewer_follows = member.pk in ids
    return members


def follow_counts(member):
    """{"followers": n, "following": n} in one aggregate query."""
    return Follow.objects.filter(Q(followed=member) | Q(follower=member)).aggregate(
        followers=Count("pk", filter=Q(followed=member)),
        following=Count("pk", filter=Q(follower=member)),
    )


def follow_target(viewer, member_id):
    """The member a follow or unfollow names, or 404 ("missing" and "may not see" alike).
    Besides members whose profile the viewer may see, this is also a member the viewer
    already follows: anyone may undo their own follow, even after the other made their
    profile private, else that stale follow would keep the other's posts in the viewer's
    Following tab with no way out. (Following again is still refused by the service.)"""
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise Http404("No such member.")
    if not access.can_view_profile(viewer, member) and not followed_ids(viewer, [member]):
        raise Http404("No such member.")
    return member


def follow_state(viewer, member):
    """What a follow button answers after a click: whether the viewer follows the member now,
    and the member's follower count only if the viewer may see their profile (None
    otherwise: undoing a stale follow must not reveal a private profile's numbers)."""
    shown = access.can_view_profile(viewer, member)
    return {
        "member_id": member.pk,
        "is_following": bool(followed_ids(viewer, [member])),
        "follower_count": follow_counts(member)["followers"] if shown else None,
    }


def member_posts(viewer, member, *, cursor=None, size=PROFILE_POSTS):
    """A member's posts that the viewer may see, newest first, joined for their cards and
    marked `post.liked` for the viewer: two queries (posts, the viewer's likes)."""
    posts = with_card_data(access.visible_posts(viewer).filter(author=member))
    page = keyset_page(posts, cursor=cursor, size=size, fields=("created_at", "id"))
    mark_liked(viewer, page.items)
    return page


def profile_summary(viewer, member):
    """What the profile page shows beside the member's own fields, in a fixed number of
    queries: follow counts (1), whether the viewer follows them (1), recent posts (2)."""
    counts = follow_counts(member)
    is_own = access.is_active_member(viewer) and viewer.pk == member.pk
    posts = member_posts(viewer, member)
    return {
        "follower_count": counts["followers"],
        "following_count": counts["following"],
        "is_following": not is_own and member.pk in followed_ids(viewer, [member]),
        "recent_posts": posts.items,
        "more_posts_cursor": posts.next_cursor,
    }


def follow_page(viewer, member, *, direction, cursor=None, size=DIRECTORY_PAGE_SIZE):
    """A page of Follow rows, newest first: who follows `member` ("followers") or whom
    `member` follows ("following"), keeping only members the viewer may see."""
    if direction == "followers":
        rows = Follow.objects.filter(followed=member, follower__in=access.visible_members(viewer))
        other = "follower"
    else:
        rows = Follow.objects.filter(follower=member, followed__in=access.visible_members(viewer))
        other = "followed"
    return keyset_page(rows.select_related(other), cursor=cursor, size=size)
