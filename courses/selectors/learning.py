"""What the members' course pages and the API read: the catalog with the viewer's progress,
a course's outline with progress and drip state, a lesson with its neighbours. Each costs a
fixed number of queries whatever the course's size; the viewer's facts (enrollment, completed
lessons) are read for the whole page in one query each, and drip is computed in Python
(courses/drip.py) from the enrollment and the member's zone.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from community import access as community_access
from community.pagination import DEFAULT_PAGE_SIZE, keyset_page

from .. import access, drip
from ..models import Attachment, Course, Enrollment, Lesson, LessonProgress, Module

CATALOG_ORDER = ("position", "id")


# --- The viewer's facts, one query each ----------------------------------------------------------


def enrollments_by_course(user, course_ids):
    """{course_id: Enrollment} of the member in these courses (one query; {} for visitors)."""
    if not community_access.is_active_member(user) or not course_ids:
        return {}
    rows = Enrollment.objects.filter(user=user, course_id__in=list(course_ids))
    return {row.course_id: row for row in rows}


def completed_counts(user, course_ids):
    """{course_id: lessons completed} counting only alive lessons of alive modules (one
    query; {} for visitors)."""
    if not community_access.is_active_member(user) or not course_ids:
        return {}
    rows = (
        LessonProgress.objects.filter(
            user=user, course_id__in=list(course_ids),
            lesson__deleted_at__isnull=True, lesson__module__deleted_at__isnull=True,
        )
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
    )  # fmt: skip
    return {row["course_id"]: row["n"] for row in rows}


def completed_lesson_ids(user, course):
    if not community_access.is_active_member(user):
        return set()
    return set(
        LessonProgress.objects.filter(user=user, course=course).values_list("lesson_id", flat=True)
    )


# --- The catalog -----------------------------------------------------------------------------


def with_progress(user, courses):
    """Sets on each course `enrollment` (or None), `completed` (lessons done) and
    `percent` (0-100, of the task-kept lesson_count): two queries for the whole list."""
    courses = list(courses)
    ids = [course.pk for course in courses]
    enrollments = enrollments_by_course(user, ids)
    done = completed_counts(user, ids)
    for course in courses:
        course.enrollment = enrollments.get(course.pk)
        course.completed = min(done.get(course.pk, 0), course.lesson_count)
        course.percent = (
            round(100 * course.completed / course.lesson_count) if course.lesson_count else 0
        )
    return courses


def catalog(user, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    """A page of the courses the viewer may open or buy (`is_locked` on the latter), in the
    admins' order, each with the viewer's progress: three queries (the courses with their
    tier, the enrollments, the progress counts), plus the viewer's tiers once."""
    courses = access.catalog_courses(user).select_related("required_tier")
    page = keyset_page(courses, fields=CATALOG_ORDER, ascending=True, cursor=cursor, size=size)
    with_progress(user, page.items)
    return page


def member_enrollments(user, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    """A page of the member's enrollments in courses they may see, newest first, each with
    its course and `completed` / `percent` like with_progress: two queries (plus the
    member's tiers once)."""
    rows = Enrollment.objects.filter(
        user=user, course__in=access.visible_courses(user)
    ).select_related("course")
    page = keyset_page(rows, fields=("enrolled_at", "id"), cursor=cursor, size=size)
    done = completed_counts(user, [row.course_id for row in page.items])
    for row in page.items:
        total = row.course.lesson_count
        row.completed = min(done.get(row.course_id, 0), total)
        row.percent = round(100 * row.completed / total) if total else 0
    return page


# --- A course --------------------------------------------------------------------------------


def course_by_slug(user, slug):
    """The alive course the viewer may see or preview, or None (the page says 404).
    `is_locked` is set: True for a paid course shown only as a preview."""
    course = Course.objects.alive().select_related("required_tier").filter(slug=slug).first()
    if course is None:
        return None
    if access.can_see_course(user, course):
        course.is_locked = False
        return course
    if access.can_preview_course(user, course):
        course.is_locked = True
        return course
    return None


@dataclass
class Outline:
    """A course as one member sees it: modules in order, each with `lessons`, `total`,
    `completed`, `is_locked` and `opens_at`; each lesson with `completed` and
    `is_locked`; and where "resume" leads."""

    course: Course
    enrollment: Enrollment | None
    modules: list
    lessons: list = field(default_factory=list)  # every lesson, in course order
    completed: int = 0

    @property
    def total(self):
        return len(self.lessons)

    @property
    def percent(self):
        return round(100 * self.completed / self.total) if self.total else 0

    def neighbours(self, lesson):
        """(previous, next) lessons of `lesson` in course order (None at either end)."""
        ids = [each.pk for each in self.lessons]
        index = ids.index(lesson.pk)
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following

    def resume_lesson(self):
        """The first unfinished open lesson from the one the member opened last (wrapping
        to the start); the last opened when every lesson is done; the first lesson for a
        member who never opened one. None for a course without lessons."""
        if not self.lessons:
            return None
        last_id = self.enrollment.last_lesson_id if self.enrollment else None
        ids = [each.pk for each in self.lessons]
        start = ids.index(last_id) if last_id in ids else 0
        ordered = self.lessons[start:] + self.lessons[:start]
        for lesson in ordered:
            if not lesson.completed and not lesson.is_locked:
                return lesson
        for lesson in ordered:
            if not lesson.completed:
                return lesson
        return self.lessons[start]


def outline(user, course, *, now=None):
    """The course's alive modules and lessons with the viewer's progress and drip state:
    four queries (modules, their lessons, the enrollment, the completed lessons)
    whatever the course's size."""
    now = now or timezone.now()
    lessons = Lesson.objects.alive().order_by("position", "id")
    modules = list(
        Module.objects.alive()
        .filter(course=course)
        .order_by("position", "id")
        .prefetch_related(Prefetch("lessons", queryset=lessons, to_attr="open_lessons"))
    )
    enrollment = enrollments_by_course(user, [course.pk]).get(course.pk)
    done = completed_lesson_ids(user, course)
    zone = drip.member_zone(user)
    author = access.can_author(user)
    result = Outline(course=course, enrollment=enrollment, modules=modules)
    for module in modules:
        module.is_locked = not author and drip.is_locked(module, enrollment, zone, now=now)
        module.opens_at = drip.opens_at(module, enrollment, zone) if module.is_locked else None
        module.total = len(module.open_lessons)
        module.completed = 0
        for lesson in module.open_lessons:
            lesson.module = module
            lesson.course = course
            lesson.completed = lesson.pk in done
            lesson.is_locked = module.is_locked
            module.completed += lesson.completed
            result.lessons.append(lesson)
        result.completed += module.completed
    return result


# --- A lesson --------------------------------------------------------------------------------


def lesson_with_course(lesson_id, course=None):
    """An alive lesson (of an alive module) with its module and course (and the course's
    tier) joined, or None; within `course` when given."""
    lessons = Lesson.objects.alive().filter(pk=lesson_id, module__deleted_at__isnull=True)
    if course is not None:
        lessons = lessons.filter(course=course)
    return lessons.select_related("module", "course__required_tier").first()


def attachments(lesson):
    return list(Attachment.objects.filter(lesson=lesson).order_by("position", "id"))


def attachment_with_lesson(attachment_id):
    """An attachment with its lesson, module and course joined (for the access check)."""
    return (
        Attachment.objects.filter(pk=attachment_id)
        .select_related("lesson__module", "lesson__course__required_tier")
        .first()
    )


# --- Admins: who is enrolled -------------------------------------------------------------------


def enrollments_for_admin(course, *, cursor=None, size=DEFAULT_PAGE_SIZE):
    """A page of the course's enrollments, newest first, each with its member and
    `completed` (alive lessons done): one query."""
    rows = (
        Enrollment.objects.filter(course=course)
        .select_related("user", "last_lesson")
        .annotate(
            completed=Count(
                "user__lesson_progress",
                filter=Q(
                    user__lesson_progress__course=course,
                    user__lesson_progress__lesson__deleted_at__isnull=True,
                    user__lesson_progress__lesson__module__deleted_at__isnull=True,
                ),
            )
        )
    )
    return keyset_page(rows, fields=("enrolled_at", "id"), cursor=cursor, size=size)


def has_drip_modules(course):
    """Whether an alive module of the course opens by drip (so "release" means something)."""
    return (
        Module.objects.alive()
        .filter(course=course)
        .filter(Q(drip_days__isnull=False) | Q(drip_date__isnull=False))
        .exists()
    )


def enrollment_for_admin(course, enrollment_id):
    return Enrollment.objects.filter(course=course, pk=enrollment_id).first()
