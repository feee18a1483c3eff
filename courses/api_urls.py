"""The courses API, under /api/v1/ (config/urls.py mounts it before the JSON 404 for every
other path under /api/). A course is addressed by its slug, as its page is; modules,
lessons, attachments and enrollments by id. Where members and admins share a path (the
catalog and creating, a course or lesson and editing it), the view is the admins' one,
which extends the members' reads."""

from django.urls import path

from .api import authoring, learning

urlpatterns = [
    # Members (and admins: drafts, never locked out)
    path("courses/", authoring.CourseListView.as_view(), name="api-courses"),
    path("courses/<slug:slug>/", authoring.CourseDetailView.as_view(), name="api-course"),
    path("courses/<slug:slug>/enroll/", learning.EnrollView.as_view(), name="api-course-enroll"),
    path("lessons/<int:lesson_id>/", authoring.LessonDetailView.as_view(), name="api-lesson"),
    path(
        "lessons/<int:lesson_id>/complete/",
        learning.LessonCompleteView.as_view(),
        name="api-lesson-complete",
    ),
    path(
        "lessons/<int:lesson_id>/video/",
        learning.LessonVideoView.as_view(),
        name="api-lesson-video",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        learning.AttachmentDownloadView.as_view(),
        name="api-attachment-download",
    ),
    path("me/enrollments/", learning.MyEnrollmentListView.as_view(), name="api-my-enrollments"),
    # Admins
    path(
        "courses/<slug:slug>/publish/",
        authoring.CoursePublishView.as_view(),
        name="api-course-publish",
    ),
    path(
        "courses/<slug:slug>/unpublish/",
        authoring.CourseUnpublishView.as_view(),
        name="api-course-unpublish",
    ),
    path(
        "courses/<slug:slug>/order/", authoring.CourseOrderView.as_view(), name="api-course-order"
    ),
    path(
        "courses/<slug:slug>/modules/",
        authoring.CourseModuleListView.as_view(),
        name="api-course-modules",
    ),
    path(
        "courses/<slug:slug>/enrollments/",
        authoring.CourseEnrollmentListView.as_view(),
        name="api-course-enrollments",
    ),
    path(
        "enrollments/<int:enrollment_id>/release/",
        authoring.EnrollmentReleaseView.as_view(),
        name="api-enrollment-release",
    ),
    path("modules/<int:module_id>/", authoring.ModuleDetailView.as_view(), name="api-module"),
    path(
        "modules/<int:module_id>/lessons/",
        authoring.ModuleLessonListView.as_view(),
        name="api-module-lessons",
    ),
    path(
        "lessons/<int:lesson_id>/attachments/",
        authoring.LessonAttachmentListView.as_view(),
        name="api-lesson-attachments",
    ),
    path(
        "attachments/<int:attachment_id>/",
        authoring.AttachmentDetailView.as_view(),
        name="api-attachment",
    ),
]
