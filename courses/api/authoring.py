"""What the admins' course builder does, over the API: courses (create, edit, publish,
delete), modules, lessons, attachments, the whole order of a course in one request, and
who is enrolled (with releasing every drip module early for one of them). Courses are
addressed by slug like everywhere else in the API; modules, lessons, attachments and
enrollments by id. courses.services.authoring checks the admin and validates; non-admins
get a 403 (404 for a course they may not see at all)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from community.api.toolkit import (
    PageQuerySerializer,
    cursor_page_serializer,
    page_query,
    page_response,
    read_body,
)

from ..models import Enrollment
from ..selectors import authoring as authoring_selectors
from ..selectors import learning as learning_selectors
from ..services import authoring as services
from ..services import learning as learning_services
from . import learning
from .authoring_serializers import (
    AdminEnrollmentRowSerializer,
    AdminEnrollmentSerializer,
    AttachmentUploadSerializer,
    CourseCreateSerializer,
    CourseOrderSerializer,
    CourseUpdateSerializer,
    LessonAdminSerializer,
    LessonCreateSerializer,
    LessonUpdateSerializer,
    ModuleCreateSerializer,
    ModuleSerializer,
    ModuleUpdateSerializer,
)
from .base import AuthoringView
from .serializers import AttachmentSerializer, CourseDetailSerializer


def _answer(serializer_class, obj, code=status.HTTP_200_OK):
    return Response(serializer_class(obj).data, status=code)


def _course_detail(request, course, code=status.HTTP_200_OK):
    """The course as GET /courses/{slug}/ gives it, read again after the write."""
    fresh = learning.course_or_404(request.user, course.slug)
    return learning.course_detail_response(request, fresh, code)


def _module_or_404(module_id):
    module = authoring_selectors.module_for_admin(module_id)
    if module is None:
        raise Http404("No such module.")
    return module


def _lesson_or_404(lesson_id):
    lesson = authoring_selectors.lesson_for_admin(lesson_id)
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def _attachment_or_404(attachment_id):
    attachment = learning_selectors.attachment_with_lesson(attachment_id)
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


# --- Courses (the collection and a course share their paths with the members' reads) ----------


class CourseListView(learning.CatalogView):
    @extend_schema(
        operation_id="courses_create",
        request=CourseCreateSerializer,
        responses={201: CourseDetailSerializer},
        summary="Create a course, a draft unless `published` (admins)",
    )
    def post(self, request):
        course = services.create_course(request.user, **read_body(CourseCreateSerializer, request))
        return _course_detail(request, course, status.HTTP_201_CREATED)


class CourseDetailView(learning.CourseDetailView):
    @extend_schema(
        operation_id="courses_partial_update",
        request=CourseUpdateSerializer,
        responses=CourseDetailSerializer,
        summary="Edit a course; `thumbnail: null` removes its picture (admins)",
    )
    def patch(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        changes = read_body(CourseUpdateSerializer, request, partial=True)
        course = services.update_course(request.user, course=course, **changes)
        return _course_detail(request, course)

    @extend_schema(
        operation_id="courses_destroy",
        responses={204: None},
        summary="Delete a course (soft: it leaves every list; admins)",
    )
    def delete(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        services.delete_course(request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CoursePublishView(AuthoringView):
    @extend_schema(
        operation_id="courses_publish",
        request=None,
        responses=CourseDetailSerializer,
        summary="Publish a course: members who may see it find it in the catalog (admins)",
    )
    def post(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        return _course_detail(request, services.publish_course(request.user, course=course))


class CourseUnpublishView(AuthoringView):
    @extend_schema(
        operation_id="courses_unpublish",
        request=None,
        responses=CourseDetailSerializer,
        summary="Make a course a draft again: only admins see it (admins)",
    )
    def post(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        return _course_detail(request, services.unpublish_course(request.user, course=course))


class CourseOrderView(AuthoringView):
    @extend_schema(
        operation_id="courses_order_retrieve",
        responses=CourseOrderSerializer,
        summary="The order of a course's modules and lessons, as PUT takes it (admins)",
    )
    def get(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        return Response({"modules": services.current_order(course)})

    @extend_schema(
        operation_id="courses_order_update",
        request=CourseOrderSerializer,
        responses=CourseOrderSerializer,
        summary="Set the whole order of a course's modules and lessons in one transaction; "
        "a lesson may move to another module (admins)",
    )
    def put(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        order = read_body(CourseOrderSerializer, request)["modules"]
        services.reorder_course(request.user, course=course, modules=[dict(m) for m in order])
        return Response({"modules": services.current_order(course)})


class CourseModuleListView(AuthoringView):
    @extend_schema(
        operation_id="courses_modules_create",
        request=ModuleCreateSerializer,
        responses={201: ModuleSerializer},
        summary="Add a module at the end of a course (admins)",
    )
    def post(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        data = read_body(ModuleCreateSerializer, request)
        module = services.create_module(request.user, course=course, **data)
        return _answer(ModuleSerializer, module, status.HTTP_201_CREATED)


class CourseEnrollmentListView(AuthoringView):
    @extend_schema(
        operation_id="courses_enrollments_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(AdminEnrollmentRowSerializer),
        summary="Who is enrolled in a course, newest first, with their progress (admins)",
    )
    def get(self, request, slug):
        course = learning.course_or_404(request.user, slug)
        page = learning_selectors.enrollments_for_admin(course, **page_query(request))
        return page_response(request, page, AdminEnrollmentRowSerializer)


class EnrollmentReleaseView(AuthoringView):
    @extend_schema(
        operation_id="enrollments_release",
        request=None,
        responses=AdminEnrollmentSerializer,
        summary="Open every module of the course for this member now, whatever the drip "
        "says (admins)",
    )
    def post(self, request, enrollment_id):
        enrollment = Enrollment.objects.filter(pk=enrollment_id).first()
        if enrollment is None:
            raise Http404("No such enrollment.")
        enrollment = learning_services.release_modules(request.user, enrollment=enrollment)
        return _answer(AdminEnrollmentSerializer, enrollment)


# --- Modules, lessons, attachments -----------------------------------------------------------


class ModuleDetailView(AuthoringView):
    @extend_schema(
        operation_id="modules_partial_update",
        request=ModuleUpdateSerializer,
        responses=ModuleSerializer,
        summary="Edit a module: its title and drip (admins)",
    )
    def patch(self, request, module_id):
        module = _module_or_404(module_id)
        changes = read_body(ModuleUpdateSerializer, request, partial=True)
        return _answer(ModuleSerializer, services.update_module(request.user, module=module,
                                                                **changes))  # fmt: skip

    @extend_schema(
        operation_id="modules_destroy",
        responses={204: None},
        summary="Delete a module and, with it, its lessons (soft; admins)",
    )
    def delete(self, request, module_id):
        services.delete_module(request.user, module=_module_or_404(module_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ModuleLessonListView(AuthoringView):
    @extend_schema(
        operation_id="modules_lessons_create",
        request=LessonCreateSerializer,
        responses={201: LessonAdminSerializer},
        summary="Add a lesson at the end of a module (admins)",
    )
    def post(self, request, module_id):
        module = _module_or_404(module_id)
        data = read_body(LessonCreateSerializer, request)
        lesson = services.create_lesson(request.user, module=module, **data)
        return _answer(LessonAdminSerializer, lesson, status.HTTP_201_CREATED)


class LessonDetailView(learning.LessonDetailView):
    @extend_schema(
        operation_id="lessons_partial_update",
        request=LessonUpdateSerializer,
        responses=LessonAdminSerializer,
        summary="Edit a lesson; `video_file: null` removes its uploaded video (admins)",
    )
    def patch(self, request, lesson_id):
        lesson = _lesson_or_404(lesson_id)
        changes = read_body(LessonUpdateSerializer, request, partial=True)
        lesson = services.update_lesson(request.user, lesson=lesson, **changes)
        return _answer(LessonAdminSerializer, lesson)

    @extend_schema(
        operation_id="lessons_destroy",
        responses={204: None},
        summary="Delete a lesson (soft; admins)",
    )
    def delete(self, request, lesson_id):
        services.delete_lesson(request.user, lesson=_lesson_or_404(lesson_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LessonAttachmentListView(AuthoringView):
    @extend_schema(
        operation_id="lessons_attachments_create",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
        summary="Attach a file to a lesson, kept private (admins)",
    )
    def post(self, request, lesson_id):
        lesson = _lesson_or_404(lesson_id)
        upload = read_body(AttachmentUploadSerializer, request)["file"]
        try:
            attachment = services.add_attachment(request.user, lesson=lesson, upload=upload)
        except ValidationError as refused:
            # The service names the builder form's field, `upload`; here it is `file`.
            if "upload" not in getattr(refused, "error_dict", {}):
                raise
            raise ValidationError({"file": refused.message_dict["upload"]}) from refused
        return _answer(AttachmentSerializer, attachment, status.HTTP_201_CREATED)


class AttachmentDetailView(AuthoringView):
    @extend_schema(
        operation_id="attachments_destroy",
        responses={204: None},
        summary="Remove a lesson's attachment and its file (admins)",
    )
    def delete(self, request, attachment_id):
        services.remove_attachment(request.user, attachment=_attachment_or_404(attachment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
