"""Courses in the Django admin. Courses, modules, lessons and attachments are written through
courses.services.authoring (validation, positions, audit entries, live events and recounts
in one place), as community's admin does for spaces: saving calls the service, deleting is
the soft delete, and the actions publish, unpublish and delete through it too. Uploads
(thumbnails, videos, attachments) and the order are made on the course pages
(/courses/manage/), which run the upload checks. Enrollments, progress and drip unlocks are
written by the members' own actions and the drip task: here they are read only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from community.admin import ReadOnlyAdmin
from community.admin_tools import LargeTableAdmin
from community.richtext import embed_url

from .models import Attachment, Course, Enrollment, Lesson, LessonProgress, Module, ModuleUnlock
from .services import authoring as services


def _soft_delete(request, queryset, service, keyword, noun):
    done = 0
    for obj in queryset.filter(deleted_at__isnull=True):
        service(request.user, **{keyword: obj})
        done += 1
    messages.success(request, f"{done} {noun}{'s' if done != 1 else ''} deleted (soft).")


class ServiceAdmin(admin.ModelAdmin):
    """Saving and deleting go through the services (subclasses say which): Django's delete,
    one row or the selected ones, is the soft delete."""

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *(self.fixed_on_change if obj else [])]

    fixed_on_change = []


class CourseAdminForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "slug", "description", "visibility", "required_tier", "position"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in services.RESERVED_COURSE_SLUGS:
            raise ValidationError(f"“{slug}” is reserved; choose another.")
        return slug


@admin.register(Course)
class CourseAdmin(ServiceAdmin):
    form = CourseAdminForm
    list_display = ["title", "slug", "visibility", "required_tier", "published", "lesson_count",
                    "enrollment_count", "position", "deleted_at"]  # fmt: skip
    list_filter = [
        "visibility",
        ("published_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        "required_tier",
    ]
    search_fields = ["title", "slug"]
    list_select_related = ["required_tier"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "description", "visibility", "required_tier", "position",
              "published_at", "lesson_count", "enrollment_count", "created_by", "created_at",
              "deleted_at"]  # fmt: skip
    readonly_fields = ["published_at", "lesson_count", "enrollment_count", "created_by",
                       "created_at", "deleted_at"]  # fmt: skip
    raw_id_fields = ["created_by"]
    actions = ["publish", "unpublish", "soft_delete"]

    @admin.display(description="Published", boolean=True, ordering="published_at")
    def published(self, course):
        return course.published_at is not None

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in CourseAdminForm.Meta.fields}
        if change:
            services.update_course(request.user, course=obj, **changes)
        else:
            obj.pk = services.create_course(request.user, **changes).pk

    def delete_model(self, request, obj):
        services.delete_course(request.user, course=obj)

    def delete_queryset(self, request, queryset):
        _soft_delete(request, queryset, services.delete_course, "course", "course")

    @admin.action(description="Publish the selected courses")
    def publish(self, request, queryset):
        for course in queryset.alive():
            services.publish_course(request.user, course=course)

    @admin.action(description="Unpublish the selected courses (back to drafts)")
    def unpublish(self, request, queryset):
        for course in queryset.alive():
            services.unpublish_course(request.user, course=course)

    @admin.action(description="Delete the selected courses (soft)")
    def soft_delete(self, request, queryset):
        self.delete_queryset(request, queryset)


@admin.register(Module)
class ModuleAdmin(ServiceAdmin):
    list_display = ["title", "course", "position", "drip_days", "drip_date", "deleted_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter), "course"]
    search_fields = ["title", "course__title"]
    list_select_related = ["course"]
    fields = ["course", "title", "drip_days", "drip_date", "position", "deleted_at"]
    readonly_fields = ["position", "deleted_at"]
    fixed_on_change = ["course"]
    raw_id_fields = ["course"]
    actions = ["soft_delete"]

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in ("title", "drip_days", "drip_date")}
        if change:
            services.update_module(request.user, module=obj, **changes)
        else:
            course = form.cleaned_data["course"]
            obj.pk = services.create_module(request.user, course=course, **changes).pk

    def delete_model(self, request, obj):
        services.delete_module(request.user, module=obj)

    def delete_queryset(self, request, queryset):
        _soft_delete(request, queryset, services.delete_module, "module", "module")

    @admin.action(description="Delete the selected modules and their lessons (soft)")
    def soft_delete(self, request, queryset):
        self.delete_queryset(request, queryset)


class LessonAdminForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["module", "title", "content", "video_url"]

    def clean_video_url(self):
        url = self.cleaned_data["video_url"].strip()
        if url and embed_url(url) is None:
            raise ValidationError("Use a YouTube or Vimeo link.")
        return url

    def _post_clean(self):
        if self.instance.module_id is None and self.cleaned_data.get("module"):
            self.instance.course_id = self.cleaned_data["module"].course_id
        super()._post_clean()


@admin.register(Lesson)
class LessonAdmin(ServiceAdmin):
    form = LessonAdminForm
    list_display = ["title", "course", "module", "position", "has_video", "deleted_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter), "course"]
    search_fields = ["title", "course__title", "module__title"]
    list_select_related = ["course", "module"]
    fields = ["module", "title", "content", "video_url", "uploaded_video", "position",
              "deleted_at"]  # fmt: skip
    readonly_fields = ["uploaded_video", "position", "deleted_at"]
    fixed_on_change = ["module"]
    raw_id_fields = ["module"]
    actions = ["soft_delete"]

    @admin.display(description="Uploaded video")
    def uploaded_video(self, lesson):
        return lesson.video_file.name or "-"  # private files have no link

    @admin.display(description="Video", boolean=True)
    def has_video(self, lesson):
        return bool(lesson.video_url or lesson.video_file)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in ("title", "content", "video_url")}
        if change:
            services.update_lesson(request.user, lesson=obj, **changes)
        else:
            module = form.cleaned_data["module"]
            obj.pk = services.create_lesson(request.user, module=module, **changes).pk

    def delete_model(self, request, obj):
        services.delete_lesson(request.user, lesson=obj)

    def delete_queryset(self, request, queryset):
        _soft_delete(request, queryset, services.delete_lesson, "lesson", "lesson")

    @admin.action(description="Delete the selected lessons (soft)")
    def soft_delete(self, request, queryset):
        self.delete_queryset(request, queryset)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Added on the lesson's page (where the upload is checked); removed here or there."""

    list_display = ["name", "lesson", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["name", "lesson__title", "lesson__course__title"]
    list_select_related = ["lesson"]
    readonly_fields = ["lesson", "stored_as", "name", "content_type", "size", "position",
                       "created_at"]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Stored as")
    def stored_as(self, attachment):
        return attachment.file.name  # private files have no link

    def delete_model(self, request, obj):
        services.remove_attachment(request.user, attachment=obj)

    def delete_queryset(self, request, queryset):
        for attachment in queryset.select_related("lesson"):
            services.remove_attachment(request.user, attachment=attachment)


@admin.register(Enrollment)
class EnrollmentAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["user", "course", "enrolled_at", "last_opened_at", "completed_at",
                    "released_at"]  # fmt: skip
    list_filter = [("completed_at", admin.EmptyFieldListFilter),
                   ("released_at", admin.EmptyFieldListFilter), "course"]  # fmt: skip
    search_fields = ["user__email", "user__display_name", "course__title"]
    list_select_related = ["user", "course"]
    raw_id_fields = ["user", "course", "last_lesson"]
    ordering = ["-id"]  # newest first on the primary key's index


@admin.register(LessonProgress)
class LessonProgressAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["user", "lesson", "course", "completed_at"]
    list_filter = ["course"]
    search_fields = ["user__email", "user__display_name", "lesson__title", "course__title"]
    list_select_related = ["user", "lesson", "course"]
    raw_id_fields = ["user", "lesson", "course"]
    ordering = ["-id"]


@admin.register(ModuleUnlock)
class ModuleUnlockAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["user", "module", "unlocked_at", "created_at"]
    search_fields = ["user__email", "user__display_name", "module__title"]
    list_select_related = ["user", "module"]
    raw_id_fields = ["user", "module"]
    ordering = ["-id"]
