"""The members' courses API (courses/api/learning.py): the catalog and who sees what, a
course's outline with progress and drip, enrolling, reading and completing lessons, and
downloading attachments; through DRF's client, signed in by session (CSRF enforced) and by
token as well as forced."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from courses import tasks
from courses.models import Attachment, Enrollment, LessonProgress
from tests.factories import (
    ApiTokenFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
    UserFactory,
)
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_course(modules=2, lessons=2, **fields):
    """A published members' course of `modules` x `lessons`, its counters recomputed."""
    course = CourseFactory(**fields)
    for m in range(modules):
        module = ModuleFactory(course=course, position=m)
        for n in range(lessons):
            LessonFactory(module=module, position=n)
    tasks.recount_course(course.pk)
    course.refresh_from_db()
    return course


def lessons_of(course):
    return list(course.lessons.order_by("module__position", "position"))


def session_client(user):
    """A browser's session, with CSRF checked as in production: its cookie and header."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    client.credentials(HTTP_X_CSRFTOKEN=secret)
    return client


def token_client(user):
    _token, raw_key = ApiTokenFactory.with_key(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture
def listed_pro(pro):
    pro.listed = True
    pro.save(update_fields=["listed"])
    return pro


# --- The catalog ---------------------------------------------------------------------------


def test_the_catalog_lists_what_the_member_may_open_or_buy(member, admin, listed_pro):
    free = build_course(title="Free", position=0)
    paid = build_course(title="Paid", position=1, visibility="paid", required_tier=listed_pro)
    draft = build_course(title="Draft", position=2, draft=True)
    build_course(title="Gone", position=3, deleted_at=timezone.now())
    build_course(title="Staff", position=4, paid=True)  # an unlisted tier: hidden

    rows = token_client(member).get("/api/v1/courses/").json()["results"]
    assert [(row["slug"], row["is_locked"]) for row in rows] == [
        (free.slug, False),
        (paid.slug, True),
    ]
    assert rows[1]["required_tier"] == "pro"
    assert rows[0]["lesson_count"] == 4 and rows[0]["published"] is True

    admin_rows = api_as(admin).get("/api/v1/courses/").json()["results"]
    assert draft.slug in [row["slug"] for row in admin_rows]
    assert "gone" not in [row["slug"] for row in admin_rows]


def test_the_catalog_shows_the_members_progress(member):
    course = build_course()
    enrollment = EnrollmentFactory(course=course, user=member)
    LessonProgressFactory(lesson=lessons_of(course)[0], user=member)
    (row,) = api_as(member).get("/api/v1/courses/").json()["results"]
    assert row["progress"] == {
        "enrolled": True,
        "enrolled_at": enrollment.enrolled_at.isoformat().replace("+00:00", "Z"),
        "completed_lessons": 1,
        "percent": 25,
        "completed_at": None,
    }


def test_the_catalog_is_a_cursor_page_costing_the_same_for_more_courses(member):
    for _ in range(3):
        EnrollmentFactory(course=build_course(modules=1, lessons=1), user=member)
    client = session_client(member)

    def grow():
        for _ in range(3):
            EnrollmentFactory(course=build_course(modules=1, lessons=1), user=member)

    # The session and its member, the member's tiers; the courses with their tier, the
    # member's enrollments in them, their completed counts.
    assert_constant_queries(lambda: client.get("/api/v1/courses/"), grow=grow, bound=6)
    first = client.get("/api/v1/courses/", {"size": 4}).json()
    rest = client.get("/api/v1/courses/", {"size": 4, "cursor": first["next_cursor"]}).json()
    assert len(first["results"]) == 4 and len(rest["results"]) == 2
    assert rest["next_cursor"] is None


# --- A course ------------------------------------------------------------------------------


def test_a_course_has_its_outline_progress_and_where_resume_leads(member):
    course = build_course()
    first, second, third, _fourth = lessons_of(course)
    EnrollmentFactory(course=course, user=member, last_lesson=second)
    LessonProgressFactory(lesson=first, user=member)
    LessonProgressFactory(lesson=second, user=member)

    body = session_client(member).get(f"/api/v1/courses/{course.slug}/").json()
    assert body["is_locked"] is False and body["resume_lesson_id"] == third.pk
    assert body["progress"]["completed_lessons"] == 2 and body["progress"]["percent"] == 50
    module = body["modules"][0]
    assert (module["completed"], module["total"], module["is_locked"], module["drip"]) == (
        2,
        2,
        False,
        None,
    )
    assert [(each["id"], each["completed"]) for each in module["lessons"]] == [
        (first.pk, True),
        (second.pk, True),
    ]


def test_a_drip_module_shows_when_it_opens_in_utc(member):
    member.time_zone = "Europe/Paris"
    member.save(update_fields=["time_zone"])
    course = build_course(modules=1)
    ModuleFactory(course=course, position=1, drip_date=date(2999, 1, 1))
    body = session_client(member).get(f"/api/v1/courses/{course.slug}/").json()
    locked = body["modules"][1]
    assert locked["is_locked"] is True
    assert locked["drip"] == {"days": None, "date": "2999-01-01"}
    # Midnight in Paris (UTC+1 in winter), said in UTC whatever zone the session has.
    assert locked["opens_at"] == "2998-12-31T23:00:00Z"


def test_a_paid_course_without_its_tier_is_a_preview_without_lessons(member, listed_pro):
    course = build_course(visibility="paid", required_tier=listed_pro)
    body = api_as(member).get(f"/api/v1/courses/{course.slug}/").json()
    assert body["is_locked"] is True and body["modules"] == []
    assert body["resume_lesson_id"] is None


@pytest.mark.parametrize("fields", [{"draft": True}, {"deleted_at": timezone.now()}])
def test_a_draft_or_deleted_course_is_a_404(member, fields):
    course = build_course(**fields)
    response = api_as(member).get(f"/api/v1/courses/{course.slug}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_course_page_costs_the_same_for_twice_the_modules_and_lessons(member):
    course = build_course(modules=5, lessons=5)
    EnrollmentFactory(course=course, user=member)
    client = session_client(member)

    def grow():
        # 10 x 10: five more modules, and five more lessons in each of the ten.
        for m in range(5, 10):
            ModuleFactory(course=course, position=m)
        for module in course.modules.all():
            for n in range(module.lessons.count(), 10):
                LessonFactory(module=module, position=n)
        for lesson in lessons_of(course)[::3]:
            LessonProgressFactory(lesson=lesson, user=member)

    # The session and its member; the course with its tier, then the outline: the modules,
    # their lessons, the enrollment, the completed lessons (a members' course needs no tiers).
    before, after = assert_constant_queries(
        lambda: client.get(f"/api/v1/courses/{course.slug}/"), grow=grow, bound=7
    )
    assert sum(m["total"] for m in before.json()["modules"]) == 25
    assert sum(m["total"] for m in after.json()["modules"]) == 100


# --- Enrolling -----------------------------------------------------------------------------


def test_enrolling_is_idempotent(member):
    course = build_course()
    client = session_client(member)
    first = client.post(f"/api/v1/courses/{course.slug}/enroll/")
    again = client.post(f"/api/v1/courses/{course.slug}/enroll/")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["progress"]["enrolled"] is True
    assert Enrollment.objects.filter(course=course, user=member).count() == 1


def test_a_session_write_needs_the_csrf_token(member):
    course = build_course()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(f"/api/v1/courses/{course.slug}/enroll/")
    assert response.status_code == 403
    assert not Enrollment.objects.filter(course=course).exists()


def test_enrolling_in_a_paid_course_needs_its_tier(member, paid_member, listed_pro):
    course = build_course(visibility="paid", required_tier=listed_pro)
    refused = api_as(member).post(f"/api/v1/courses/{course.slug}/enroll/")
    assert refused.status_code == 403 and "Pro" in refused.json()["detail"]
    assert api_as(paid_member).post(f"/api/v1/courses/{course.slug}/enroll/").status_code == 201


def test_enrolling_in_a_draft_is_a_404_for_members(member):
    course = build_course(draft=True)
    assert api_as(member).post(f"/api/v1/courses/{course.slug}/enroll/").status_code == 404
    assert not Enrollment.objects.exists()


def test_my_enrollments_list_the_courses_i_may_see_with_progress(member, pro):
    course = build_course()
    EnrollmentFactory(course=course, user=member)
    LessonProgressFactory(lesson=lessons_of(course)[0], user=member)
    lost = build_course(visibility="paid", required_tier=pro)
    EnrollmentFactory(course=lost, user=member)  # the tier is gone: not listed
    EnrollmentFactory(course=build_course(), user=UserFactory())
    rows = token_client(member).get("/api/v1/me/enrollments/").json()["results"]
    assert [row["course"]["slug"] for row in rows] == [course.slug]
    assert rows[0]["progress"]["completed_lessons"] == 1


# --- Lessons -------------------------------------------------------------------------------


def test_a_lesson_has_its_content_attachments_and_neighbours(member):
    course = build_course()
    first, second, third, _ = lessons_of(course)
    second.video_url = "https://youtu.be/dQw4w9WgXcQ"
    second.save()
    attachment = Attachment.objects.create(
        lesson=second, file=ContentFile(PDF, name="a.pdf"), name="notes.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    enrollment = EnrollmentFactory(course=course, user=member)

    body = token_client(member).get(f"/api/v1/lessons/{second.pk}/").json()
    assert (body["previous_id"], body["next_id"]) == (first.pk, third.pk)
    assert body["content_html"] == "<p>Read this.</p>" and body["completed"] is False
    assert body["video_embed_url"].startswith("https://www.youtube-nocookie.com/embed/")
    assert body["video_file_url"] is None
    assert body["course"]["slug"] == course.slug
    assert body["attachments"] == [{
        "id": attachment.pk, "name": "notes.pdf", "content_type": "application/pdf",
        "size": len(PDF), "download_url": f"/api/v1/attachments/{attachment.pk}/download/",
    }]  # fmt: skip
    enrollment.refresh_from_db()
    assert enrollment.last_lesson == second  # opened, for "resume"


def test_a_lesson_locked_by_drip_is_a_403_saying_when_it_opens(member):
    course = build_course(modules=1)
    later = ModuleFactory(course=course, position=1, drip_days=3)
    lesson = LessonFactory(module=later)
    enrollment = EnrollmentFactory(course=course, user=member)
    client = api_as(member)
    for response in (
        client.get(f"/api/v1/lessons/{lesson.pk}/"),
        client.post(f"/api/v1/lessons/{lesson.pk}/complete/"),
    ):
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "lesson_locked"
        opens = enrollment.enrolled_at.date() + timedelta(days=3)
        assert body["opens_at"] == f"{opens:%Y-%m-%d}T00:00:00Z"
    assert not LessonProgress.objects.exists()


def test_a_lesson_locked_until_enrolling_has_no_date_yet(member):
    course = build_course(modules=0)
    lesson = LessonFactory(module=ModuleFactory(course=course, drip_days=0))
    response = api_as(member).get(f"/api/v1/lessons/{lesson.pk}/")
    assert response.status_code == 403
    assert response.json()["code"] == "lesson_locked" and response.json()["opens_at"] is None


def test_completing_every_lesson_completes_the_course_and_undoing_one_reopens_it(member):
    course = build_course(modules=1, lessons=2)
    first, second = lessons_of(course)
    client = session_client(member)

    one = client.post(f"/api/v1/lessons/{first.pk}/complete/")
    assert one.status_code == 200
    assert one.json()["completed"] is True
    assert one.json()["progress"]["enrolled"] is True  # enrolled on the way
    assert one.json()["progress"]["percent"] == 50
    assert one.json()["progress"]["completed_at"] is None

    both = client.post(f"/api/v1/lessons/{second.pk}/complete/").json()
    assert both["progress"]["percent"] == 100 and both["progress"]["completed_at"] is not None
    again = client.post(f"/api/v1/lessons/{second.pk}/complete/").json()
    assert again["progress"]["completed_at"] == both["progress"]["completed_at"]

    undone = client.delete(f"/api/v1/lessons/{second.pk}/complete/")
    assert undone.status_code == 200
    assert undone.json()["completed"] is False
    assert undone.json()["progress"]["completed_lessons"] == 1
    assert undone.json()["progress"]["completed_at"] is None
    assert Enrollment.objects.get(user=member).completed_at is None


@pytest.mark.parametrize("fields", ["paid", "draft", "deleted"])
def test_completing_a_lesson_of_a_course_one_may_not_see_is_a_404(member, pro, fields):
    course = build_course(
        **{"paid": {"visibility": "paid", "required_tier": pro},
           "draft": {"draft": True}, "deleted": {"deleted_at": timezone.now()}}[fields]
    )  # fmt: skip
    lesson = lessons_of(course)[0]
    client = api_as(member)
    assert client.post(f"/api/v1/lessons/{lesson.pk}/complete/").status_code == 404
    assert client.get(f"/api/v1/lessons/{lesson.pk}/").status_code == 404
    assert not LessonProgress.objects.exists() and not Enrollment.objects.exists()


def test_a_member_who_lost_the_tier_keeps_progress_but_not_the_lesson(member, pro):
    course = build_course(visibility="paid", required_tier=pro)
    lesson = lessons_of(course)[0]
    LessonProgressFactory(lesson=lesson, user=member)
    assert api_as(member).get(f"/api/v1/lessons/{lesson.pk}/").status_code == 404
    assert LessonProgress.objects.filter(user=member, lesson=lesson).exists()


def test_a_lesson_costs_the_same_in_a_course_twice_the_size(member):
    course = build_course(modules=5, lessons=5)
    lesson = lessons_of(course)[7]
    EnrollmentFactory(course=course, user=member)
    client = session_client(member)

    def grow():
        for m in range(5, 10):
            module = ModuleFactory(course=course, position=m)
            for n in range(10):
                LessonFactory(module=module, position=n)
        for each in lessons_of(course)[::3]:
            LessonProgressFactory(lesson=each, user=member)

    # The session and its member; the lesson with its module and course, the enrollment,
    # its update (last opened), the outline's four (modules, lessons, enrollment, completed
    # lessons) for the neighbours, the attachments.
    before, after = assert_constant_queries(
        lambda: client.get(f"/api/v1/lessons/{lesson.pk}/"), grow=grow, bound=10
    )
    assert before.json()["id"] == after.json()["id"] == lesson.pk


# --- Files ---------------------------------------------------------------------------------


def _attachment(course):
    return Attachment.objects.create(
        lesson=lessons_of(course)[0], file=ContentFile(PDF, name="x.pdf"), name="notes.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip


def test_an_attachment_downloads_for_whoever_may_open_its_lesson(member):
    attachment = _attachment(build_course())
    response = token_client(member).get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="notes.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_an_attachment_is_refused_to_those_who_may_not_open_its_lesson(member, paid_member, pro):
    attachment = _attachment(build_course(visibility="paid", required_tier=pro))
    url = f"/api/v1/attachments/{attachment.pk}/download/"
    assert api_as(member).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401
    assert api_as(paid_member).get(url).status_code == 200


def test_an_attachment_of_a_locked_module_is_refused_with_its_time(member):
    course = build_course(modules=0)
    lesson = LessonFactory(module=ModuleFactory(course=course, drip_date=date(2999, 1, 1)))
    attachment = Attachment.objects.create(
        lesson=lesson, file=ContentFile(PDF, name="x.pdf"), name="n.pdf",
        content_type="application/pdf", size=len(PDF),
    )  # fmt: skip
    response = api_as(member).get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert response.status_code == 403 and response.json()["code"] == "lesson_locked"


def test_an_uploaded_video_plays_through_the_api(member):
    course = build_course(modules=1, lessons=1)
    lesson = lessons_of(course)[0]
    lesson.video_file.save("clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=True)
    body = api_as(member).get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert body["video_file_url"] == f"/api/v1/lessons/{lesson.pk}/video/"
    response = api_as(member).get(body["video_file_url"])
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    assert b"".join(response.streaming_content) == b"\x00\x00\x00\x18ftypmp42"


def test_anonymous_callers_are_asked_to_sign_in(member):
    course = build_course()
    response = APIClient().get(f"/api/v1/courses/{course.slug}/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
