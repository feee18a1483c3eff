"""The courses API's shapes for the admins: what a course, module, lesson or attachment
write accepts, the whole order of a course, and who is enrolled. What the API accepts is a
StrictSerializer (an unknown key is a 400 naming it); courses.services.authoring validates
the values, as for the builder's pages. Files (a thumbnail, a video) come as
multipart/form-data."""

from rest_framework import serializers

from community import selectors as community_selectors
from community.api.fields import UtcModelSerializer
from community.api.serializers import AuthorSerializer
from community.api.toolkit import StrictSerializer

from ..models import Course, Enrollment, Lesson, Module

POSITIVE_INT_MAX = 2_147_483_647  # PositiveIntegerField on PostgreSQL

# --- Courses ---------------------------------------------------------------------------------


class CourseUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    slug = serializers.SlugField(
        max_length=200, required=False, allow_blank=True,
        help_text="Its address, /courses/<slug>/; blank: made from the title.",
    )  # fmt: skip
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="Markdown, up to 20,000 characters."
    )
    thumbnail = serializers.FileField(
        required=False, allow_null=True,
        help_text="A PNG, JPEG, GIF or WebP image (multipart/form-data); null removes it.",
    )  # fmt: skip
    visibility = serializers.ChoiceField(choices=Course.Visibility.choices, required=False)
    required_tier = serializers.SlugRelatedField(
        slug_field="slug", queryset=community_selectors.tiers(), required=False,
        allow_null=True, help_text="The tier (its slug) a paid course needs.",
    )  # fmt: skip
    position = serializers.IntegerField(
        min_value=0, max_value=POSITIVE_INT_MAX, required=False, help_text="Catalog order."
    )


class CourseCreateSerializer(CourseUpdateSerializer):
    title = serializers.CharField(max_length=200)
    visibility = serializers.ChoiceField(choices=Course.Visibility.choices)
    thumbnail = serializers.FileField(
        required=False, help_text="A PNG, JPEG, GIF or WebP image (multipart/form-data)."
    )
    published = serializers.BooleanField(
        required=False, default=False, help_text="False (the default): a draft."
    )


# --- Modules ---------------------------------------------------------------------------------


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "course_id", "title", "position", "drip_days", "drip_date"]
        read_only_fields = fields


class ModuleUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    drip_days = serializers.IntegerField(
        min_value=0, max_value=36_500, required=False, allow_null=True,
        help_text="Opens this many days after the member enrolled, at their midnight.",
    )  # fmt: skip
    drip_date = serializers.DateField(
        required=False, allow_null=True,
        help_text="Opens on this day at the member's midnight (not with drip_days).",
    )  # fmt: skip


class ModuleCreateSerializer(ModuleUpdateSerializer):
    title = serializers.CharField(max_length=200)


# --- Lessons ---------------------------------------------------------------------------------


class LessonAdminSerializer(serializers.ModelSerializer):
    video_embed_url = serializers.URLField(read_only=True, allow_null=True)
    has_video_file = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "course_id", "module_id", "title", "position", "content",
                  "content_html", "video_url", "video_embed_url", "has_video_file"]  # fmt: skip
        read_only_fields = fields

    def get_has_video_file(self, lesson) -> bool:
        return bool(lesson.video_file)


class LessonUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    content = serializers.CharField(
        required=False, allow_blank=True, help_text="Markdown, up to 100,000 characters."
    )
    video_url = serializers.CharField(
        required=False, allow_blank=True, help_text="A YouTube or Vimeo link."
    )
    video_file = serializers.FileField(
        required=False, allow_null=True,
        help_text="An MP4 or WebM video (multipart/form-data); null removes it.",
    )  # fmt: skip


class LessonCreateSerializer(LessonUpdateSerializer):
    title = serializers.CharField(max_length=200)
    video_file = serializers.FileField(
        required=False, help_text="An MP4 or WebM video (multipart/form-data)."
    )


class AttachmentUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="multipart/form-data, up to 100 MB: PDF, ZIP, images, text, Markdown, CSV, "
        "MP3, MP4, WebM, Word, Excel or PowerPoint (read from its bytes, not its name)."
    )


# --- The order of a course ------------------------------------------------------------------


class ModuleOrderSerializer(StrictSerializer):
    id = serializers.IntegerField(help_text="A module of the course.")
    lessons = serializers.ListField(
        child=serializers.IntegerField(), required=False,
        help_text="Its lessons in order; one listed under another module moves here.",
    )  # fmt: skip


class CourseOrderSerializer(StrictSerializer):
    modules = ModuleOrderSerializer(
        many=True,
        help_text="Every module of the course once, in order, each with its lessons: every "
        "lesson of the course once. Anything omitted, repeated or foreign is refused and "
        "nothing changes.",
    )


# --- Who is enrolled -------------------------------------------------------------------------


class AdminEnrollmentSerializer(UtcModelSerializer):
    member = AuthorSerializer(source="user", read_only=True)
    last_lesson_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Enrollment
        fields = ["id", "member", "enrolled_at", "last_lesson_id", "last_opened_at",
                  "completed_at", "released_at"]  # fmt: skip
        read_only_fields = fields


class AdminEnrollmentRowSerializer(AdminEnrollmentSerializer):
    completed_lessons = serializers.IntegerField(
        source="completed", read_only=True, help_text="Lessons of the course completed."
    )

    class Meta(AdminEnrollmentSerializer.Meta):
        fields = [*AdminEnrollmentSerializer.Meta.fields, "completed_lessons"]
        read_only_fields = fields
