"""The activity feed, space pages and hashtag pages: every list of post cards.

Every list starts from access.visible_posts(viewer) (private spaces, paid tiers, hidden and
deleted posts handled there), joins what a card shows (with_card_data) and marks the
viewer's likes for the whole page in one query (mark_liked), so a page of cards costs a
fixed number of queries.

Kinds (the `kind` filter): "discussion" is a post without a title (a quick message or
question), "article" a post with a title.
"""

from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Func, OuterRef, Q
from django.utils import timezone

from community import access
from community.models import Follow, PopularPost, Post
from community.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    after_cursor,
    clamp_size,
    decode_cursor,
    keyset_page,
)

from .cards import mark_liked, with_card_data

TABS = ("all", "following", "popular")
KINDS = {"discussion": Q(title=""), "article": ~Q(title="")}
KIND_LABELS = {"discussion": "Discussions", "article": "Articles"}


@dataclass
class SpaceFeed:
    pinned: list
    items: list
    next_cursor: str | None


def _cards(viewer, spaces=None):
    return with_card_data(access.visible_posts(viewer, spaces=spaces))


def _check_choice(name, value, allowed):
    if value not in allowed:
        choices = ", ".join(allowed)
        raise ValidationError({name: [f"“{value}” is not one of: {choices}."]}, code="invalid")


def _filtered(viewer, *, tab="all", space=None, kind=None, page=None, spaces=None):
    """The posts of a tab and its filters. `page` (cursor, size) lets the Following tab read
    only the posts that can be on that page."""
    _check_choice("tab", tab, TABS)
    queryset = _cards(viewer, spaces)
    if space:
        queryset = queryset.filter(space__slug=space)
    if kind:
        _check_choice("kind", kind, tuple(KINDS))
        queryset = queryset.filter(KINDS[kind])
    if tab == "following":
        if not access.is_active_member(viewer):
            return queryset.none()
        followed = Follow.objects.filter(follower=viewer)
        if page is not None and connection.vendor == "postgresql":
            return queryset.filter(id__in=_newest_of_each_followed(queryset, followed, *page))
        queryset = queryset.filter(author__in=followed.values("followed"))
    return queryset


def _newest_of_each_followed(queryset, followed, cursor, size):
    """Ids of the page's posts: the newest `size + 1` past the cursor of each followed author
    (a short range of the (author, created_at, id) index per author), of which the newest
    `size + 1`. Filtering on "author in followed" and sorting read every post
    of every followed author instead: 168k rows and 740 ms for a member following 283 on
    the benchmark's large dataset. (PostgreSQL; SQLite keeps the plain filter.)"""
    newest = (
        queryset.filter(author=OuterRef("followed"))
        .filter(after_cursor(cursor, queryset.model))
        .order_by("-created_at", "-id")
        .values("id")[: clamp_size(size) + 1]
    )
    candidates = followed.annotate(post_id=Func(ArraySubquery(newest), function="unnest")).values(
        "post_id"
    )
    # Sorted by the post rows alone, so only the page itself is joined to spaces and authors.
    return (
        Post.objects.filter(id__in=candidates)
        .order_by("-created_at", "-id")
        .values("id")[: clamp_size(size) + 1]
    )


def feed(viewer, *, tab="all", space=None, kind=None, cursor=None, size=DEFAULT_PAGE_SIZE,
         spaces=None):  # fmt: skip
    """Posts from every space the viewer may see (of `spaces`, the page's list, if given).
    "all" and "following" (authors the viewer follows) are newest first; "popular" is the
    last 7 days by likes + comments, as ranked at most a minute ago."""
    queryset = _filtered(
        viewer, tab=tab, space=space, kind=kind, page=(cursor, size), spaces=spaces
    )
    if tab == "popular":  # ranked every minute (tasks.rank_popular_posts); still last week's
        # Ordered by the ranking's own columns, so that PostgreSQL walks its index and stops
        # after a page, instead of joining every ranked post and sorting them.
        queryset = queryset.filter(
            popularity__isnull=False, created_at__gte=timezone.now() - PopularPost.WINDOW
        ).annotate(score=F("popularity__score"), ranked=F("popularity__post_id"))
        page = keyset_page(queryset, cursor=cursor, size=size, fields=("score", "ranked"))
    else:
        page = keyset_page(queryset, cursor=cursor, size=size)
    mark_liked(viewer, page.items)
    return page


def newer_posts(viewer, *, after, tab="all", space=None, kind=None):
    """Posts newer than the cursor `after` (the newest one a reader has), newest first: what
    the "new posts" marker loads."""
    if tab == "popular":
        return []
    created_at, pk = decode_cursor(after, parameter="newer", model=Post)
    queryset = _filtered(viewer, tab=tab, space=space, kind=kind).filter(
        Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk)
    )
    return mark_liked(viewer, queryset.order_by("-created_at", "-id")[:MAX_PAGE_SIZE])


def space_feed(viewer, space, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    """One space's posts: its pinned posts (first page only, newest pin first, not
    paginated) and a keyset page of the others, newest first."""
    access.check_can_see_space(viewer, space)
    queryset = _cards(viewer, [space])
    pinned = []
    if not cursor:
        pinned = list(queryset.filter(pinned_at__isnull=False).order_by("-pinned_at", "-id"))
    page = keyset_page(queryset.filter(pinned_at__isnull=True), cursor=cursor, size=size)
    mark_liked(viewer, [*pinned, *page.items])
    return SpaceFeed(pinned=pinned, items=page.items, next_cursor=page.next_cursor)


def hashtag_posts(viewer, name, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    queryset = _cards(viewer).filter(hashtags__name=name.lower())
    page = keyset_page(queryset, cursor=cursor, size=size)
    mark_liked(viewer, page.items)
    return page
