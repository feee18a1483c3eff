"""Receivers of other apps' domain signals (sent after commit, ids only): each enqueues the
task that reconciles the awards of the source the signal names."""

from community import signals as community
from courses import signals as courses
from events import signals as events

from . import tasks
from .models import Action

POST, COMMENT = "community.post", "community.comment"


def post_created(post_id, **_kwargs):
    tasks.reconcile_award.delay(Action.POST_CREATED, POST, post_id)


def post_removed_or_restored(post_id, **_kwargs):
    tasks.reconcile_awards_from.delay(POST, post_id)


def comment_created(comment_id, **_kwargs):
    tasks.reconcile_award.delay(Action.COMMENT_CREATED, COMMENT, comment_id)


def comment_removed_or_restored(comment_id, **_kwargs):
    tasks.reconcile_awards_from.delay(COMMENT, comment_id)


def like_changed(user_id, target_type, target_id, **_kwargs):
    tasks.reconcile_award.delay(
        Action.LIKE_RECEIVED, f"community.{target_type}", target_id, user_id
    )


def lesson_completed(user_id, lesson_id, **_kwargs):
    tasks.reconcile_award.delay(Action.LESSON_COMPLETED, "courses.lesson", lesson_id, user_id)


def lesson_uncompleted(user_id, course_id, lesson_id, **_kwargs):
    lesson_completed(user_id=user_id, lesson_id=lesson_id)
    course_completed(user_id=user_id, course_id=course_id)  # the course is no longer done


def course_completed(user_id, course_id, **_kwargs):
    tasks.reconcile_award.delay(Action.COURSE_COMPLETED, "courses.course", course_id, user_id)


def rsvp_changed(user_id, event_id, occurrence_start, **_kwargs):
    tasks.reconcile_rsvp_award.delay(user_id, event_id, occurrence_start)


def event_changed(event_id, occurrence_start=None, **_kwargs):
    tasks.reconcile_event_awards.delay(event_id, occurrence_start)


def member_joined(member_id, **_kwargs):
    tasks.recompute_score.delay(member_id)  # a new member's Score row: 0 points, first level


def connect():
    """Called once from GamificationConfig.ready (dispatch_uid keeps it once)."""
    pairs = [
        (community.member_joined, member_joined),
        (community.post_created, post_created),
        (community.post_removed, post_removed_or_restored),
        (community.post_restored, post_removed_or_restored),
        (community.comment_created, comment_created),
        (community.comment_removed, comment_removed_or_restored),
        (community.comment_restored, comment_removed_or_restored),
        (community.like_added, like_changed),
        (community.like_removed, like_changed),
        (courses.lesson_completed, lesson_completed),
        (courses.lesson_uncompleted, lesson_uncompleted),
        (courses.course_completed, course_completed),
        (events.rsvp_changed, rsvp_changed),
        (events.waitlist_promoted, rsvp_changed),
        (events.event_cancelled, event_changed),
        (events.event_changed, event_changed),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"gamification.{receiver.__name__}")
