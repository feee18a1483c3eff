"""Courses in the Django admin (courses/admin.py): every list loads, and writes go through
the authoring services (audit entries, soft deletes, positions)."""

import pytest
from django.urls import reverse

from community.models import AuditEntry
from courses.models import Attachment, Course, Lesson, Module, ModuleUnlock
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
)

pytestmark = pytest.mark.django_db

MODELS = ["course", "module", "lesson", "attachment", "enrollment", "lessonprogress",
          "moduleunlock"]  # fmt: skip


@pytest.fixture
def staff_client(client, admin):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


@pytest.fixture
def scenery(db):
    course = CourseFactory(title="Baking <b>")
    module = ModuleFactory(course=course)
    lesson = LessonFactory(module=module)
    enrollment = EnrollmentFactory(course=course)
    LessonProgressFactory(lesson=lesson, user=enrollment.user)
    ModuleUnlock.objects.create(module=module, user=enrollment.user, unlocked_at=course.created_at)
    Attachment.objects.create(lesson=lesson, file="courses/attachments/a.pdf", name="a.pdf",
                              content_type="application/pdf", size=3)  # fmt: skip
    return course, module, lesson


@pytest.mark.parametrize("model", MODELS)
def test_each_changelist_and_change_page_loads(staff_client, scenery, model):
    response = staff_client.get(reverse(f"admin:courses_{model}_changelist"), {"q": "a"})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 0
    response = staff_client.get(reverse(f"admin:courses_{model}_changelist"))
    assert response.context["cl"].result_count == 1
    obj = response.context["cl"].result_list[0]
    assert (
        staff_client.get(reverse(f"admin:courses_{model}_change", args=[obj.pk])).status_code == 200
    )


def test_adding_and_editing_a_course_goes_through_the_service(staff_client, admin):
    response = staff_client.post(
        reverse("admin:courses_course_add"),
        {"title": "Rye", "slug": "rye", "description": "*x*", "visibility": "members",
         "position": 0},
    )  # fmt: skip
    assert response.status_code == 302
    course = Course.objects.get()
    assert course.description_html == "<p><em>x</em></p>\n" and course.created_by == admin
    assert AuditEntry.objects.filter(action="courses.create").count() == 1
    response = staff_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        {"title": "Rye", "slug": "manage", "description": "", "visibility": "members",
         "position": 0},
    )  # fmt: skip
    assert response.status_code == 200 and "reserved" in response.content.decode()
    assert Course.objects.get().slug == "rye"


def test_course_actions_publish_unpublish_and_soft_delete(staff_client):
    course = CourseFactory(draft=True)
    changelist = reverse("admin:courses_course_changelist")
    staff_client.post(changelist, {"action": "publish", "_selected_action": [course.pk]})
    assert Course.objects.get().is_published
    staff_client.post(changelist, {"action": "unpublish", "_selected_action": [course.pk]})
    assert not Course.objects.get().is_published
    staff_client.post(changelist, {"action": "soft_delete", "_selected_action": [course.pk]})
    assert Course.objects.get().deleted_at is not None  # kept, hidden
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "courses.publish", "courses.unpublish", "courses.delete",
    ]  # fmt: skip
    other = CourseFactory()
    staff_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
    )
    assert Course.objects.get(pk=other.pk).deleted_at is not None  # Django's delete: soft


def test_modules_and_lessons_are_added_and_soft_deleted_through_the_services(staff_client):
    course = CourseFactory()
    ModuleFactory(course=course, position=0)
    response = staff_client.post(
        reverse("admin:courses_module_add"), {"course": course.pk, "title": "Two"}
    )
    assert response.status_code == 302
    module = Module.objects.get(title="Two")
    assert module.position == 1
    response = staff_client.post(
        reverse("admin:courses_lesson_add"),
        {"module": module.pk, "title": "L", "content": "", "video_url": "https://x.example/v"},
    )
    assert response.status_code == 200 and "YouTube or Vimeo" in response.content.decode()
    staff_client.post(
        reverse("admin:courses_lesson_add"),
        {"module": module.pk, "title": "L", "content": "**b**", "video_url": ""},
    )
    lesson = Lesson.objects.get()
    assert lesson.course == course and lesson.content_html == "<p><strong>b</strong></p>\n"
    staff_client.post(
        reverse("admin:courses_module_changelist"),
        {"action": "soft_delete", "_selected_action": [module.pk]},
    )
    assert Module.objects.get(pk=module.pk).deleted_at is not None
    response = staff_client.post(
        reverse("admin:courses_lesson_delete", args=[lesson.pk]), {"post": "yes"}
    )
    assert Lesson.objects.get(pk=lesson.pk).deleted_at is not None
    written = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"courses.module_create", "courses.lesson_create", "courses.module_delete",
            "courses.lesson_delete"} <= written  # fmt: skip


def test_learning_rows_are_read_only(staff_client, scenery):
    for model in ("enrollment", "lessonprogress", "moduleunlock"):
        assert staff_client.get(reverse(f"admin:courses_{model}_add")).status_code == 403
