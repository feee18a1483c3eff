from django.core.cache import cache
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from community import access
from community.models import Post, Space


def sidebar_spaces(viewer):
    """The spaces the viewer may see, in order, each with `has_unread`: a post by someone
    else since the viewer's last visit (since they joined, for a space never opened), and
    `last_visited_at` (None for a space never opened). One query; the visit is a left join
    on its unique (user, space) row, and EXISTS stops at the first newer post on the
    (space, created_at) index, where a count would read every post of a busy space.

    Paid spaces the member may not enter are listed too, with `is_locked`, so that they lead
    to the page that says how to get in; a locked space never has unread posts to show.
    Which spaces are listed and locked, access decides (can_see_space, can_preview_space)
    over every live space: the space table is small (tens of rows), and deciding in Python
    from the member's tiers (read once per request) halves the cost of the query, most of
    which was Django building the SQL of the same rule (docs/rendering.md)."""
    spaces = Space.objects.alive().select_related("required_tier").order_by("position", "id")
    member = access.is_active_member(viewer)
    if member:
        newer = (
            Post.objects.alive()
            .filter(space=OuterRef("pk"), hidden_at__isnull=True)
            .exclude(author=viewer)
            .filter(created_at__gt=Coalesce(OuterRef("last_visited_at"), Value(viewer.created_at)))
        )
        spaces = spaces.annotate(
            own_visit=FilteredRelation("visits", condition=Q(visits__user=viewer)),
            last_visited_at=F("own_visit__last_visited_at"),
            has_unread=Exists(newer),
        )
    listed = []
    for space in spaces:
        if access.can_see_space(viewer, space):
            space.is_locked = False
        elif access.can_preview_space(viewer, space):
            space.is_locked = True
            space.has_unread = False
        else:
            continue
        listed.append(space)
    return listed


def request_spaces(request):
    """sidebar_spaces of the request's viewer, read once per request (one query, a list
    remembered on the request): the layout's sidebar and the page (the feed's filters and
    compose form, the space page's visit) share it. Locked spaces are in it: a page that
    lists only the spaces the viewer may see skips those with `is_locked`."""
    spaces = getattr(request, "_agora_spaces", None)
    if spaces is None:
        user = getattr(request, "user", None)
        spaces = request._agora_spaces = [] if user is None else sidebar_spaces(user)
    return spaces


def space_page(viewer, slug):
    """The space behind a slug and whether the viewer only previews it (locked): a space
    they may neither see nor preview is a 404, like a missing one."""
    space = get_object_or_404(Space.objects.select_related("required_tier"), slug=slug)
    if access.can_preview_space(viewer, space):
        return space, True
    access.check_can_see_space(viewer, space)
    return space, False


# How long a locked space's post count is kept: counting a space of 30k posts on each
# visit made its page the slowest of the benchmark's large run (13 req/s).
LOCKED_COUNT_SECONDS = 5 * 60


def locked_space_summary(space):
    """What a locked space's page may tell: how many posts it holds, no more; counted at
    most once every few minutes (a preview needs no exact count)."""
    count = cache.get_or_set(
        f"locked-space-post-count:{space.pk}",
        lambda: Post.objects.alive().filter(space=space, hidden_at__isnull=True).count(),
        timeout=LOCKED_COUNT_SECONDS,
    )
    return {"post_count": count}
