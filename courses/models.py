"""Courses: modules of lessons, members' enrollments and progress, drip unlocks.

A course is `Gated` (public, members, paid + tier) like a space; being published and alive
is its own rule (courses/access.py). Modules and lessons are ordered by `position` within
their parent and soft-deleted. Progress is one row per member and completed lesson; the
counters on Course are recomputed by tasks. Attachments live in the private storage and are
served only through a view that checks access.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from community.models import Gated

DESCRIPTION_MAX = 20_000
CONTENT_MAX = 100_000


def private_storage():
    """Where attachments and uploaded videos are kept: never under MEDIA_URL."""
    from django.core.files.storage import storages

    return storages["private"]


class CourseQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def published(self):
        return self.alive().filter(published_at__isnull=False)


class Course(Gated):
    title = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    description_html = models.TextField(blank=True, editable=False)
    thumbnail = models.ImageField(upload_to="courses/thumbnails/", blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in the catalog.")
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty: a draft.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Recomputed by tasks.recount_course (never trusted for a rule).
    enrollment_count = models.PositiveIntegerField(default=0, editable=False)
    lesson_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta(Gated.Meta):
        indexes = [
            models.Index(fields=["deleted_at", "position", "id"], name="course_catalog_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self):
        return self.published_at is not None


class AliveQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    position = models.PositiveIntegerField(default=0)
    # Drip: open a number of days after the member enrolled, or on a date; both evaluated
    # at midnight in the member's own time zone (courses/drip.py).
    drip_days = models.PositiveIntegerField(null=True, blank=True)
    drip_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AliveQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(drip_days__isnull=True) | Q(drip_date__isnull=True),
                name="courses_module_one_drip_rule",
                violation_error_message="A module opens after some days or on a date, not both.",
            ),
        ]
        indexes = [models.Index(fields=["course", "position", "id"], name="module_order_idx")]

    def __str__(self):
        return self.title

    @property
    def has_drip(self):
        return self.drip_days is not None or self.drip_date is not None


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    # The module's course, kept with the lesson (a lesson moves only within its course) so
    # a course's lessons and progress are read without joining modules.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    content = models.TextField(blank=True, validators=[MaxLengthValidator(CONTENT_MAX)])
    content_html = models.TextField(blank=True, editable=False)
    video_url = models.URLField(
        blank=True, help_text="A YouTube or Vimeo link (played from youtube-nocookie or Vimeo)."
    )
    video_file = models.FileField(upload_to="courses/videos/", storage=private_storage, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AliveQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["module", "position", "id"], name="lesson_order_idx"),
            models.Index(fields=["course", "deleted_at"], name="lesson_course_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def video_embed_url(self):
        """The player URL of `video_url` (youtube-nocookie or Vimeo), or None."""
        from community.richtext import embed_url

        return embed_url(self.video_url) if self.video_url else None


class Attachment(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="courses/attachments/", storage=private_storage)
    name = models.CharField(max_length=255, help_text="The file name shown and downloaded.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["lesson", "position", "id"], name="attachment_order_idx")]

    def __str__(self):
        return self.name


class Enrollment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # An admin opened every module for this member, whatever the drip says.
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="enrollment_once"),
        ]
        indexes = [
            models.Index(fields=["user", "course"], name="enrollment_user_idx"),
            # Analytics: enrollments per day of a period.
            models.Index(fields=["enrolled_at"], name="enrollment_enrolled_idx"),
        ]

    def __str__(self):
        return f"{self.user} in {self.course}"


class LessonProgress(models.Model):
    """A lesson the member completed (no row: not completed)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["lesson", "user"], name="lesson_completed_once"),
        ]
        indexes = [models.Index(fields=["user", "course"], name="progress_user_course_idx")]

    def __str__(self):
        return f"{self.user} completed {self.lesson}"


class ModuleUnlock(models.Model):
    """A drip module that opened for a member, recorded once so its signal is sent once."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="unlocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unlocked_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "user"], name="module_unlock_once"),
        ]

    def __str__(self):
        return f"{self.module} opened for {self.user}"
