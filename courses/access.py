"""Courses' own rules on top of community's gating (never a copy of it): a course is seen
by whoever may see a Gated object of its visibility, once it is published and not deleted;
admins see drafts too. A lesson opens to whoever may see its course, once its module's drip
has opened for them; admins are never locked out. visible_lessons is that rule in SQL."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from community import access

from . import drip
from .models import Course, Enrollment, Lesson


class LessonLocked(PermissionDenied):
    """The lesson's module opens later for this member; `opens_at` says when (or None: when
    they enroll)."""

    def __init__(self, opens_at):
        self.opens_at = opens_at
        when = f" on {opens_at:%Y-%m-%d %H:%M %Z}" if opens_at else " once you enroll"
        super().__init__(f"This lesson opens{when}.")


def can_author(user):
    return access.can_administer(user)


def check_can_author(user):
    if not can_author(user):
        raise PermissionDenied("Only admins may edit courses.")


def can_see_course(user, course):
    if course.deleted_at is not None:
        return False
    if can_author(user):
        return True
    return course.published_at is not None and access.can_see_gated(user, course)


def can_preview_course(user, course):
    """A published paid course a member may not open yet: its page shows what it is and
    how to get it (the plans), not its lessons."""
    return (
        course.deleted_at is None
        and course.published_at is not None
        and access.can_preview_gated(user, course)
    )


def check_can_see_course(user, course):
    """A course the member may not see is not there for them (404)."""
    if not can_see_course(user, course):
        raise Http404("No such course.")


def visible_courses(user, queryset=None):
    queryset = Course.objects.alive() if queryset is None else queryset.alive()
    if can_author(user):
        return queryset
    return access.visible_gated(user, queryset.filter(published_at__isnull=False))


def catalog_courses(user, queryset=None):
    """The courses the member sees or may buy (is_locked on each), like the spaces list."""
    queryset = Course.objects.alive() if queryset is None else queryset.alive()
    if can_author(user):
        return access.gated_with_locks(user, queryset)
    return access.gated_with_locks(user, queryset.filter(published_at__isnull=False))


def can_enroll(user, course):
    """What check_can_enroll says, as a bool (an admin sees a draft but may not enroll)."""
    return (
        access.is_active_member(user)
        and can_see_course(user, course)
        and course.published_at is not None
    )


def check_can_enroll(user, course):
    if not access.is_active_member(user):
        raise PermissionDenied("Sign in to enroll.")
    check_can_see_course(user, course)
    if course.published_at is None:
        raise PermissionDenied("This course is a draft.")


def check_can_open_lesson(user, lesson, enrollment, *, now=None):
    """Raises Http404 for a lesson the member may not see, LessonLocked for one whose
    module opens later for them."""
    if lesson.deleted_at is not None or lesson.module.deleted_at is not None:
        raise Http404("No such lesson.")
    check_can_see_course(user, lesson.course)
    if can_author(user):
        return
    zone = drip.member_zone(user)
    if drip.is_locked(lesson.module, enrollment, zone, now=now or timezone.now()):
        raise LessonLocked(drip.opens_at(lesson.module, enrollment, zone))


def visible_lessons(user, queryset=None, *, now=None):
    """The lessons `user` may open (check_can_open_lesson in SQL): alive, in an alive module
    of a course they see, and not in a module whose drip still locks it for them."""
    queryset = Lesson.objects.alive() if queryset is None else queryset.alive()
    queryset = queryset.filter(module__deleted_at__isnull=True, course__in=visible_courses(user))
    if can_author(user):
        return queryset
    # As the lesson page, which reads no enrollment for a visitor or a banned member. Rows as
    # named tuples, not models: the rule reads three fields, and 80 model instances (a member
    # of 80 courses) cost every list of lessons about 0.5 ms.
    enrollments = (
        Enrollment.objects.filter(user=user).values_list(
            "course_id", "enrolled_at", "released_at", named=True
        )
        if access.is_active_member(user)
        else []
    )
    now = now or timezone.now()
    return queryset.filter(
        drip.open_modules(list(enrollments), drip.member_zone(user), now=now, prefix="module__")
    )


def may_receive_course_topic(user, course_id):
    course = Course.objects.filter(pk=course_id).first()
    return course is not None and can_see_course(user, course)
