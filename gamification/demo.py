"""Demo points: the demo members like much of each other's posts and comments (through
community's like service, as members would); the awards their posts, comments, likes,
lessons, courses and RSVPs earn under the default rules are reconciled by the service the
signals' tasks run, then spread over the past weeks (each member's awards hours apart, the
newest now), so that the week's, the month's and the all-time boards differ and the
members stand at different levels. Added once, to a community with no awards yet."""

from datetime import timedelta

from django.utils import timezone

from community.access import can_see_post
from community.demo import register_seeder
from community.models import Comment, Like, Post
from community.services import like
from courses.models import Enrollment, LessonProgress
from events.models import Rsvp

from .models import Action, PointAward
from .services.awards import reconcile_award
from .services.scores import every_member, recompute_score

# Between one award of a member and their next older one: a member with thirty awards has
# earned them over the past three weeks.
SPREAD = timedelta(hours=16)
# A member likes a post or comment of another when (its id + theirs) % LIKE_EVERY is not 0:
# two in three, a different two for each member.
LIKE_EVERY = 3


@register_seeder
def seed_points(members):
    if PointAward.objects.exists():
        return
    _like_each_others_writing(members)
    for action, source, source_id, actor_id in _sources():
        reconcile_award(action=action, source=source, source_id=source_id, actor_id=actor_id)
    _spread_over_the_past_weeks()
    for member_id in every_member():
        recompute_score(member_id)


def _like_each_others_writing(members):
    posts = list(Post.objects.alive().select_related("space"))
    comments = list(Comment.objects.filter(deleted_at__isnull=True).select_related("post__space"))
    for member in members.values():
        for target in [*posts, *comments]:
            post = target if isinstance(target, Post) else target.post
            mine = target.author_id == member.pk
            if not mine and (target.pk + member.pk) % LIKE_EVERY and can_see_post(member, post):
                like(member, target=target)


def _sources():
    for post_id in Post.objects.alive().values_list("pk", flat=True):
        yield Action.POST_CREATED, "community.post", post_id, None
    for comment_id in Comment.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True):
        yield Action.COMMENT_CREATED, "community.comment", comment_id, None
    for model, object_id, user_id in Like.objects.values_list(
        "content_type__model", "object_id", "user_id"
    ):
        yield Action.LIKE_RECEIVED, f"community.{model}", object_id, user_id
    for lesson_id, user_id in LessonProgress.objects.values_list("lesson_id", "user_id"):
        yield Action.LESSON_COMPLETED, "courses.lesson", lesson_id, user_id
    done = Enrollment.objects.filter(completed_at__isnull=False)
    for course_id, user_id in done.values_list("course_id", "user_id"):
        yield Action.COURSE_COMPLETED, "courses.course", course_id, user_id
    for rsvp_id in Rsvp.objects.filter(status=Rsvp.Status.GOING).values_list("pk", flat=True):
        yield Action.EVENT_GOING, "events.rsvp", rsvp_id, None


def _spread_over_the_past_weeks():
    now = timezone.now()
    awards = list(PointAward.objects.order_by("member_id", "-pk"))
    place, member_id = 0, None
    for award in awards:
        place = place + 1 if award.member_id == member_id else 0
        member_id = award.member_id
        award.created_at = now - place * SPREAD
    PointAward.objects.bulk_update(awards, ["created_at"])
