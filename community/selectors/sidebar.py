from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from community import access
from community.models import Post, SpaceVisit


def sidebar_spaces(viewer):
    """The spaces the viewer may see, in order, each with `has_unread`: a post by someone
    else since the viewer's last visit (since they joined, for a space never opened). One
    query; EXISTS stops at the first such post on the (space, created_at) index, where a
    count would read every post of a busy space."""
    spaces = access.visible_spaces(viewer).order_by("position", "id")
    if not access.is_active_member(viewer):
        return spaces
    # Used inside the per-space subquery below: the space is two queries out.
    last_visit = SpaceVisit.objects.filter(user=viewer, space=OuterRef(OuterRef("pk"))).values(
        "last_visited_at"
    )[:1]
    newer = (
        Post.objects.alive()
        .filter(space=OuterRef("pk"), hidden_at__isnull=True)
        .exclude(author=viewer)
        .filter(created_at__gt=Coalesce(Subquery(last_visit), viewer.created_at))
    )
    return spaces.annotate(has_unread=Exists(newer))
