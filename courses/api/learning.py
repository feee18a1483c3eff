"""What members do over the API: the catalog, a course's outline with their progress and
drip state, enrolling, reading a lesson (which counts as opening it, for “resume”),
completing it and downloading its files. The same selectors, services and access rules as
the course pages; a lesson still locked by drip answers 403 `lesson_locked` with
`opens_at`."""

import mimetypes

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from community.api.toolkit import (
    PageQuerySerializer,
    cursor_page_serializer,
    page_query,
    page_response,
)

from .. import access
from ..files import private_file_response
from ..selectors import learning as selectors
from ..services import learning as services
from .base import LOCKED, CoursesView
from .serializers import (
    CourseDetailSerializer,
    CourseSerializer,
    EnrollmentSerializer,
    LessonCompletionSerializer,
    LessonSerializer,
    progress_data,
)

FILE = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY,
        description="The file's bytes, with its type and name (Content-Disposition).",
    ),
    302: OpenApiResponse(description="On S3: a redirect to a signed link that expires in minutes."),
    403: LOCKED,
}


# --- Lookups (404 for what the member may not see) -------------------------------------------


def course_or_404(user, slug):
    """The course the member may see or preview (`is_locked`), else a 404."""
    course = selectors.course_by_slug(user, slug)
    if course is None:
        raise Http404("No such course.")
    return course


def lesson_or_404(lesson_id):
    lesson = selectors.lesson_with_course(lesson_id)
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def check_can_open(user, lesson):
    """Http404 or LessonLocked unless the member may open `lesson`; returns their
    enrollment in its course (or None)."""
    enrollment = selectors.enrollments_by_course(user, [lesson.course_id]).get(lesson.course_id)
    access.check_can_open_lesson(user, lesson, enrollment)
    return enrollment


# --- Answers ----------------------------------------------------------------------------------


def course_detail_response(request, course, code=status.HTTP_200_OK):
    """The course with its outline (none for a preview of a locked paid course) and the
    member's progress: the outline's four queries whatever the course's size (a preview:
    the progress's two)."""
    if course.is_locked:
        selectors.with_progress(request.user, [course])
        course.outline_modules, course.resume_lesson_id = [], None
    else:
        outline = selectors.outline(request.user, course)
        course.enrollment = outline.enrollment
        course.completed, course.percent = outline.completed, outline.percent
        course.outline_modules = outline.modules
        resume = outline.resume_lesson()
        course.resume_lesson_id = resume.pk if resume else None
    return Response(CourseDetailSerializer(course).data, status=code)


def completion_response(request, lesson):
    outline = selectors.outline(request.user, lesson.course)
    done = any(each.pk == lesson.pk and each.completed for each in outline.lessons)
    progress = progress_data(outline.enrollment, completed=outline.completed,
                             percent=outline.percent)  # fmt: skip
    data = {"lesson_id": lesson.pk, "completed": done, "progress": progress}
    return Response(LessonCompletionSerializer(data).data)


# --- Views ------------------------------------------------------------------------------------


class CatalogView(CoursesView):
    @extend_schema(
        operation_id="courses_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(CourseSerializer),
        summary="The courses you may open or buy (is_locked), in the admins' order, with your "
        "progress; admins see drafts too",
    )
    def get(self, request):
        page = selectors.catalog(request.user, **page_query(request))
        return page_response(request, page, CourseSerializer)


class CourseDetailView(CoursesView):
    @extend_schema(
        operation_id="courses_retrieve",
        responses=CourseDetailSerializer,
        summary="A course with its modules and lessons, your progress and drip state, and "
        "where “resume” leads",
    )
    def get(self, request, slug):
        return course_detail_response(request, course_or_404(request.user, slug))


class EnrollView(CoursesView):
    @extend_schema(
        operation_id="courses_enroll",
        request=None,
        responses={201: EnrollmentSerializer, 200: EnrollmentSerializer},
        summary="Enroll in a course (201); enrolled already: 200, nothing changes",
    )
    def post(self, request, slug):
        course = course_or_404(request.user, slug)
        if course.is_locked:
            raise PermissionDenied(
                f"This course needs the “{course.required_tier.name}” tier: its plans are at "
                "GET /api/v1/payments/plans/."
            )
        enrollment, created = services.enroll(request.user, course=course)
        selectors.with_progress(request.user, [course])
        enrollment.course = course
        enrollment.completed, enrollment.percent = course.completed, course.percent
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(EnrollmentSerializer(enrollment).data, status=code)


class LessonDetailView(CoursesView):
    @extend_schema(
        operation_id="lessons_retrieve",
        responses={200: LessonSerializer, 403: LOCKED},
        summary="A lesson to read, with its video, attachments and neighbours (counts as "
        "opening it, for “resume”)",
    )
    def get(self, request, lesson_id):
        lesson = lesson_or_404(lesson_id)
        enrollment = check_can_open(request.user, lesson)
        services.record_lesson_opened(request.user, lesson=lesson, enrollment=enrollment)
        outline = selectors.outline(request.user, lesson.course)
        current = next(each for each in outline.lessons if each.pk == lesson.pk)
        previous, following = outline.neighbours(current)
        current.attachment_list = selectors.attachments(current)
        current.previous_id = previous.pk if previous else None
        current.next_id = following.pk if following else None
        return Response(LessonSerializer(current).data)


class LessonCompleteView(CoursesView):
    @extend_schema(
        operation_id="lessons_complete",
        request=None,
        responses={200: LessonCompletionSerializer, 403: LOCKED},
        summary="Mark a lesson completed (enrolling you first if you were not); completing "
        "the last one completes the course",
    )
    def post(self, request, lesson_id):
        lesson = lesson_or_404(lesson_id)
        services.complete_lesson(request.user, lesson=lesson)
        return completion_response(request, lesson)

    @extend_schema(
        operation_id="lessons_uncomplete",
        request=None,
        responses={200: LessonCompletionSerializer, 403: LOCKED},
        summary="Mark a lesson not completed (the course is then not completed either)",
    )
    def delete(self, request, lesson_id):
        lesson = lesson_or_404(lesson_id)
        services.uncomplete_lesson(request.user, lesson=lesson)
        return completion_response(request, lesson)


class AttachmentDownloadView(CoursesView):
    @extend_schema(
        operation_id="attachments_download",
        responses=FILE,
        summary="Download a lesson's attachment (for whoever may open the lesson)",
    )
    def get(self, request, attachment_id):
        attachment = selectors.attachment_with_lesson(attachment_id)
        if attachment is None:
            raise Http404("No such attachment.")
        check_can_open(request.user, attachment.lesson)
        return private_file_response(
            attachment.file, filename=attachment.name, content_type=attachment.content_type
        )


class LessonVideoView(CoursesView):
    @extend_schema(
        operation_id="lessons_video",
        responses=FILE,
        summary="Play a lesson's uploaded video (for whoever may open the lesson)",
    )
    def get(self, request, lesson_id):
        lesson = lesson_or_404(lesson_id)
        check_can_open(request.user, lesson)
        if not lesson.video_file:
            raise Http404("This lesson has no uploaded video.")
        name = lesson.video_file.name.rsplit("/", 1)[-1]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return private_file_response(
            lesson.video_file, filename=name, content_type=content_type, inline=True
        )


class MyEnrollmentListView(CoursesView):
    @extend_schema(
        operation_id="my_enrollments_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(EnrollmentSerializer),
        summary="Your enrollments in courses you may see, newest first, with your progress",
    )
    def get(self, request):
        page = selectors.member_enrollments(request.user, **page_query(request))
        return page_response(request, page, EnrollmentSerializer)
