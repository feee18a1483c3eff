"""The courses API's shapes for members: the catalog, a course with its outline, a lesson,
the member's progress and enrollments. They read what the learning selectors set on the
rows (`enrollment`, `completed`, `percent`, `is_locked`, the outline's modules) and make no
query of their own."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.api.fields import UtcDateTimeField, UtcModelSerializer
from community.api.toolkit import AvatarUrlField

from ..models import Attachment, Course, Enrollment, Lesson, Module

# --- Progress ------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    """The member's progress in a course (not enrolled: false, zeros and nulls)."""

    enrolled = serializers.BooleanField()
    enrolled_at = UtcDateTimeField(allow_null=True)
    completed_lessons = serializers.IntegerField(help_text="Lessons of the course you completed.")
    percent = serializers.IntegerField(help_text="0 to 100.")
    completed_at = UtcDateTimeField(
        allow_null=True, help_text="When you completed every lesson; null until then."
    )


def progress_data(enrollment, *, completed, percent):
    return {
        "enrolled": enrollment is not None,
        "enrolled_at": enrollment.enrolled_at if enrollment else None,
        "completed_lessons": completed,
        "percent": percent,
        "completed_at": enrollment.completed_at if enrollment else None,
    }


def thumbnail_field():
    return AvatarUrlField(source="thumbnail", help_text="The course's picture, or null.")


# --- The catalog and a course ----------------------------------------------------------------


class CourseSerializer(UtcModelSerializer):
    """A course as the catalog lists it, with your progress."""

    thumbnail_url = thumbnail_field()
    required_tier = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True,
        help_text="The tier a paid course needs (its slug); null otherwise.",
    )  # fmt: skip
    is_locked = serializers.BooleanField(
        read_only=True,
        help_text="A paid course you may see but not open without its tier (see the plans).",
    )
    published = serializers.BooleanField(
        source="is_published", read_only=True, help_text="False: a draft (admins only)."
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = ["id", "slug", "title", "description_html", "thumbnail_url", "visibility",
                  "required_tier", "is_locked", "lesson_count", "enrollment_count", "published",
                  "progress"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, course):
        data = progress_data(course.enrollment, completed=course.completed, percent=course.percent)
        return ProgressSerializer(data).data


class DripSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        source="drip_days", allow_null=True,
        help_text="Opens this many days after you enrolled, at your midnight.",
    )  # fmt: skip
    date = serializers.DateField(
        source="drip_date", allow_null=True, help_text="Opens on this day, at your midnight."
    )


class OutlineLessonSerializer(serializers.ModelSerializer):
    completed = serializers.BooleanField(read_only=True)
    is_locked = serializers.BooleanField(read_only=True, help_text="Its module has not opened.")

    class Meta:
        model = Lesson
        fields = ["id", "title", "position", "completed", "is_locked"]
        read_only_fields = fields


class OutlineModuleSerializer(serializers.ModelSerializer):
    drip = serializers.SerializerMethodField()
    is_locked = serializers.BooleanField(
        read_only=True, help_text="Its drip has not opened for you (admins: never)."
    )
    opens_at = UtcDateTimeField(
        read_only=True, allow_null=True,
        help_text="When a locked module opens for you; null when open, or when it counts "
        "from the day you enroll and you have not.",
    )  # fmt: skip
    completed = serializers.IntegerField(read_only=True, help_text="Its lessons you completed.")
    total = serializers.IntegerField(read_only=True, help_text="Its lessons.")
    lessons = OutlineLessonSerializer(source="open_lessons", many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "title", "position", "drip", "is_locked", "opens_at", "completed",
                  "total", "lessons"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(DripSerializer(allow_null=True))
    def get_drip(self, module):
        """When the module opens; null for a module open from the start."""
        return DripSerializer(module).data if module.has_drip else None


class CourseDetailSerializer(CourseSerializer):
    """A course with its modules and lessons in order, your progress in each, and where
    “resume” leads. A paid course you may only preview has no modules (is_locked true)."""

    modules = OutlineModuleSerializer(source="outline_modules", many=True, read_only=True)
    resume_lesson_id = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="The first unfinished lesson after the one you opened last; null without "
        "lessons (or when locked).",
    )  # fmt: skip

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "modules", "resume_lesson_id"]
        read_only_fields = fields


# --- A lesson --------------------------------------------------------------------------------


class AttachmentSerializer(UtcModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Downloads the file with this API's authentication, after checking that you "
        "may open the lesson: never a public link."
    )

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse("api-attachment-download", args=[attachment.pk])


class CourseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "slug", "title"]
        read_only_fields = fields


class ModuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title"]
        read_only_fields = fields


class LessonSerializer(serializers.ModelSerializer):
    """A lesson to read: content, video, attachments, and its neighbours in course order."""

    course = CourseBriefSerializer(read_only=True)
    module = ModuleBriefSerializer(read_only=True)
    video_embed_url = serializers.URLField(
        read_only=True, allow_null=True,
        help_text="The YouTube (no-cookie) or Vimeo player to embed; null without a link.",
    )  # fmt: skip
    video_file_url = serializers.SerializerMethodField(
        help_text="The uploaded video, streamed after the same check; null without one."
    )
    attachments = AttachmentSerializer(source="attachment_list", many=True, read_only=True)
    completed = serializers.BooleanField(read_only=True)
    previous_id = serializers.IntegerField(read_only=True, allow_null=True)
    next_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Lesson
        fields = ["id", "course", "module", "title", "position", "content_html",
                  "video_embed_url", "video_file_url", "attachments", "completed",
                  "previous_id", "next_id"]  # fmt: skip
        read_only_fields = fields

    def get_video_file_url(self, lesson) -> str | None:
        return reverse("api-lesson-video", args=[lesson.pk]) if lesson.video_file else None


class LessonCompletionSerializer(serializers.Serializer):
    """A lesson's state for you after marking it, and your progress in its course."""

    lesson_id = serializers.IntegerField()
    completed = serializers.BooleanField()
    progress = ProgressSerializer()


# --- Enrollments -----------------------------------------------------------------------------


class EnrollmentSerializer(UtcModelSerializer):
    """One of your enrollments, with your progress in the course."""

    course = CourseBriefSerializer(read_only=True)
    last_lesson_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The lesson you opened last."
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = ["id", "course", "last_lesson_id", "last_opened_at", "progress"]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, enrollment):
        data = progress_data(enrollment, completed=enrollment.completed, percent=enrollment.percent)
        return ProgressSerializer(data).data
