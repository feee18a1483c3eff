"""The courses' demo content (issue 14, item 6): a free and a paid course with modules,
lessons, a video, an attachment in the private storage, a drip module, and a member part-way
through; seeding twice duplicates nothing."""

import io
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from community import demo
from courses import access, drip
from courses import demo as courses_demo
from courses.models import Attachment, Course, Enrollment, Lesson, LessonProgress, Module
from courses.selectors import learning

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def shape():
    return {
        "courses": Course.objects.count(),
        "modules": Module.objects.count(),
        "lessons": Lesson.objects.count(),
        "attachments": Attachment.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "progress": LessonProgress.objects.count(),
        "counters": sorted(Course.objects.values_list("slug", "lesson_count", "enrollment_count")),
    }


def test_the_courses_seeder_is_registered_after_communitys():
    seed()  # discovers every app's demo module
    order = demo.seeders()
    assert courses_demo.seed_courses in order
    assert order.index(demo.seed_community) < order.index(courses_demo.seed_courses)


def test_the_demo_has_a_free_and_a_paid_course_of_the_described_shape():
    seed()
    free = Course.objects.get(slug="community-building-101")
    paid = Course.objects.get(slug="pricing-your-expertise")
    assert free.visibility == Course.Visibility.MEMBERS and free.required_tier is None
    assert paid.visibility == Course.Visibility.PAID and paid.required_tier.slug == "pro"
    for course in (free, paid):
        assert course.is_published and course.deleted_at is None
        assert "<strong>" in course.description_html  # Markdown, rendered
        modules = list(course.modules.order_by("position"))
        assert 2 <= len(modules) <= 3
        assert all(module.lessons.count() >= 2 for module in modules)
        assert course.lesson_count == course.lessons.count() >= 5  # recounted
        assert all(lesson.content_html.startswith("<") for lesson in course.lessons.all())
        positions = [m.position for m in modules]
        assert positions == sorted(set(positions))

    video = Lesson.objects.get(course=free, video_url__contains="youtube")
    assert video.video_embed_url.startswith("https://www.youtube-nocookie.com/embed/")
    dripped = free.modules.get(drip_days__isnull=False)
    assert dripped.drip_days == 7


def test_the_attachment_is_a_pdf_in_the_private_storage(settings):
    seed()
    attachment = Attachment.objects.get()
    assert attachment.lesson.course.slug == "community-building-101"
    assert attachment.content_type == "application/pdf"
    assert attachment.name.endswith(".pdf")
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    data = path.read_bytes()
    assert attachment.size == len(data) == attachment.file.size
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_sam_is_part_way_through_the_free_course_and_locked_out_of_the_drip_module():
    members = demo.seed_demo()
    sam = members["sam"]
    free = Course.objects.get(slug="community-building-101")
    enrollment = Enrollment.objects.get(user=sam, course=free)
    done = LessonProgress.objects.filter(user=sam, course=free).count()
    assert 0 < done < free.lesson_count
    assert enrollment.last_lesson is not None and enrollment.completed_at is None
    assert not LessonProgress.objects.filter(user=sam, lesson=enrollment.last_lesson).exists()
    assert free.enrollment_count == Enrollment.objects.filter(course=free).count() >= 1
    # The drip module opens a week after Sam enrolled, at midnight in Sam's zone.
    dripped = free.modules.get(drip_days=7)
    zone = ZoneInfo(sam.time_zone)
    opens = drip.opens_at(dripped, enrollment, zone)
    assert opens > timezone.now()
    assert opens - enrollment.enrolled_at <= timedelta(days=7)
    lesson = dripped.lessons.first()
    with pytest.raises(access.LessonLocked):
        access.check_can_open_lesson(sam, lesson, enrollment)


def test_the_paid_course_opens_to_lena_who_holds_pro_and_not_to_sam():
    members = demo.seed_demo()
    paid = Course.objects.get(slug="pricing-your-expertise")
    assert access.can_see_course(members["lena"], paid)
    assert not access.can_see_course(members["sam"], paid)
    assert access.can_preview_course(members["sam"], paid)  # Pro is listed: a locked card


def test_seeding_twice_duplicates_nothing():
    seed()
    first = shape()
    seed()
    assert shape() == first
    assert first["courses"] == 2 and first["attachments"] == 1


def test_the_demo_reads_through_the_members_selectors_as_sam_would_see_it():
    members = demo.seed_demo()
    sam = members["sam"]
    page = learning.catalog(sam)
    cards = {course.slug: course for course in page.items}
    free, paid = cards["community-building-101"], cards["pricing-your-expertise"]
    assert (free.is_locked, paid.is_locked) == (False, True)  # Pro: a card Sam may buy
    assert free.enrollment is not None and 0 < free.percent < 100
    assert free.completed == 3

    outline = learning.outline(sam, free)
    assert outline.completed == 3
    locked = [module for module in outline.modules if module.is_locked]
    assert [module.drip_days for module in locked] == [7]
    assert locked[0].opens_at.tzinfo == ZoneInfo(sam.time_zone)
    # Resume takes Sam back to the unfinished lesson opened last.
    assert outline.resume_lesson() == outline.enrollment.last_lesson
    video = next(lesson for lesson in outline.lessons if lesson.video_embed_url)
    assert not video.is_locked
