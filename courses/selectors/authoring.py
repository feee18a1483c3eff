"""What the admins' course pages read: every course (drafts too) with its counts, and one
course's outline for the builder, each in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q

from ..models import Attachment, Course, Lesson, Module


def courses_for_admin():
    """Alive courses, drafts and published, in catalog order, with `module_total` and
    `lesson_total` counted from the rows (not the task-kept counters) and the tier joined.
    One query."""
    return (
        Course.objects.alive()
        .select_related("required_tier")
        .annotate(
            module_total=Count(
                "modules", filter=Q(modules__deleted_at__isnull=True), distinct=True
            ),
            lesson_total=Count(
                "lessons",
                filter=Q(
                    lessons__deleted_at__isnull=True, lessons__module__deleted_at__isnull=True
                ),
                distinct=True,
            ),
        )
        .order_by("position", "id")
    )


def course_for_admin(course_id):
    """An alive course (drafts too) by id, or None."""
    return Course.objects.alive().select_related("required_tier").filter(pk=course_id).first()


def course_outline(course):
    """The course's alive modules in order, each with `lessons` (alive, in order, each with
    `attachment_total`). Two queries: the modules, then their lessons."""
    lessons = (
        Lesson.objects.alive()
        .annotate(attachment_total=Count("attachments"))
        .order_by("position", "id")
    )
    return list(
        Module.objects.alive()
        .filter(course=course)
        .order_by("position", "id")
        .prefetch_related(Prefetch("lessons", queryset=lessons))
    )


def lesson_for_admin(lesson_id):
    """An alive lesson of an alive module and course, with both joined, or None."""
    return (
        Lesson.objects.alive()
        .filter(pk=lesson_id, module__deleted_at__isnull=True, course__deleted_at__isnull=True)
        .select_related("module", "course")
        .first()
    )


def module_for_admin(module_id):
    return (
        Module.objects.alive()
        .filter(pk=module_id, course__deleted_at__isnull=True)
        .select_related("course")
        .first()
    )


def lesson_attachments(lesson):
    return list(Attachment.objects.filter(lesson=lesson).order_by("position", "id"))
