"""The members' course pages (courses/views/learning.py) and the admins' members page
(courses/views/enrollments.py): who sees what (visitor, member, admin, a paid course without
the tier), enrolling, "resume", completing plain and with htmx, drip refusals with the time,
private files behind an access check, content escaped, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses import card_kinds
from courses.models import Attachment, Enrollment, LessonProgress
from courses.services import authoring
from tests.factories import (
    AccessGrantFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries

from .test_authoring_services import MP4, PDF

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"courses:{name}", args=args)


def lesson_url(lesson):
    return url("lesson", lesson.course.slug, lesson.pk)


@pytest.fixture
def course(db):
    return CourseFactory(title="Baking", slug="baking", lesson_count=3)


@pytest.fixture
def lessons(course):
    first = ModuleFactory(course=course, title="Bread", position=0)
    second = ModuleFactory(course=course, title="Cakes", position=1)
    return [
        LessonFactory(module=first, title="Flour", position=0),
        LessonFactory(module=first, title="Yeast", position=1),
        LessonFactory(module=second, title="Sponge", position=0),
    ]


@pytest.fixture
def paid_course(pro):
    """A Pro course; Pro is listed, so members without it see the course locked."""
    pro.listed = True
    pro.save()
    course = CourseFactory(title="Pastry", slug="pastry", paid=True, required_tier=pro,
                           lesson_count=1)  # fmt: skip
    LessonFactory(module=ModuleFactory(course=course), title="Puff")
    return course


# --- The catalog -----------------------------------------------------------------------------


def test_the_catalog_shows_a_visitor_public_courses_and_a_sign_in_link(course):
    CourseFactory(title="Open kitchen", public=True)
    response = client_for().get(url("catalog"))
    assert response.status_code == 200
    assert "Open kitchen" in response.text
    assert "Baking" not in response.text  # members only
    assert "Sign in" in response.text


def test_the_catalog_shows_a_member_their_progress(member, course, lessons):
    EnrollmentFactory(user=member, course=course)
    LessonProgressFactory(user=member, lesson=lessons[0])
    other = CourseFactory(title="Knife skills")
    response = client_for(member).get(url("catalog"))
    html = response.text
    assert '<progress value="1" max="3">' in html
    assert "1 of 3 done" in html
    assert "Knife skills" in html
    # One progress bar: the course the member has not enrolled in shows none.
    assert html.count("<progress") == 1
    assert f'id="course-{other.pk}"' in html


def test_a_finished_course_shows_completed_in_the_catalog(member, course, lessons):
    EnrollmentFactory(user=member, course=course, completed_at=timezone.now())
    html = client_for(member).get(url("catalog")).text
    assert "✓ Completed" in html


def test_the_same_cached_card_shows_each_member_their_own_progress(
    member, other_member, course, lessons
):
    EnrollmentFactory(user=member, course=course)
    for lesson in lessons[:2]:
        LessonProgressFactory(user=member, lesson=lesson)
    assert "2 of 3 done" in client_for(member).get(url("catalog")).text
    html = client_for(other_member).get(url("catalog")).text
    assert "of 3 done" not in html and "<progress" not in html


def test_a_paid_course_without_the_tier_is_locked_with_the_plans_link(member, paid_course):
    html = client_for(member).get(url("catalog")).text
    assert "Pastry" in html
    assert "🔒 Locked" in html
    assert reverse("payments:pricing") in html


def test_a_paid_course_of_an_unlisted_tier_is_not_there_without_it(member, pro):
    CourseFactory(title="Staff only", slug="staff", paid=True, required_tier=pro)
    assert "Staff only" not in client_for(member).get(url("catalog")).text
    assert client_for(member).get(url("course", "staff")).status_code == 404


def test_a_paid_course_with_the_tier_is_not_locked(paid_member, paid_course):
    html = client_for(paid_member).get(url("catalog")).text
    assert "Pastry" in html and "Locked" not in html


def test_admins_see_drafts_and_a_link_to_manage(admin, member):
    CourseFactory(title="Secret sauce", draft=True)
    admin_html = client_for(admin).get(url("catalog")).text
    assert "Secret sauce" in admin_html and "Draft" in admin_html
    assert url("manage_courses") in admin_html
    member_html = client_for(member).get(url("catalog")).text
    assert "Secret sauce" not in member_html
    assert f'href="{url("manage_courses")}"' not in member_html


def test_an_empty_catalog_says_so(member):
    assert "No courses yet" in client_for(member).get(url("catalog")).text


def test_the_catalog_pages_with_a_more_link(member):
    for n in range(25):
        CourseFactory(title=f"Course {n:02}", position=n)
    client = client_for(member)
    first = client.get(url("catalog"))
    assert "Course 19" in first.text and "Course 20" not in first.text
    more = first.context["next_url"]
    second = client.get(more, **HTMX)
    assert "Course 20" in second.text and "Course 24" in second.text
    assert "<html" not in second.text  # the fragment only
    assert client.get(url("catalog") + "?cursor=forged").status_code == 404


def test_each_change_a_course_card_shows_is_on_the_next_request(admin, member, course, lessons):
    """The card is cached by the digest of what it shows (courses/card_kinds.py): each
    change below is a new card, never a stale one."""
    from community import cards

    assert cards.kinds["course"] is card_kinds.COURSE
    client = client_for(member)

    def card():
        html = client.get(url("catalog")).text
        start = html.index(f'id="course-{course.pk}"')
        return html[start : html.index("</article>", start)]

    assert "Baking" in card()
    authoring.update_course(admin, course=course, title="Bread & butter",
                            description="Now *richer*.")  # fmt: skip
    assert "Bread &amp; butter" in card() and "Now richer." in card()
    course.lesson_count = 7
    course.save()
    assert "7 lessons" in card()
    course.thumbnail = "courses/thumbnails/new.png"
    course.save()
    assert "courses/thumbnails/new.png" in card()


def test_the_sidebar_links_to_the_catalog(member, space):
    html = client_for(member).get(url("catalog")).text
    assert f'href="{url("catalog")}" class="space-link is-current"' in html


# --- The course page -------------------------------------------------------------------------


def test_a_member_sees_modules_lessons_and_per_module_progress(member, course, lessons):
    EnrollmentFactory(user=member, course=course)
    LessonProgressFactory(user=member, lesson=lessons[0])
    html = client_for(member).get(url("course", "baking")).text
    assert "<p>What this course teaches.</p>" in html
    assert html.index("Bread") < html.index("Flour") < html.index("Cakes") < html.index("Sponge")
    assert "1 of 2" in html and "0 of 1" in html
    assert f'href="{lesson_url(lessons[1])}"' in html
    assert f'data-live-topic="course:{course.pk}"' in html
    assert f'hx-get="{url("course_outline", "baking")}"' in html
    assert "live:course.updated from:body" in html


def test_a_visitor_sees_a_public_course_and_a_sign_in_link_to_enroll(course, lessons):
    course.visibility = course.Visibility.PUBLIC
    course.save()
    html = client_for().get(url("course", "baking")).text
    assert "Flour" in html
    assert "Sign in to enroll" in html
    assert url("enroll", "baking") not in html


def test_a_visitor_gets_404_for_a_members_course(course):
    assert client_for().get(url("course", "baking")).status_code == 404


def test_a_paid_course_without_the_tier_is_a_preview_without_lessons(member, paid_course):
    response = client_for(member).get(url("course", "pastry"))
    assert response.status_code == 200
    assert "This course is for Pro members" in response.text
    assert reverse("payments:pricing") in response.text
    assert "Puff" not in response.text
    lesson = paid_course.lessons.get()
    assert client_for(member).get(lesson_url(lesson)).status_code == 404


def test_a_paid_course_with_the_tier_shows_its_lessons(paid_member, paid_course):
    html = client_for(paid_member).get(url("course", "pastry")).text
    assert "Puff" in html and "See plans" not in html


def test_drafts_and_deleted_courses_are_404_to_members(member, admin, course, lessons):
    draft = CourseFactory(slug="draft", draft=True)
    deleted = CourseFactory(slug="gone", deleted_at=timezone.now())
    client = client_for(member)
    for slug in ("draft", "gone"):
        response = client.get(url("course", slug))
        assert response.status_code == 404
        assert "Page not found" in response.text  # the site's own 404 page
    lesson = LessonFactory(module=ModuleFactory(course=draft))
    assert client.get(lesson_url(lesson)).status_code == 404
    assert client_for(admin).get(url("course", "draft")).status_code == 200
    assert client_for(admin).get(url("course", deleted.slug)).status_code == 404


def test_an_admin_sees_edit_and_members_links(admin, course, lessons):
    html = client_for(admin).get(url("course", "baking")).text
    assert url("manage_course", course.pk) in html and url("manage_members", course.pk) in html


def test_a_locked_drip_module_says_when_it_opens_in_the_members_zone(course, lessons):
    member = UserFactory(time_zone="Pacific/Auckland")
    module = lessons[2].module
    module.drip_date = (timezone.now() + timedelta(days=30)).date()
    module.save()
    EnrollmentFactory(user=member, course=course)
    html = client_for(member).get(url("course", "baking")).text
    opens = module.drip_date.strftime("%a %-d %b")
    assert f'Opens <time datetime="{module.drip_date.isoformat()}T00:00:00+13:00">' in html
    assert f"{opens}, 00:00</time>" in html
    assert f'href="{lesson_url(lessons[2])}"' not in html  # a locked lesson is not a link


def test_the_outline_fragment_is_the_outline_alone(member, course, lessons):
    response = client_for(member).get(url("course_outline", "baking"), **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="course-outline card"')
    assert "Flour" in response.text


def test_enrolling_twice_keeps_one_enrollment_and_says_so(member, course, lessons):
    client = client_for(member)
    first = client.post(url("enroll", "baking"), follow=True)
    assert "You are enrolled in “Baking”." in first.text
    second = client.post(url("enroll", "baking"), follow=True)
    assert "You were already enrolled in “Baking”." in second.text
    assert Enrollment.objects.filter(user=member, course=course).count() == 1
    assert second.redirect_chain == [(url("course", "baking"), 302)]


def test_enrolling_with_htmx_swaps_the_buttons(member, course, lessons):
    response = client_for(member).post(url("enroll", "baking"), **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "course-progress"
    assert response.text.lstrip().startswith('<div class="course-actions" id="course-actions">')
    assert "0 of 3 lessons done" in response.text
    assert Enrollment.objects.filter(user=member, course=course).exists()


def test_a_visitor_who_enrolls_is_sent_to_sign_in(course):
    response = client_for().post(url("enroll", "baking"))
    assert response.status_code == 404  # a members' course is not there for a visitor
    course.visibility = course.Visibility.PUBLIC
    course.save()
    response = client_for().post(url("enroll", "baking"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_enrolling_in_a_paid_course_without_the_tier_is_refused(member, paid_course):
    response = client_for(member).post(url("enroll", "pastry"))
    assert response.status_code == 403
    assert not Enrollment.objects.filter(user=member).exists()


def test_enroll_and_complete_are_post_only(member, course, lessons):
    client = client_for(member)
    assert client.get(url("enroll", "baking")).status_code == 405
    assert client.get(url("lesson_complete", "baking", lessons[0].pk)).status_code == 405


# --- Resume ----------------------------------------------------------------------------------


def test_resume_starts_at_the_first_lesson(member, course, lessons):
    response = client_for(member).get(url("resume", "baking"))
    assert response["Location"] == lesson_url(lessons[0])


def test_resume_lands_on_the_first_unfinished_lesson_after_the_last_opened(member, course, lessons):
    client = client_for(member)
    client.post(url("enroll", "baking"))
    client.post(url("lesson_complete", "baking", lessons[0].pk))
    client.get(lesson_url(lessons[1]))
    client.post(url("lesson_complete", "baking", lessons[1].pk))
    assert client.get(url("course", "baking")).text.count(">Resume</a>") == 1
    response = client.get(url("resume", "baking"))
    assert response["Location"] == lesson_url(lessons[2])


# --- The lesson page -------------------------------------------------------------------------


def test_a_lesson_shows_content_neighbours_outline_and_records_the_visit(member, course, lessons):
    enrollment = EnrollmentFactory(user=member, course=course)
    html = client_for(member).get(lesson_url(lessons[1])).text
    assert '<h1 class="lesson__title" id="lesson-title">Yeast</h1>' in html
    assert "<p>Read this.</p>" in html
    assert f'href="{lesson_url(lessons[0])}" rel="prev"' in html
    assert f'href="{lesson_url(lessons[2])}" rel="next"' in html
    assert 'class="course-lesson is-current"' in html
    assert "Mark complete" in html
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == lessons[1].pk


def test_a_member_who_has_not_enrolled_may_read_a_lesson(member, course, lessons):
    response = client_for(member).get(lesson_url(lessons[0]))
    assert response.status_code == 200
    assert not Enrollment.objects.filter(user=member).exists()


def test_a_lesson_of_another_course_is_404(member, course, lessons):
    other = LessonFactory()
    assert client_for(member).get(url("lesson", "baking", other.pk)).status_code == 404


def test_a_deleted_lesson_is_404(member, course, lessons):
    lessons[0].deleted_at = timezone.now()
    lessons[0].save()
    assert client_for(member).get(lesson_url(lessons[0])).status_code == 404


def test_a_lesson_plays_an_allow_listed_embed(member, course, lessons):
    lessons[0].video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    lessons[0].save()
    html = client_for(member).get(lesson_url(lessons[0])).text
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html


def test_an_uploaded_video_plays_through_an_access_checked_view(
    admin, member, other_member, course, lessons
):
    lesson = authoring.update_lesson(
        admin, lesson=lessons[0], video_file=SimpleUploadedFile("clip.mp4", MP4, "video/mp4")
    )
    video_url = url("lesson_video", "baking", lesson.pk)
    page = client_for(member).get(lesson_url(lesson)).text
    assert f'controls preload="metadata" src="{video_url}"' in page
    response = client_for(member).get(video_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MP4
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private, no-store"
    assert client_for().get(video_url).status_code == 404
    assert client_for(member).get(url("lesson_video", "baking", lessons[1].pk)).status_code == 404


def test_complete_and_uncomplete_with_a_plain_post_redirect_back(member, course, lessons):
    client = client_for(member)
    response = client.post(url("lesson_complete", "baking", lessons[0].pk), follow=True)
    assert response.redirect_chain == [(lesson_url(lessons[0]), 302)]
    assert "“Flour” is marked complete." in response.text
    assert "Mark incomplete" in response.text
    # Completing enrolled the member (the service's rule).
    assert Enrollment.objects.filter(user=member, course=course).exists()
    assert LessonProgress.objects.filter(user=member, lesson=lessons[0]).exists()
    response = client.post(url("lesson_uncomplete", "baking", lessons[0].pk), follow=True)
    assert "“Flour” is marked not complete." in response.text
    assert not LessonProgress.objects.filter(user=member).exists()


def test_complete_and_uncomplete_with_htmx_swap_the_button(member, course, lessons):
    client = client_for(member)
    response = client.post(url("lesson_complete", "baking", lessons[0].pk), **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "course-progress"
    html = response.text.strip()
    assert html.startswith('<div class="lesson-progress" id="lesson-progress">')
    assert "Mark incomplete" in html and "<html" not in html
    response = client.post(url("lesson_uncomplete", "baking", lessons[0].pk), **HTMX)
    assert "Mark complete" in response.text
    assert not LessonProgress.objects.filter(user=member).exists()


def test_completing_every_lesson_completes_the_course(member, course, lessons):
    client = client_for(member)
    for lesson in lessons:
        client.post(url("lesson_complete", "baking", lesson.pk))
    assert Enrollment.objects.get(user=member).completed_at is not None
    assert "✓ Completed" in client.get(url("course", "baking")).text


def test_a_visitor_who_completes_is_sent_to_sign_in(course, lessons):
    course.visibility = course.Visibility.PUBLIC
    course.save()
    response = client_for().post(url("lesson_complete", "baking", lessons[0].pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "Sign in</a> to keep track" in client_for().get(lesson_url(lessons[0])).text


def test_a_locked_lesson_is_403_with_the_moment_it_opens(course, lessons):
    member = UserFactory(time_zone="America/New_York")
    module = lessons[2].module
    module.drip_days = 7
    module.save()
    enrolled_at = timezone.now()
    EnrollmentFactory(user=member, course=course, enrolled_at=enrolled_at)
    client = client_for(member)
    response = client.get(lesson_url(lessons[2]))
    assert response.status_code == 403
    from zoneinfo import ZoneInfo

    day = enrolled_at.astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=7)
    assert f"{day:%A} {day.day} {day:%B %Y}, 00:00" in response.text
    assert "“Sponge” is not open yet" in response.text
    assert client.post(url("lesson_complete", "baking", lessons[2].pk)).status_code == 403
    assert not LessonProgress.objects.filter(user=member).exists()
    enrollment = Enrollment.objects.get(user=member)
    assert enrollment.last_lesson_id is None  # a refused lesson is not where "resume" goes


def test_a_days_after_module_is_locked_until_the_member_enrolls(member, course, lessons):
    module = lessons[2].module
    module.drip_days = 3
    module.save()
    response = client_for(member).get(lesson_url(lessons[2]))
    assert response.status_code == 403
    assert "Enroll in the course to start the count" in response.text
    html = client_for(member).get(url("course", "baking")).text
    assert "Opens 3 days after you enroll" in html


def test_admins_are_never_locked_out(admin, course, lessons):
    module = lessons[2].module
    module.drip_date = (timezone.now() + timedelta(days=30)).date()
    module.save()
    assert client_for(admin).get(lesson_url(lessons[2])).status_code == 200


# --- Attachments -----------------------------------------------------------------------------


@pytest.fixture
def attachment(admin, lessons):
    return authoring.add_attachment(
        admin, lesson=lessons[0], upload=SimpleUploadedFile("notes.pdf", PDF, "application/pdf")
    )


def test_an_attachment_downloads_its_bytes_for_a_member(member, course, attachment):
    html = client_for(member).get(lesson_url(attachment.lesson)).text
    download = url("attachment", attachment.pk)
    assert f'<a href="{download}">notes.pdf</a>' in html
    response = client_for(member).get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="notes.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


def test_an_attachment_has_no_public_url(settings, attachment):
    stored = Attachment.objects.get(pk=attachment.pk).file
    assert not stored.name.startswith("notes")  # a random name
    assert not str(stored.path).startswith(str(settings.MEDIA_ROOT))
    response = client_for().get(settings.MEDIA_URL + stored.name)
    assert response.status_code == 404


def test_an_attachment_is_404_to_those_who_may_not_open_its_lesson(
    member, admin, paid_course, attachment
):
    paid_lesson = paid_course.lessons.get()
    paid_file = authoring.add_attachment(
        admin, lesson=paid_lesson, upload=SimpleUploadedFile("tips.pdf", PDF, "application/pdf")
    )
    assert client_for(member).get(url("attachment", paid_file.pk)).status_code == 404
    assert client_for().get(url("attachment", attachment.pk)).status_code == 404
    AccessGrantFactory(user=member, tier=paid_course.required_tier)
    assert client_for(member).get(url("attachment", paid_file.pk)).status_code == 200


def test_an_attachment_of_a_locked_module_is_403_with_the_date(member, course, attachment):
    module = attachment.lesson.module
    module.drip_date = (timezone.now() + timedelta(days=30)).date()
    module.save()
    response = client_for(member).get(url("attachment", attachment.pk))
    assert response.status_code == 403
    assert "is not open yet" in response.text


# --- Content is escaped ----------------------------------------------------------------------

XSS = '<script>alert("x")</script>'


def test_course_and_lesson_content_is_escaped_or_sanitized(admin, member):
    course = authoring.create_course(
        admin, title=f"Evil {XSS}", slug="evil", visibility="members",
        description=f"Hello {XSS} <img src=x onerror=alert(1)>",
    )  # fmt: skip
    authoring.publish_course(admin, course=course)
    module = authoring.create_module(admin, course=course, title=f"Mod {XSS}")
    lesson = authoring.create_lesson(
        admin, module=module, title=f"Les {XSS}", content=f"Body {XSS} [x](javascript:alert(1))"
    )
    client = client_for(member)
    pages = [
        client.get(url("catalog")).text,
        client.get(url("course", "evil")).text,
        client.get(url("lesson", "evil", lesson.pk)).text,
    ]
    for html in pages:
        assert XSS not in html
        assert "<img src=x onerror" not in html and 'href="javascript:' not in html
    assert "Evil &lt;script&gt;" in pages[0]
    assert "Les &lt;script&gt;" in pages[2] and "Mod &lt;script&gt;" in pages[2]


# --- The admins' members page ----------------------------------------------------------------


def test_the_members_page_lists_enrollments_and_releases_drip(admin, member, course, lessons):
    module = lessons[2].module
    module.drip_date = (timezone.now() + timedelta(days=30)).date()
    module.save()
    enrollment = EnrollmentFactory(user=member, course=course)
    LessonProgressFactory(user=member, lesson=lessons[0])
    client = client_for(admin)
    assert url("manage_members", course.pk) in client.get(url("manage_course", course.pk)).text
    html = client.get(url("manage_members", course.pk)).text
    assert member.display_name in html
    assert "1 of 3" in html
    assert "Release all modules" in html
    response = client.post(url("manage_release", course.pk, enrollment.pk), follow=True)
    assert "Every module of “Baking” is open" in response.text
    enrollment.refresh_from_db()
    assert enrollment.released_at is not None
    assert client_for(member).get(lesson_url(lessons[2])).status_code == 200


def test_the_members_page_has_no_release_without_drip(admin, member, course, lessons):
    EnrollmentFactory(user=member, course=course)
    assert "Release all modules" not in client_for(admin).get(url("manage_members", course.pk)).text


def test_the_members_page_is_for_admins_only(member, course):
    enrollment = EnrollmentFactory(course=course)
    client = client_for(member)
    assert client.get(url("manage_members", course.pk)).status_code == 403
    assert client.post(url("manage_release", course.pk, enrollment.pk)).status_code == 403
    assert Enrollment.objects.get(pk=enrollment.pk).released_at is None


# --- Queries ---------------------------------------------------------------------------------


def test_the_catalog_costs_the_same_queries_for_n_and_2n_courses(member, pro):
    AccessGrantFactory(user=member, tier=pro)

    def build(count):
        for _ in range(count):
            course = CourseFactory(lesson_count=2)
            EnrollmentFactory(user=member, course=course)
            LessonProgressFactory(user=member, lesson=LessonFactory(module__course=course))
            CourseFactory(paid=True)  # locked for the member: a card with the plans link

    build(3)
    client = client_for(member)
    # 7: the session and the member; the member's tiers (the catalog's gating); the page
    # of courses with their tier; the member's enrollments in them; their completed-lesson
    # counts; the sidebar's spaces; the header's score (8).
    assert_constant_queries(lambda: client.get(url("catalog")), grow=lambda: build(3), bound=8)


def test_a_course_page_costs_the_same_queries_for_5x5_and_10x10(member, course):
    EnrollmentFactory(user=member, course=course, enrolled_at=timezone.now() - timedelta(days=2))
    first = []  # the first lesson of the course, opened by the lesson page

    def build(modules, lessons_each):
        course.modules.all().delete()
        first.clear()
        for m in range(modules):
            # Every other module drips: some open already, some still locked.
            module = ModuleFactory(course=course, position=m,
                                   drip_days=(m * 2) if m % 2 else None)  # fmt: skip
            for n in range(lessons_each):
                lesson = LessonFactory(module=module, position=n)
                first.append(lesson)
                if n % 2 == 0:
                    LessonProgressFactory(user=member, lesson=lesson)

    build(5, 5)
    client = client_for(member)
    # The course page, 8: the session and the member; the course with its tier; the
    # modules; their lessons; the member's enrollment; the completed lessons; the sidebar's
    # spaces. The lesson page, 9: the same without the sidebar (the outline is beside the
    # lesson), plus its attachments and the UPDATE that remembers the visit for "resume".
    assert_constant_queries(
        {
            "course": lambda: client.get(url("course", "baking")),
            "lesson": lambda: client.get(lesson_url(first[0])),
        },
        grow=lambda: build(10, 10),
        bound={"course": 9, "lesson": 10},  # with the header's score (1)
    )
