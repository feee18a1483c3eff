"""The admins' course pages (courses/views/manage.py): who gets them, the forms (400 with
the errors by field), the builder's buttons and its JSON reorder endpoint, lessons and
their attachments, deleting after a question, titles escaped."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from community.models import AuditEntry
from courses.models import Attachment, Course, Lesson, Module
from courses.services import authoring
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, TierFactory
from tests.helpers import assert_constant_queries

from .test_authoring_services import MP4, PDF, image_bytes

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def course(db):
    return CourseFactory(title="Baking", slug="baking")


@pytest.fixture
def outline(course):
    m0, m1 = ModuleFactory(course=course, position=0), ModuleFactory(course=course, position=1)
    lessons = [LessonFactory(module=m0, position=0), LessonFactory(module=m0, position=1),
               LessonFactory(module=m1, position=0)]  # fmt: skip
    return [m0, m1], lessons


def order_of(course):
    return authoring.current_order(course)


def url(name, *args):
    return reverse(f"courses:{name}", args=args)


# --- Who gets the pages -----------------------------------------------------------------------


def _pages(course, module, lesson, attachment):
    gets = [
        url("manage_courses"), url("manage_new_course"), url("manage_course", course.pk),
        url("manage_edit_course", course.pk), url("manage_delete_course", course.pk),
        url("manage_edit_module", module.pk), url("manage_delete_module", module.pk),
        url("manage_edit_lesson", lesson.pk), url("manage_delete_lesson", lesson.pk),
    ]  # fmt: skip
    posts = [
        url("manage_publish_course", course.pk), url("manage_reorder_course", course.pk),
        url("manage_new_module", course.pk), url("manage_move_module", module.pk),
        url("manage_new_lesson", module.pk), url("manage_move_lesson", lesson.pk),
        url("manage_add_attachment", lesson.pk), url("manage_remove_attachment", attachment.pk),
    ]  # fmt: skip
    return gets, posts


@pytest.mark.parametrize("persona", ["anonymous", "member", "paid_member", "moderator"])
def test_everyone_but_admins_gets_a_403(request, client, persona, course):
    user = request.getfixturevalue(persona)
    if persona != "anonymous":
        client.force_login(user)
    module = ModuleFactory(course=course)
    lesson = LessonFactory(module=module)
    attachment = Attachment.objects.create(
        lesson=lesson, file="courses/attachments/x.pdf", name="x.pdf", content_type=PDF, size=1
    )
    gets, posts = _pages(course, module, lesson, attachment)
    for page in gets:
        assert client.get(page).status_code == 403, page
    for page in gets + posts:
        assert client.post(page, {"confirm": "yes", "direction": "up"}).status_code == 403, page
    assert AuditEntry.objects.count() == 0
    assert Course.objects.alive().filter(pk=course.pk).exists()


def test_missing_and_deleted_things_are_404(admin_client, course):
    gone = CourseFactory(deleted_at="2020-01-01T00:00Z")
    assert admin_client.get(url("manage_course", gone.pk)).status_code == 404
    assert admin_client.get(url("manage_edit_lesson", 999_999)).status_code == 404
    module = ModuleFactory(course=course, deleted_at="2020-01-01T00:00Z")
    assert admin_client.get(url("manage_edit_module", module.pk)).status_code == 404


# --- The list and the course form -------------------------------------------------------------


def test_the_list_shows_drafts_and_published_courses_with_counts(admin_client, outline, course):
    CourseFactory(title=XSS, draft=True)
    CourseFactory(title="Gone", deleted_at="2020-01-01T00:00Z")
    response = admin_client.get(url("manage_courses"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Baking" in page and "Gone" not in page
    assert XSS not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Draft" in page and "Published" in page
    row = next(c for c in response.context["courses"] if c.pk == course.pk)
    assert (row.module_total, row.lesson_total) == (2, 3)


def test_the_list_costs_the_same_for_more_courses(admin_client):
    for _ in range(3):
        CourseFactory()
    # Session and user (2), the courses with their counts and tier (1), the sidebar (a few).
    assert_constant_queries(
        lambda: admin_client.get(url("manage_courses")),
        grow=lambda: [CourseFactory(paid=True) for _ in range(6)],
        bound=12,
        warm_up=True,
    )


def test_an_admin_creates_a_course(admin_client, admin):
    response = admin_client.post(
        url("manage_new_course"),
        {"title": "Bread", "description": "**Yes**", "visibility": "members", "position": 2,
         "thumbnail": SimpleUploadedFile("t.png", image_bytes("PNG"))},
    )  # fmt: skip
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == url("manage_course", course.pk)
    assert (course.slug, course.position, course.published_at) == ("bread", 2, None)
    assert course.thumbnail and course.description_html == "<p><strong>Yes</strong></p>\n"
    assert AuditEntry.objects.filter(action="courses.create", actor=admin).exists()


def test_a_course_form_with_errors_answers_400_by_field(admin_client, course):
    response = admin_client.post(
        url("manage_new_course"),
        {"title": "", "slug": "baking", "visibility": "paid", "position": 0,
         "thumbnail": SimpleUploadedFile("t.png", PDF)},
    )  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "thumbnail" in errors
    assert Course.objects.count() == 1
    response = admin_client.post(
        url("manage_new_course"),
        {"title": "", "slug": "baking", "visibility": "paid", "position": 0},
    )
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert set(errors) == {"title", "slug", "required_tier"}
    assert "Nothing was saved" in response.content.decode()


def test_editing_saves_only_what_changed_and_refuses_by_field(admin_client, course):
    tier = TierFactory()
    data = {"title": "Sourdough", "slug": "baking", "description": course.description,
            "visibility": "paid", "required_tier": tier.pk, "position": 0}  # fmt: skip
    response = admin_client.post(url("manage_edit_course", course.pk), data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.required_tier) == ("Sourdough", tier)
    assert (
        AuditEntry.objects.get(action="courses.update").reason == "required_tier, title, visibility"
    )

    response = admin_client.post(url("manage_edit_course", course.pk), data | {"required_tier": ""})
    assert response.status_code == 400
    assert "required_tier" in response.context["form"].errors
    assert Course.objects.get(pk=course.pk).visibility == "paid"


def test_publish_and_unpublish_buttons(admin_client):
    course = CourseFactory(draft=True)
    assert (
        admin_client.post(url("manage_publish_course", course.pk), {"publish": "yes"}).status_code
        == 302
    )
    assert Course.objects.get(pk=course.pk).is_published
    admin_client.post(url("manage_publish_course", course.pk), {"publish": "no"})
    assert not Course.objects.get(pk=course.pk).is_published
    assert admin_client.get(url("manage_publish_course", course.pk)).status_code == 405


def test_deleting_a_course_asks_first(admin_client, course):
    response = admin_client.post(url("manage_delete_course", course.pk))
    assert response.status_code == 200 and "Delete the course" in response.content.decode()
    assert Course.objects.get(pk=course.pk).deleted_at is None
    response = admin_client.post(url("manage_delete_course", course.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert Course.objects.get(pk=course.pk).deleted_at is not None


# --- The builder ------------------------------------------------------------------------------


def test_the_builder_shows_the_outline_in_order_with_escaped_titles(admin_client, outline, course):
    (m0, m1), (a, b, c) = outline
    Lesson.objects.filter(pk=b.pk).update(title=XSS)
    response = admin_client.get(url("manage_course", course.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert XSS not in page
    positions = [page.index(f'id="{anchor}"') for anchor in
                 (f"module-{m0.pk}", f"lesson-{a.pk}", f"lesson-{b.pk}", f"module-{m1.pk}",
                  f"lesson-{c.pk}")]  # fmt: skip
    assert positions == sorted(positions)
    assert f'data-order-url="{url("manage_reorder_course", course.pk)}"' in page


def test_the_view_as_member_link_shows_once_the_course_page_exists(admin_client, course):
    page = admin_client.get(url("manage_course", course.pk)).content.decode()
    try:
        member_url = reverse("courses:course", args=[course.slug])
    except NoReverseMatch:
        assert "View as member" not in page
    else:
        assert f'href="{member_url}"' in page and "View as member" in page


def test_the_builder_costs_the_same_for_a_bigger_course(admin_client, course):
    def grow(n):
        for _ in range(n):
            module = ModuleFactory(course=course)
            for _ in range(3):
                LessonFactory(module=module)

    grow(2)
    # Session and user (2), the course (1), the modules (1), their lessons with attachment
    # counts (1), the sidebar (a few).
    assert_constant_queries(
        lambda: admin_client.get(url("manage_course", course.pk)),
        grow=lambda: grow(4),
        bound=12,
        warm_up=True,
    )


def test_adding_a_module_and_a_lesson(admin_client, course):
    response = admin_client.post(
        url("manage_new_module", course.pk),
        {"module-title": "Start", "module-drip": "days", "module-drip_days": "3"},
    )
    module = Module.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#module-{module.pk}")
    assert module.drip_days == 3
    response = admin_client.post(url("manage_new_lesson", module.pk), {"lesson-title": "First"})
    lesson = Lesson.objects.get()
    assert response["Location"] == url("manage_edit_lesson", lesson.pk)
    assert lesson.course == course


def test_inline_forms_with_errors_answer_400(admin_client, course):
    response = admin_client.post(
        url("manage_new_module", course.pk), {"module-title": "X", "module-drip": "days"}
    )
    assert response.status_code == 400
    assert "drip_days" in response.context["module_form"].errors
    response = admin_client.post(
        url("manage_new_module", course.pk), {"module-title": " ", "module-drip": "none"}
    )
    assert response.status_code == 400 and "title" in response.context["module_form"].errors
    module = ModuleFactory(course=course)
    response = admin_client.post(url("manage_new_lesson", module.pk), {"lesson-title": ""})
    assert response.status_code == 400
    assert "title" in response.context["lesson_form"].errors
    assert 'id="new-lesson-' in response.content.decode()
    assert not Module.objects.exclude(pk=module.pk).exists() and not Lesson.objects.exists()


def test_the_arrows_move_modules_and_lessons(admin_client, outline, course):
    (m0, m1), (a, b, c) = outline
    response = admin_client.post(url("manage_move_module", m1.pk), {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#module-{m1.pk}")
    assert [m["id"] for m in order_of(course)] == [m1.pk, m0.pk]
    admin_client.post(url("manage_move_lesson", a.pk), {"direction": "up"})
    assert order_of(course) == [{"id": m1.pk, "lessons": [c.pk, a.pk]},
                                {"id": m0.pk, "lessons": [b.pk]}]  # fmt: skip
    response = admin_client.post(
        url("manage_move_lesson", a.pk), {"direction": "left"}, follow=True
    )
    assert "Move “up” or “down”." in response.content.decode()


def post_json(client, course, body):
    return client.post(
        url("manage_reorder_course", course.pk),
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )


def test_the_drag_and_drop_endpoint_saves_the_whole_order(admin_client, outline, course):
    (m0, m1), (a, b, c) = outline
    new = [{"id": m1.pk, "lessons": [b.pk, c.pk]}, {"id": m0.pk, "lessons": [a.pk]}]
    response = post_json(admin_client, course, {"modules": new})
    assert response.status_code == 200
    assert response.json() == {"modules": new}
    assert order_of(course) == new


def test_the_drag_and_drop_endpoint_answers_json_errors(admin_client, outline, course):
    (m0, m1), (a, _b, _c) = outline
    before = order_of(course)
    response = post_json(admin_client, course, {"modules": [{"id": m0.pk, "lessons": [a.pk]}]})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["modules"] == before
    assert any(f"Module {m1.pk} is missing" in m for m in body["errors"]["modules"])
    for bad in ("not json", "[]", '{"order": []}'):
        response = post_json(admin_client, course, bad)
        assert response.status_code == 400 and "modules" in response.json()["errors"]
    assert order_of(course) == before


# --- Modules and lessons ----------------------------------------------------------------------


def test_editing_a_module_and_its_drip(admin_client, course):
    module = ModuleFactory(course=course, drip_days=3)
    page = admin_client.get(url("manage_edit_module", module.pk))
    assert page.status_code == 200 and page.context["form"].initial["drip"] == "days"
    response = admin_client.post(
        url("manage_edit_module", module.pk),
        {"title": "Later", "drip": "date", "drip_days": "3", "drip_date": "2031-02-03"},
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert (module.title, module.drip_days, str(module.drip_date)) == ("Later", None, "2031-02-03")
    response = admin_client.post(
        url("manage_edit_module", module.pk), {"title": "", "drip": "none"}
    )
    assert response.status_code == 400 and "title" in response.context["form"].errors


def test_editing_a_lesson(admin_client, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    assert admin_client.get(url("manage_edit_lesson", lesson.pk)).status_code == 200
    response = admin_client.post(
        url("manage_edit_lesson", lesson.pk),
        {
            "title": "Knead",
            "content": f"# Step\n\n{XSS}",
            "video_url": "https://youtu.be/dQw4w9WgXcQ",
        },
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.title == "Knead" and "<script" not in lesson.content_html
    assert lesson.video_embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def test_a_lesson_form_with_errors_answers_400_by_field(admin_client, course):
    lesson = LessonFactory(module=ModuleFactory(course=course), title="Keep")
    response = admin_client.post(
        url("manage_edit_lesson", lesson.pk),
        {"title": "Other", "content": "", "video_url": "https://example.com/v.mp4"},
    )
    assert response.status_code == 400
    assert "YouTube or Vimeo" in response.context["form"].errors["video_url"][0]
    assert Lesson.objects.get(pk=lesson.pk).title == "Keep"
    response = admin_client.post(
        url("manage_edit_lesson", lesson.pk),
        {"title": "Keep", "video_file": SimpleUploadedFile("v.mp4", PDF)},
    )
    assert response.status_code == 400 and "video_file" in response.context["form"].errors


def test_uploading_and_removing_a_lesson_video(admin_client, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    data = {"title": lesson.title, "content": lesson.content, "video_url": ""}
    response = admin_client.post(
        url("manage_edit_lesson", lesson.pk),
        data | {"video_file": SimpleUploadedFile("v.mp4", MP4)},
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.video_file.name.endswith(".mp4")
    page = admin_client.get(url("manage_edit_lesson", lesson.pk)).content.decode()
    assert "Remove the uploaded video" in page
    admin_client.post(url("manage_edit_lesson", lesson.pk), data | {"remove_video": "on"})
    lesson.refresh_from_db()
    assert not lesson.video_file


def test_attachments_are_added_and_removed(admin_client, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    response = admin_client.post(
        url("manage_add_attachment", lesson.pk), {"upload": SimpleUploadedFile("Notes.PDF", PDF)}
    )
    assert response.status_code == 302 and response["Location"].endswith("#files")
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("Notes.pdf", "application/pdf")
    page = admin_client.get(url("manage_edit_lesson", lesson.pk)).content.decode()
    assert "Notes.pdf" in page
    response = admin_client.post(url("manage_remove_attachment", attachment.pk))
    assert response.status_code == 302 and not Attachment.objects.exists()


def test_a_refused_attachment_answers_400_by_field(admin_client, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    exe = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 300, "application/pdf")
    response = admin_client.post(url("manage_add_attachment", lesson.pk), {"upload": exe})
    assert response.status_code == 400
    assert "not accepted" in response.context["attachment_form"].errors["upload"][0]
    response = admin_client.post(url("manage_add_attachment", lesson.pk), {})
    assert response.status_code == 400 and "upload" in response.context["attachment_form"].errors
    assert not Attachment.objects.exists()


def test_deleting_a_module_and_a_lesson_asks_first(admin_client, outline, course):
    (m0, m1), (a, b, _c) = outline
    page = admin_client.get(url("manage_delete_lesson", a.pk))
    assert page.status_code == 200 and "Delete the lesson" in page.content.decode()
    assert (
        admin_client.post(url("manage_delete_lesson", a.pk), {"confirm": "yes"}).status_code == 302
    )
    assert admin_client.post(url("manage_delete_module", m1.pk)).status_code == 200
    assert Module.objects.get(pk=m1.pk).deleted_at is None
    admin_client.post(url("manage_delete_module", m1.pk), {"confirm": "yes"})
    assert order_of(course) == [{"id": m0.pk, "lessons": [b.pk]}]


def test_the_sidebar_links_admins_to_the_course_pages(admin_client, member):
    link = f'href="{url("manage_courses")}"'
    assert link in admin_client.get(url("manage_courses")).content.decode()
    member_client = Client()
    member_client.force_login(member)
    assert link not in member_client.get("/").content.decode()
