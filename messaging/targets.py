"""Where opening a notification leads. Resolved when it is opened, by id, so a renamed
event or course still opens, and a post or comment that was deleted or that its reader may
no longer see (hidden by a moderator, in a space they left) says so instead of a 404."""

from django.urls import reverse

from community import access
from community.models import Comment, Post
from courses.models import Course
from events.models import Event


def url_of(notification):
    """The target's URL, or None when it is gone."""
    kind, pk = notification.target_type, notification.target_id
    if kind == "post":
        post = Post.objects.select_related("space").filter(pk=pk).first()
        return reverse("community:post", args=[pk]) if _readable(notification, post) else None
    if kind == "comment":
        comment = Comment.objects.select_related("post__space").filter(pk=pk).first()
        if comment is None or not access.can_see_comment(notification.recipient, comment):
            return None
        return reverse("community:post", args=[comment.post_id]) + f"#comment-{pk}"
    if kind == "member":
        return reverse("community:profile", args=[pk])
    if kind == "event":
        event = Event.objects.alive().filter(pk=pk).first()
        return reverse("events:event", args=[event.slug]) if event else None
    if kind == "course":
        course = Course.objects.alive().filter(pk=pk).first()
        return reverse("courses:course", args=[course.slug]) if course else None
    if kind == "leaderboard":
        return reverse("gamification:leaderboard")
    if kind == "billing":
        return reverse("payments:billing")
    return None


def _readable(notification, post):
    return post is not None and access.can_see_post(notification.recipient, post)
