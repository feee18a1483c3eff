"""What every post card needs, shared by the feed, the post page and profiles: the joins of
a card and the viewer's likes for a whole list in one query.

Kept apart from feed.py and posts.py so that both import it, and neither imports the other.
"""

from django.contrib.contenttypes.models import ContentType

from community import access
from community.models import Like


def with_card_data(queryset):
    """The joins a post card needs (space, author): no query per card."""
    return queryset.select_related("space", "author")


def liked_ids(viewer, objects):
    """Ids of `objects` (posts or comments, all of one model) that the viewer liked, in one
    query; an empty set for visitors."""
    objects = list(objects)
    if not objects or not access.is_active_member(viewer):
        return set()
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    return set(
        Like.objects.filter(
            user=viewer, content_type=content_type, object_id__in=[obj.pk for obj in objects]
        ).values_list("object_id", flat=True)
    )


def mark_liked(viewer, posts):
    """Sets `post.liked` on each post: one query for the whole list."""
    posts = list(posts)
    ids = liked_ids(viewer, posts)
    for post in posts:
        post.liked = post.pk in ids
    return posts
