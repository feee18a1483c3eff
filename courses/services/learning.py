"""Every write a member makes while learning: enrolling, opening a lesson (for "resume"),
completing and un-completing lessons; and the one an admin makes for a member: releasing
every drip module early.

Completing a lesson of a course the member may see but has not enrolled in enrolls them
first (the button is on the lesson page, and a member who may read a lesson may enroll);
a course they may not see is a 404, a draft or a locked module refuses, and so do visitors
and banned members (who keep their rows). Progress rows stay when a member loses the
course's tier: the lessons close, the progress is there when the tier returns.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from community import access as community_access
from community import audit, effects

from .. import signals, tasks
from ..access import check_can_enroll, check_can_open_lesson
from ..models import Enrollment, Lesson, LessonProgress

RELEASE = audit.register_action(
    "courses.release", "Opened every module of a course early for a member"
)


def enroll(actor, *, course):
    """The member's enrollment in `course` and whether this call made it (idempotent: a
    second call, or two at once, return the same row)."""
    check_can_enroll(actor, course)
    enrollment = Enrollment.objects.filter(course=course, user=actor).first()
    if enrollment is not None:
        return enrollment, False
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(course=course, user=actor)
            effects.send_signal_on_commit(
                signals.enrolled, user_id=actor.pk, course_id=course.pk,
                enrollment_id=enrollment.pk,
            )  # fmt: skip
            effects.enqueue_on_commit(tasks.recount_course, course.pk)
    except IntegrityError:
        # The same member's other request enrolled them a moment ago.
        return Enrollment.objects.get(course=course, user=actor), False
    return enrollment, True


def record_lesson_opened(actor, *, lesson, enrollment):
    """Remembers the lesson the member opened last, for "resume". One UPDATE of the
    member's own enrollment row, made by the lesson page's GET on purpose: a lesson read
    without JavaScript must count too, and repeating it changes nothing that matters."""
    if enrollment is None or enrollment.user_id != actor.pk:
        return
    now = timezone.now()
    Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_opened_at=now)
    enrollment.last_lesson, enrollment.last_opened_at = lesson, now


def _lesson_for_update(lesson):
    """`lesson` as it is now (alive?), with module and course joined for the access rule."""
    return Lesson.objects.select_related("module", "course").get(pk=lesson.pk)


def _all_lessons_done(enrollment):
    open_lessons = Lesson.objects.alive().filter(
        course_id=enrollment.course_id, module__deleted_at__isnull=True
    )
    done = LessonProgress.objects.filter(user_id=enrollment.user_id, lesson__in=open_lessons)
    return open_lessons.count() == done.count()


def complete_lesson(actor, *, lesson):
    """Marks `lesson` completed for the member (enrolling them if they were not), and the
    enrollment completed once every lesson of the course is. Returns the enrollment.
    Completing a completed lesson changes nothing and announces nothing."""
    # Before the enrollment is read: a banned member may still be enrolled in a public
    # course they can read, and a visitor has no row to look for.
    community_access.check_is_active_member(actor)
    lesson = _lesson_for_update(lesson)
    enrollment = Enrollment.objects.filter(course=lesson.course, user=actor).first()
    check_can_open_lesson(actor, lesson, enrollment)
    if enrollment is None:
        enrollment, _ = enroll(actor, course=lesson.course)
    with transaction.atomic():
        # The lock serializes a member's own completions, so that exactly one of two
        # concurrent last lessons sees the course finished.
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        _, created = LessonProgress.objects.get_or_create(
            lesson=lesson, user=actor, defaults={"course_id": lesson.course_id}
        )
        if created:
            effects.send_signal_on_commit(
                signals.lesson_completed, user_id=actor.pk, course_id=lesson.course_id,
                lesson_id=lesson.pk,
            )  # fmt: skip
        if enrollment.completed_at is None and _all_lessons_done(enrollment):
            enrollment.completed_at = timezone.now()
            enrollment.save(update_fields=["completed_at"])
            effects.send_signal_on_commit(
                signals.course_completed, user_id=actor.pk, course_id=lesson.course_id,
                enrollment_id=enrollment.pk,
            )  # fmt: skip
    return enrollment


def uncomplete_lesson(actor, *, lesson):
    """Marks `lesson` not completed; a completed course is no longer completed. Returns the
    enrollment (None: the member never enrolled, so nothing was completed)."""
    community_access.check_is_active_member(actor)
    lesson = _lesson_for_update(lesson)
    enrollment = Enrollment.objects.filter(course=lesson.course, user=actor).first()
    check_can_open_lesson(actor, lesson, enrollment)
    if enrollment is None:
        return None
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        deleted, _ = LessonProgress.objects.filter(lesson=lesson, user=actor).delete()
        if deleted:
            effects.send_signal_on_commit(
                signals.lesson_uncompleted, user_id=actor.pk, course_id=lesson.course_id,
                lesson_id=lesson.pk,
            )  # fmt: skip
        if enrollment.completed_at is not None:
            enrollment.completed_at = None
            enrollment.save(update_fields=["completed_at"])
    return enrollment


def release_modules(actor, *, enrollment):
    """An admin opens every module of the course for this member now, whatever the drip
    says; the unlocks are announced by tasks.unlock_due, queued after commit."""
    community_access.check_can_administer(actor)
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .select_related("user", "course")
            .get(pk=enrollment.pk)
        )
        if enrollment.released_at is not None:
            return enrollment
        enrollment.released_at = timezone.now()
        enrollment.save(update_fields=["released_at"])
        audit.record(actor, RELEASE, enrollment.user, f"Course “{enrollment.course.title}”")
        effects.enqueue_on_commit(tasks.unlock_due)
    return enrollment
