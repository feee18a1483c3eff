"""Where opening a notification leads. Resolved when it is opened, by id, so a renamed
event or course still opens and a deleted post says so instead of a 404."""

from django.urls import reverse

from community.models import Comment
from courses.models import Course
from events.models import Event


def url_of(notification):
    """The target's URL, or None when it is gone."""
    kind, pk = notification.target_type, notification.target_id
    if kind == "post":
        return reverse("community:post", args=[pk])
    if kind == "comment":
        comment = Comment.objects.filter(pk=pk, deleted_at__isnull=True).first()
        if comment is None:
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
