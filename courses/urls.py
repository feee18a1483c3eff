from django.urls import path

from .views import enrollments, learning, manage

app_name = "courses"

urlpatterns = [
    # admin pages (views/manage.py)
    path("courses/manage/", manage.manage_courses, name="manage_courses"),
    path("courses/manage/new/", manage.manage_new_course, name="manage_new_course"),
    path("courses/manage/<int:course_id>/", manage.manage_course, name="manage_course"),
    path(
        "courses/manage/<int:course_id>/edit/", manage.manage_edit_course, name="manage_edit_course"
    ),
    path(
        "courses/manage/<int:course_id>/publish/",
        manage.manage_publish_course,
        name="manage_publish_course",
    ),
    path(
        "courses/manage/<int:course_id>/delete/",
        manage.manage_delete_course,
        name="manage_delete_course",
    ),
    path(
        "courses/manage/<int:course_id>/order/",
        manage.manage_reorder_course,
        name="manage_reorder_course",
    ),
    path(
        "courses/manage/<int:course_id>/modules/new/",
        manage.manage_new_module,
        name="manage_new_module",
    ),
    path(
        "courses/manage/modules/<int:module_id>/edit/",
        manage.manage_edit_module,
        name="manage_edit_module",
    ),
    path(
        "courses/manage/modules/<int:module_id>/move/",
        manage.manage_move_module,
        name="manage_move_module",
    ),
    path(
        "courses/manage/modules/<int:module_id>/delete/",
        manage.manage_delete_module,
        name="manage_delete_module",
    ),
    path(
        "courses/manage/modules/<int:module_id>/lessons/new/",
        manage.manage_new_lesson,
        name="manage_new_lesson",
    ),
    path(
        "courses/manage/lessons/<int:lesson_id>/",
        manage.manage_edit_lesson,
        name="manage_edit_lesson",
    ),
    path(
        "courses/manage/lessons/<int:lesson_id>/move/",
        manage.manage_move_lesson,
        name="manage_move_lesson",
    ),
    path(
        "courses/manage/lessons/<int:lesson_id>/delete/",
        manage.manage_delete_lesson,
        name="manage_delete_lesson",
    ),
    path(
        "courses/manage/lessons/<int:lesson_id>/attachments/",
        manage.manage_add_attachment,
        name="manage_add_attachment",
    ),
    path(
        "courses/manage/attachments/<int:attachment_id>/remove/",
        manage.manage_remove_attachment,
        name="manage_remove_attachment",
    ),
    path(
        "courses/manage/<int:course_id>/members/",
        enrollments.manage_members,
        name="manage_members",
    ),
    path(
        "courses/manage/<int:course_id>/members/<int:enrollment_id>/release/",
        enrollments.manage_release,
        name="manage_release",
    ),
    # (end of admin pages)
    # member pages (views/learning.py), after the admin pages so that "manage" (a slug
    # authoring reserves) never reaches the course page
    path("courses/", learning.catalog, name="catalog"),
    path("courses/attachments/<int:attachment_id>/", learning.attachment, name="attachment"),
    path("courses/<slug:slug>/", learning.course, name="course"),
    path("courses/<slug:slug>/outline/", learning.course_outline, name="course_outline"),
    path("courses/<slug:slug>/enroll/", learning.enroll, name="enroll"),
    path("courses/<slug:slug>/resume/", learning.resume, name="resume"),
    path("courses/<slug:slug>/lessons/<int:lesson_id>/", learning.lesson, name="lesson"),
    path(
        "courses/<slug:slug>/lessons/<int:lesson_id>/complete/",
        learning.complete,
        name="lesson_complete",
    ),
    path(
        "courses/<slug:slug>/lessons/<int:lesson_id>/incomplete/",
        learning.uncomplete,
        name="lesson_uncomplete",
    ),
    path(
        "courses/<slug:slug>/lessons/<int:lesson_id>/video/",
        learning.lesson_video,
        name="lesson_video",
    ),
    # (end of member pages)
]
