"""The admins' courses API (courses/api/authoring.py): creating and editing courses,
modules, lessons and attachments, the whole order of a course in one request, who is
enrolled; refusals (non-admins, unknown fields, bad order, bad files) with nothing changed;
and every courses operation answering as the OpenAPI schema documents."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from community.models import AuditEntry
from courses.models import Attachment, Course, Enrollment, Lesson, Module
from courses.services import authoring
from tests.community.test_api_schema import load_schema
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    UserFactory,
)
from tests.helpers import api_as

from .test_api_learning import PDF, build_course, lessons_of, token_client

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def png(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def order_of(course):
    return authoring.current_order(course)


# --- Courses -------------------------------------------------------------------------------


def test_an_admin_creates_a_draft_with_a_thumbnail_then_publishes_it(admin, member):
    client = token_client(admin)
    response = client.post(
        "/api/v1/courses/",
        {"title": "Watercolour", "visibility": "members", "description": "**Paint**",
         "thumbnail": png()},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "watercolour" and body["published"] is False
    assert body["description_html"].strip() == "<p><strong>Paint</strong></p>"
    assert body["thumbnail_url"].startswith("/media/courses/thumbnails/")
    assert api_as(member).get("/api/v1/courses/watercolour/").status_code == 404  # a draft

    published = client.post("/api/v1/courses/watercolour/publish/")
    assert published.status_code == 200 and published.json()["published"] is True
    assert api_as(member).get("/api/v1/courses/watercolour/").status_code == 200
    assert client.post("/api/v1/courses/watercolour/unpublish/").json()["published"] is False


def test_an_admin_edits_and_deletes_a_course(admin, pro):
    course = CourseFactory(slug="old")
    client = api_as(admin)
    response = client.patch(
        "/api/v1/courses/old/",
        {"slug": "new", "visibility": "paid", "required_tier": "pro"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["slug"], response.json()["required_tier"]) == ("new", "pro")
    assert client.delete("/api/v1/courses/new/").status_code == 204
    course.refresh_from_db()
    assert course.deleted_at is not None
    assert client.get("/api/v1/courses/new/").status_code == 404


def test_a_paid_course_without_a_tier_is_refused_by_field(admin):
    response = api_as(admin).post(
        "/api/v1/courses/", {"title": "X", "visibility": "paid"}, format="json"
    )
    assert response.status_code == 400 and "required_tier" in response.json()["fields"]
    assert not Course.objects.exists()


def test_a_thumbnail_that_is_not_an_image_is_a_400_naming_it(admin):
    fake = SimpleUploadedFile("x.png", PDF, content_type="image/png")
    response = api_as(admin).post(
        "/api/v1/courses/", {"title": "X", "visibility": "members", "thumbnail": fake},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400 and list(response.json()["fields"]) == ["thumbnail"]
    assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/courses/", {"title": "X", "visibility": "members", "draft": True}),
        ("patch", "/api/v1/courses/{slug}/", {"name": "X"}),
        ("post", "/api/v1/courses/{slug}/modules/", {"title": "M", "drip": 3}),
        ("patch", "/api/v1/modules/{module}/", {"tilte": "M"}),
        ("post", "/api/v1/modules/{module}/lessons/", {"title": "L", "body": "x"}),
        ("patch", "/api/v1/lessons/{lesson}/", {"video": "x"}),
        ("put", "/api/v1/courses/{slug}/order/", {"modules": [], "lessons": []}),
    ],
)
def test_every_write_refuses_unknown_fields(admin, method, path, body):
    course = build_course(modules=1, lessons=1)
    module, lesson = course.modules.get(), course.lessons.get()
    url = path.format(slug=course.slug, module=module.pk, lesson=lesson.pk)
    response = getattr(api_as(admin), method)(url, body, format="json")
    assert response.status_code == 400
    known = {"title", "visibility", "modules"}
    (unknown,) = set(body) - known
    assert list(response.json()["fields"]) == [unknown]
    assert response.json()["fields"][unknown][0].startswith(f"Unknown field “{unknown}”.")


def test_members_may_not_author(member):
    course = build_course(modules=1, lessons=1)
    module, lesson = course.modules.get(), course.lessons.get()
    attachment = Attachment.objects.create(
        lesson=lesson, file=SimpleUploadedFile("a.pdf", PDF), name="a.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    enrollment = EnrollmentFactory(course=course)
    client = token_client(member)
    s = course.slug
    calls = [
        ("post", "/api/v1/courses/", {"title": "X", "visibility": "members"}),
        ("patch", f"/api/v1/courses/{s}/", {"title": "Mine"}),
        ("delete", f"/api/v1/courses/{s}/", None),
        ("post", f"/api/v1/courses/{s}/publish/", None),
        ("post", f"/api/v1/courses/{s}/unpublish/", None),
        ("get", f"/api/v1/courses/{s}/order/", None),
        ("put", f"/api/v1/courses/{s}/order/", {"modules": order_of(course)}),
        ("post", f"/api/v1/courses/{s}/modules/", {"title": "M"}),
        ("get", f"/api/v1/courses/{s}/enrollments/", None),
        ("post", f"/api/v1/enrollments/{enrollment.pk}/release/", None),
        ("patch", f"/api/v1/modules/{module.pk}/", {"title": "M"}),
        ("delete", f"/api/v1/modules/{module.pk}/", None),
        ("post", f"/api/v1/modules/{module.pk}/lessons/", {"title": "L"}),
        ("patch", f"/api/v1/lessons/{lesson.pk}/", {"title": "L"}),
        ("delete", f"/api/v1/lessons/{lesson.pk}/", None),
        ("delete", f"/api/v1/attachments/{attachment.pk}/", None),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 403, (method, url, response.content)
        assert response.json()["code"] == "permission_denied"
    upload = client.post(
        f"/api/v1/lessons/{lesson.pk}/attachments/",
        {"file": SimpleUploadedFile("n.pdf", PDF)},
        format="multipart",
    )
    assert upload.status_code == 403
    assert Course.objects.count() == 1 and Module.objects.count() == 1
    assert Lesson.objects.alive().count() == 1 and Attachment.objects.count() == 1
    assert Course.objects.get().title != "Mine" and not AuditEntry.objects.exists()


# --- Modules and lessons -------------------------------------------------------------------


def test_an_admin_builds_modules_and_lessons(admin):
    course = CourseFactory()
    client = api_as(admin)
    module = client.post(
        f"/api/v1/courses/{course.slug}/modules/", {"title": "Basics", "drip_days": 2},
        format="json",
    )  # fmt: skip
    assert module.status_code == 201 and module.json()["drip_days"] == 2
    module_id = module.json()["id"]
    lesson = client.post(
        f"/api/v1/modules/{module_id}/lessons/",
        {"title": "Brushes", "content": "Use <script>x</script> *soft* ones",
         "video_url": "https://vimeo.com/76979871"},
        format="json",
    )  # fmt: skip
    assert lesson.status_code == 201
    body = lesson.json()
    assert "<script>" not in body["content_html"] and "<em>soft</em>" in body["content_html"]
    assert body["video_embed_url"] == "https://player.vimeo.com/video/76979871"

    edited = client.patch(
        f"/api/v1/modules/{module_id}/", {"title": "Start", "drip_days": None}, format="json"
    )
    assert edited.json()["title"] == "Start" and edited.json()["drip_days"] is None
    renamed = client.patch(f"/api/v1/lessons/{body['id']}/", {"title": "Pens"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Pens"
    bad = client.patch(
        f"/api/v1/lessons/{body['id']}/", {"video_url": "https://evil.example/v"}, format="json"
    )
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["video_url"]

    assert client.delete(f"/api/v1/lessons/{body['id']}/").status_code == 204
    assert client.delete(f"/api/v1/modules/{module_id}/").status_code == 204
    assert client.get(f"/api/v1/courses/{course.slug}/").json()["modules"] == []


def test_a_module_with_both_drip_rules_is_refused(admin):
    course = CourseFactory()
    response = api_as(admin).post(
        f"/api/v1/courses/{course.slug}/modules/",
        {"title": "M", "drip_days": 2, "drip_date": "2030-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "drip_date" in response.json()["fields"]
    assert not Module.objects.exists()


# --- The order of a course -----------------------------------------------------------------


def test_the_whole_order_is_applied_at_once_and_a_lesson_may_change_module(admin):
    course = build_course(modules=2, lessons=2)
    (first, a), (second, b) = [(entry["id"], entry["lessons"]) for entry in order_of(course)]
    client = api_as(admin)
    assert client.get(f"/api/v1/courses/{course.slug}/order/").json() == {
        "modules": order_of(course)
    }
    new = [{"id": second, "lessons": [b[1], a[0], b[0]]}, {"id": first, "lessons": [a[1]]}]
    response = client.put(f"/api/v1/courses/{course.slug}/order/", {"modules": new}, format="json")
    assert response.status_code == 200 and response.json() == {"modules": new}
    assert order_of(course) == new
    assert Lesson.objects.get(pk=a[0]).module_id == second


@pytest.mark.parametrize("mistake", ["omit_lesson", "repeat_lesson", "foreign_lesson",
                                     "omit_module", "repeat_module", "foreign_module"])  # fmt: skip
def test_a_bad_order_is_refused_and_nothing_moves(admin, mistake):
    course = build_course(modules=2, lessons=2)
    other = build_course(modules=1, lessons=1)
    before = order_of(course)
    (first, a), (second, b) = [(entry["id"], list(entry["lessons"])) for entry in before]
    foreign_module, foreign_lesson = other.modules.get().pk, other.lessons.get().pk
    modules = {
        "omit_lesson": [{"id": first, "lessons": a[1:]}, {"id": second, "lessons": b}],
        "repeat_lesson": [{"id": first, "lessons": [*a, b[0]]}, {"id": second, "lessons": b}],
        "foreign_lesson": [{"id": first, "lessons": [*a, foreign_lesson]},
                           {"id": second, "lessons": b}],
        "omit_module": [{"id": first, "lessons": [*a, *b]}],
        "repeat_module": [{"id": first, "lessons": a}, {"id": first, "lessons": b},
                          {"id": second, "lessons": []}],
        "foreign_module": [{"id": second, "lessons": b}, {"id": first, "lessons": a},
                           {"id": foreign_module, "lessons": []}],
    }[mistake]  # fmt: skip
    response = api_as(admin).put(
        f"/api/v1/courses/{course.slug}/order/", {"modules": modules}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["fields"]) == ["modules"]
    assert order_of(course) == before
    assert order_of(other) == [{"id": foreign_module, "lessons": [foreign_lesson]}]


def test_an_order_of_the_wrong_shape_is_refused(admin):
    course = build_course(modules=1, lessons=1)
    before = order_of(course)
    response = api_as(admin).put(
        f"/api/v1/courses/{course.slug}/order/", {"modules": [{"id": "x"}]}, format="json"
    )
    assert response.status_code == 400 and "modules" in response.json()["fields"]
    assert order_of(course) == before


# --- Attachments ---------------------------------------------------------------------------


def test_an_admin_attaches_a_file_members_download_then_removes_it(admin, member):
    course = build_course(modules=1, lessons=1)
    lesson = course.lessons.get()
    response = api_as(admin).post(
        f"/api/v1/lessons/{lesson.pk}/attachments/",
        {"file": SimpleUploadedFile("Notes.PDF", PDF, content_type="text/plain")},
        format="multipart",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["content_type"], body["size"]) == (
        "Notes.pdf",
        "application/pdf",
        len(PDF),
    )
    download = api_as(member).get(body["download_url"])
    assert b"".join(download.streaming_content) == PDF

    assert api_as(admin).delete(f"/api/v1/attachments/{body['id']}/").status_code == 204
    assert api_as(member).get(body["download_url"]).status_code == 404


def test_an_oversize_or_wrong_type_attachment_is_a_400_naming_file(admin, settings):
    lesson = build_course(modules=1, lessons=1).lessons.get()
    client = api_as(admin)
    url = f"/api/v1/lessons/{lesson.pk}/attachments/"
    wrong = client.post(url, {"file": SimpleUploadedFile("x.pdf", EXE)}, format="multipart")
    assert wrong.status_code == 400
    assert list(wrong.json()["fields"]) == ["file"]
    assert "not accepted" in wrong.json()["fields"]["file"][0]

    settings.COURSE_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    big = client.post(url, {"file": SimpleUploadedFile("x.pdf", PDF)}, format="multipart")
    assert big.status_code == 400 and list(big.json()["fields"]) == ["file"]
    missing = client.post(url, {}, format="multipart")
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["file"]
    assert not Attachment.objects.exists()


# --- Who is enrolled -----------------------------------------------------------------------


def test_an_admin_lists_enrollments_and_releases_a_members_modules(admin, member):
    course = build_course(modules=1, lessons=2)
    locked = ModuleFactory(course=course, position=1, drip_days=30)
    lesson = LessonFactory(module=locked)
    enrollment = EnrollmentFactory(course=course, user=member)
    client = api_as(admin)
    (row,) = client.get(f"/api/v1/courses/{course.slug}/enrollments/").json()["results"]
    assert row["member"]["id"] == member.pk and row["completed_lessons"] == 0

    assert api_as(member).get(f"/api/v1/lessons/{lesson.pk}/").status_code == 403
    released = client.post(f"/api/v1/enrollments/{enrollment.pk}/release/")
    assert released.status_code == 200 and released.json()["released_at"] is not None
    assert api_as(member).get(f"/api/v1/lessons/{lesson.pk}/").status_code == 200
    assert client.post("/api/v1/enrollments/999999/release/").status_code == 404


# --- The schema documents every courses answer ---------------------------------------------


@pytest.fixture
def courses_schema(client):
    return load_schema(client)


def test_every_courses_operation_answers_what_the_schema_documents(
    courses_schema, admin, member, pro
):
    """tests/community/test_api_schema.py calls community's operations; these are the ones
    tagged `courses`, each called as a member or an admin (and anonymously: 401), with its
    answer checked against the served schema."""
    course = build_course(modules=2, lessons=2, title="Intro")
    draft = build_course(modules=1, lessons=1, title="Soon", draft=True)
    paid = build_course(modules=1, lessons=1, title="Paid", visibility="paid", required_tier=pro)
    lesson, second = lessons_of(course)[:2]
    locked = LessonFactory(module=ModuleFactory(course=course, position=9, drip_days=5))
    module = course.modules.order_by("position").first()
    attachment = Attachment.objects.create(
        lesson=lesson, file=SimpleUploadedFile("a.pdf", PDF), name="a.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    doomed = Attachment.objects.create(
        lesson=lesson, file=SimpleUploadedFile("b.pdf", PDF), name="b.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    enrollment = EnrollmentFactory(course=course, user=UserFactory())
    ids = {"slug": course.slug, "lesson_id": lesson.pk, "module_id": module.pk,
           "attachment_id": attachment.pk, "enrollment_id": enrollment.pk}  # fmt: skip
    missing = 999_999
    calls = [
        ("member", "get", "/api/v1/courses/", {}, None, 200),
        ("member", "get", "/api/v1/courses/", {}, {"size": "0"}, 400),
        ("member", "get", "/api/v1/courses/{slug}/", {}, None, 200),
        ("member", "get", "/api/v1/courses/{slug}/", {"slug": paid.slug}, None, 404),
        ("member", "post", "/api/v1/courses/{slug}/enroll/", {}, None, 201),
        ("member", "post", "/api/v1/courses/{slug}/enroll/", {}, None, 200),
        ("member", "post", "/api/v1/courses/{slug}/enroll/", {"slug": draft.slug}, None, 404),
        ("member", "get", "/api/v1/lessons/{lesson_id}/", {}, None, 200),
        ("member", "get", "/api/v1/lessons/{lesson_id}/", {"lesson_id": locked.pk}, None, 403),
        ("member", "post", "/api/v1/lessons/{lesson_id}/complete/", {}, None, 200),
        ("member", "post", "/api/v1/lessons/{lesson_id}/complete/", {"lesson_id": locked.pk},
         None, 403),
        ("member", "delete", "/api/v1/lessons/{lesson_id}/complete/", {}, None, 200),
        ("member", "get", "/api/v1/lessons/{lesson_id}/video/", {}, None, 404),
        ("member", "get", "/api/v1/attachments/{attachment_id}/download/", {}, None, 200),
        ("member", "get", "/api/v1/attachments/{attachment_id}/download/",
         {"attachment_id": missing}, None, 404),
        ("member", "get", "/api/v1/me/enrollments/", {}, None, 200),
        ("member", "post", "/api/v1/courses/", {}, {"title": "X", "visibility": "members"}, 403),
        ("admin", "post", "/api/v1/courses/", {}, {"title": "New", "visibility": "members"}, 201),
        ("admin", "post", "/api/v1/courses/", {}, {"title": "X", "visibility": "paid"}, 400),
        ("admin", "patch", "/api/v1/courses/{slug}/", {"slug": "new"}, {"title": "Newer"}, 200),
        ("admin", "patch", "/api/v1/courses/{slug}/", {"slug": "new"}, {"titel": "x"}, 400),
        ("admin", "post", "/api/v1/courses/{slug}/publish/", {"slug": draft.slug}, None, 200),
        ("admin", "post", "/api/v1/courses/{slug}/unpublish/", {"slug": draft.slug}, None, 200),
        ("admin", "get", "/api/v1/courses/{slug}/order/", {}, None, 200),
        ("admin", "put", "/api/v1/courses/{slug}/order/", {},
         lambda: {"modules": order_of(course)}, 200),
        ("admin", "put", "/api/v1/courses/{slug}/order/", {}, {"modules": []}, 400),
        ("admin", "post", "/api/v1/courses/{slug}/modules/", {}, {"title": "More"}, 201),
        ("admin", "get", "/api/v1/courses/{slug}/enrollments/", {}, None, 200),
        ("member", "get", "/api/v1/courses/{slug}/enrollments/", {}, None, 403),
        ("admin", "post", "/api/v1/enrollments/{enrollment_id}/release/", {}, None, 200),
        ("admin", "patch", "/api/v1/modules/{module_id}/", {}, {"title": "Start"}, 200),
        ("admin", "post", "/api/v1/modules/{module_id}/lessons/", {}, {"title": "L"}, 201),
        ("admin", "patch", "/api/v1/lessons/{lesson_id}/", {}, {"title": "Renamed"}, 200),
        ("admin", "post", "/api/v1/lessons/{lesson_id}/attachments/", {}, "upload", 201),
        ("admin", "delete", "/api/v1/attachments/{attachment_id}/",
         {"attachment_id": doomed.pk}, None, 204),
        ("admin", "delete", "/api/v1/lessons/{lesson_id}/", {"lesson_id": second.pk}, None, 204),
        ("admin", "delete", "/api/v1/modules/{module_id}/",
         {"module_id": draft.modules.get().pk}, None, 204),
        ("admin", "delete", "/api/v1/courses/{slug}/", {"slug": "new"}, None, 204),
    ]  # fmt: skip
    clients = {"member": api_as(member), "admin": api_as(admin), "anonymous": APIClient()}
    binary = {"/api/v1/attachments/{attachment_id}/download/", "/api/v1/lessons/{lesson_id}/video/"}
    for who, method, path, params, data, expect in calls:
        url = path.format(**{**ids, **params})
        for caller, wanted in ((who, expect), ("anonymous", 401)):
            client = clients[caller]
            if data == "upload":
                body = {"file": SimpleUploadedFile("n.pdf", PDF)}
                response = client.post(url, body, format="multipart")
            elif method == "get":
                response = client.get(url, data)
            else:
                body = data() if callable(data) else data
                response = getattr(client, method)(url, body, format="json")
            assert response.status_code == wanted, (caller, method, url, response.content[:300])
            if path in binary and wanted == 200:
                # A file, not JSON: its status and type are what the schema says.
                documented = courses_schema.operations[(method, path)]["responses"]["200"]
                assert "application/octet-stream" in documented["content"]
            else:
                courses_schema.check(method, path, response)

    ours = {op for op, o in courses_schema.operations.items() if "courses" in o["tags"]}
    called = {(method, path) for _who, method, path, *_rest in calls}
    assert ours - called == set(), "courses operations this test never calls"
    assert Enrollment.objects.filter(user=member, course=course).exists()
