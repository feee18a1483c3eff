"""What members read while learning (issue 14, items 2 and 3, and "Performance"): the catalog
with each course's progress, a course's outline with per-module progress and drip state,
where "resume" leads, previous / next; each at a fixed number of queries."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from courses import tasks
from courses.models import LessonProgress
from courses.selectors import learning
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    LessonProgressFactory,
    ModuleFactory,
    TierFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


def build(modules=2, lessons=3, **course):
    """A published course of `modules` x `lessons` with its counters recounted; returns
    (course, lessons in course order)."""
    course = CourseFactory(**course)
    ordered = []
    for _ in range(modules):
        ordered += LessonFactory.create_batch(lessons, module=ModuleFactory(course=course))
    tasks.recount_course(course.pk)
    course.refresh_from_db()
    return course, ordered


def complete(user, *lessons):
    for lesson in lessons:
        LessonProgressFactory(user=user, lesson=lesson)


def slugs(page):
    return [course.slug for course in page.items]


# --- The catalog ---------------------------------------------------------------------------


@pytest.fixture
def shelf(pro):
    """One course of each kind, in catalog order."""
    pro.listed = True
    pro.save()
    staff = TierFactory(name="Staff", slug="staff")  # unlisted: its courses stay hidden
    return {
        "public": CourseFactory(slug="public", public=True, position=1),
        "members": CourseFactory(slug="members", position=2),
        "pro": CourseFactory(slug="pro", paid=True, required_tier=pro, position=3),
        "staff": CourseFactory(slug="staff", paid=True, required_tier=staff, position=4),
        "draft": CourseFactory(slug="draft", draft=True, position=5),
        "deleted": CourseFactory(slug="deleted", deleted_at=timezone.now(), position=6),
    }


def test_the_catalog_shows_each_viewer_what_they_may_open_or_buy(
    shelf, anonymous, member, paid_member, admin
):
    assert slugs(learning.catalog(anonymous)) == ["public"]
    page = learning.catalog(member)
    assert slugs(page) == ["public", "members", "pro"]
    assert {c.slug: c.is_locked for c in page.items} == {
        "public": False,
        "members": False,
        "pro": True,  # a locked card: the member may buy it
    }
    page = learning.catalog(paid_member)
    assert {c.slug: c.is_locked for c in page.items} == {
        "public": False,
        "members": False,
        "pro": False,
    }
    assert slugs(learning.catalog(admin)) == ["public", "members", "pro", "staff", "draft"]


def test_catalog_progress_counts_only_alive_lessons(member, other_member):
    course, lessons = build(modules=2, lessons=3)
    EnrollmentFactory(course=course, user=member)
    complete(member, *lessons[:3])
    complete(other_member, *lessons)  # someone else's progress is not the member's
    # An admin deletes a completed lesson and a module with one completed lesson in it.
    lessons[0].deleted_at = timezone.now()
    lessons[0].save()
    lessons[3].module.deleted_at = timezone.now()
    lessons[3].module.save()
    complete(member, lessons[3])
    tasks.recount_course(course.pk)

    (shown,) = learning.catalog(member).items
    assert shown.lesson_count == 2  # lessons[1], lessons[2]
    assert (shown.completed, shown.percent) == (2, 100)
    assert shown.enrollment.user == member

    (theirs,) = learning.catalog(UserFactory()).items
    assert (theirs.enrollment, theirs.completed, theirs.percent) == (None, 0, 0)


def test_catalog_percent_rounds(member):
    _course, lessons = build(modules=1, lessons=3)
    complete(member, lessons[0])
    (shown,) = learning.catalog(member).items
    assert (shown.completed, shown.percent) == (1, 33)


def test_catalog_pages_follow_the_admins_order(member):
    for position, slug in [(3, "c"), (1, "a"), (5, "e"), (2, "b"), (4, "d")]:
        CourseFactory(slug=slug, position=position)
    seen, cursor = [], None
    for _ in range(3):
        page = learning.catalog(member, cursor=cursor, size=2)
        seen.append(slugs(page))
        cursor = page.next_cursor
    assert seen == [["a", "b"], ["c", "d"], ["e"]]
    assert cursor is None


def test_catalog_costs_the_same_for_many_courses(member):
    def add(count):
        for _ in range(count):
            course, lessons = build(modules=2, lessons=2)
            EnrollmentFactory(course=course, user=member)
            complete(member, lessons[0])

    add(3)

    def fetch():
        # As a new request: held tiers are remembered on the user object only per request.
        vars(member).pop("_held_tier_ids", None)
        page = learning.catalog(member)
        assert all(course.completed == 1 for course in page.items)
        return page

    # The member's held tiers, the page of courses (with their tier joined), the member's
    # enrollments in them, their completed-lesson counts.
    first, then = assert_constant_queries(fetch, grow=lambda: add(3), bound=4)
    assert (len(first.items), len(then.items)) == (3, 6)


# --- A course's outline ----------------------------------------------------------------------


def test_outline_lists_alive_modules_and_lessons_in_order_with_progress(member):
    course = CourseFactory()
    second = ModuleFactory(course=course, position=2)
    first = ModuleFactory(course=course, position=1)
    ModuleFactory(course=course, position=0, deleted_at=timezone.now())
    b = LessonFactory(module=first, position=2)
    a = LessonFactory(module=first, position=1)
    LessonFactory(module=first, position=0, deleted_at=timezone.now())
    c = LessonFactory(module=second, position=0)
    EnrollmentFactory(course=course, user=member)
    complete(member, b, c)

    result = learning.outline(member, course)
    assert result.modules == [first, second]
    assert [[lesson.pk for lesson in m.open_lessons] for m in result.modules] == [
        [a.pk, b.pk],
        [c.pk],
    ]
    assert [(m.completed, m.total) for m in result.modules] == [(1, 2), (1, 1)]
    assert [lesson.completed for lesson in result.lessons] == [False, True, True]
    assert (result.completed, result.total, result.percent) == (2, 3, 67)


def test_outline_locks_drip_modules_with_their_opening_in_the_members_zone():
    member = UserFactory(time_zone="America/New_York")
    course = CourseFactory()
    intro = ModuleFactory(course=course, position=0)
    week2 = ModuleFactory(course=course, position=1, drip_days=7)
    dated = ModuleFactory(course=course, position=2, drip_date=date(2026, 7, 1))
    for module in (intro, week2, dated):
        LessonFactory(module=module)
    # Enrolled on June 10 at 01:00 UTC: still June 9, 21:00 in New York.
    EnrollmentFactory(course=course, user=member, enrolled_at=datetime(2026, 6, 10, 1, tzinfo=UTC))
    new_york = ZoneInfo("America/New_York")

    result = learning.outline(member, course, now=datetime(2026, 6, 15, tzinfo=UTC))
    assert [m.is_locked for m in result.modules] == [False, True, True]
    assert [lesson.is_locked for lesson in result.lessons] == [False, True, True]
    assert result.modules[0].opens_at is None
    assert result.modules[1].opens_at == datetime(2026, 6, 16, tzinfo=new_york)
    assert result.modules[1].opens_at.tzinfo == new_york  # shown in the member's time
    assert result.modules[2].opens_at == datetime(2026, 7, 1, tzinfo=new_york)

    later = learning.outline(member, course, now=datetime(2026, 6, 16, 4, tzinfo=UTC))
    assert [m.is_locked for m in later.modules] == [False, False, True]


def test_a_days_module_waits_for_enrolling_and_admins_are_never_locked(member, admin):
    course = CourseFactory()
    LessonFactory(module=ModuleFactory(course=course, drip_days=3))
    LessonFactory(module=ModuleFactory(course=course, drip_date=date(2099, 1, 1)))
    visitor_view = learning.outline(member, course)  # not enrolled: counts from enrolling
    days = visitor_view.modules[0]
    assert (days.is_locked, days.opens_at) == (True, None)
    admin_view = learning.outline(admin, course)
    assert [m.is_locked for m in admin_view.modules] == [False, False]
    assert [m.opens_at for m in admin_view.modules] == [None, None]


def test_a_released_enrollment_has_nothing_locked(member):
    course = CourseFactory()
    LessonFactory(module=ModuleFactory(course=course, drip_date=date(2099, 1, 1)))
    EnrollmentFactory(course=course, user=member, released_at=timezone.now())
    assert [m.is_locked for m in learning.outline(member, course).modules] == [False]


def test_outline_costs_the_same_for_a_bigger_course(member):
    course = CourseFactory()
    EnrollmentFactory(course=course, user=member)

    def grow_to(modules, lessons):
        """Adds modules and lessons until the course is modules x lessons, every other
        module on drip, some lessons of each completed."""
        for module in course.modules.all():
            added = LessonFactory.create_batch(lessons - module.lessons.count(), module=module)
            complete(member, added[0])
        for index in range(course.modules.count(), modules):
            module = ModuleFactory(course=course, drip_days=30 if index % 2 else None)
            complete(member, LessonFactory.create_batch(lessons, module=module)[0])

    grow_to(5, 5)

    def fetch():
        result = learning.outline(member, course)
        result.resume_lesson()
        return result

    # The modules, their lessons (one prefetch), the member's enrollment, their completed
    # lessons; drip is computed in Python.
    first, then = assert_constant_queries(fetch, grow=lambda: grow_to(10, 10), bound=4)
    assert (first.total, then.total) == (25, 100)
    assert any(m.is_locked for m in then.modules)


# --- Resume and neighbours -------------------------------------------------------------------


@pytest.fixture
def course_of_six(member):
    """Two modules of three lessons; the member enrolled. Returns (course, lessons)."""
    course, lessons = build(modules=2, lessons=3)
    EnrollmentFactory(course=course, user=member)
    return course, lessons


def opened(member, course, lesson):
    course.enrollments.filter(user=member).update(last_lesson=lesson)


def resume(member, course):
    return learning.outline(member, course).resume_lesson()


def test_resume_starts_at_the_first_lesson_for_a_member_who_never_opened_one(member, course_of_six):
    course, lessons = course_of_six
    assert resume(member, course) == lessons[0]
    assert resume(UserFactory(), course) == lessons[0]  # not even enrolled


def test_resume_returns_to_an_unfinished_last_opened_lesson(member, course_of_six):
    course, lessons = course_of_six
    complete(member, *lessons[:4])
    opened(member, course, lessons[2])
    assert resume(member, course) == lessons[4]  # finished: the next unfinished after it
    opened(member, course, lessons[1])
    LessonProgress.objects.filter(user=member, lesson=lessons[1]).delete()
    assert resume(member, course) == lessons[1]  # unfinished: that lesson


def test_resume_wraps_to_the_start(member, course_of_six):
    course, lessons = course_of_six
    complete(member, *lessons[2:])
    opened(member, course, lessons[4])
    assert resume(member, course) == lessons[0]


def test_resume_with_everything_done_returns_the_last_opened(member, course_of_six):
    course, lessons = course_of_six
    complete(member, *lessons)
    opened(member, course, lessons[3])
    assert resume(member, course) == lessons[3]


def test_resume_skips_locked_lessons_while_an_open_one_is_unfinished(member):
    course = CourseFactory()
    intro = LessonFactory.create_batch(2, module=ModuleFactory(course=course, position=0))
    later = LessonFactory(module=ModuleFactory(course=course, position=1, drip_days=30))
    EnrollmentFactory(course=course, user=member)
    complete(member, intro[1])
    opened(member, course, intro[1])
    # After intro[1] comes the locked lesson; resume wraps to the open, unfinished intro[0].
    assert resume(member, course) == intro[0]
    complete(member, intro[0])
    assert resume(member, course) == later  # only locked ones remain: where they wait


def test_resume_of_an_empty_course_is_none(member):
    assert resume(member, CourseFactory()) is None


def test_neighbours_cross_module_boundaries(member, course_of_six):
    course, lessons = course_of_six
    result = learning.outline(member, course)
    assert result.neighbours(lessons[0]) == (None, lessons[1])
    assert result.neighbours(lessons[2]) == (lessons[1], lessons[3])  # into module 2
    assert result.neighbours(lessons[3]) == (lessons[2], lessons[4])  # back to module 1
    assert result.neighbours(lessons[5]) == (lessons[4], None)


# --- A lesson, its attachments, the admins' list ----------------------------------------------


def test_lesson_with_course_finds_only_alive_lessons_of_that_course():
    course, lessons = build(modules=1, lessons=2)
    other, _ = build(modules=1, lessons=1)
    lessons[1].deleted_at = timezone.now()
    lessons[1].save()
    found = learning.lesson_with_course(lessons[0].pk, course)
    assert found == lessons[0] and found.course == course
    assert learning.lesson_with_course(lessons[1].pk) is None
    assert learning.lesson_with_course(lessons[0].pk, other) is None


def test_course_by_slug_previews_a_paid_course_and_hides_the_rest(member, pro):
    pro.listed = True
    pro.save()
    CourseFactory(slug="paid", paid=True, required_tier=pro)
    CourseFactory(slug="open")
    CourseFactory(slug="draft", draft=True)
    assert learning.course_by_slug(member, "open").is_locked is False
    assert learning.course_by_slug(member, "paid").is_locked is True
    assert learning.course_by_slug(member, "draft") is None
    assert learning.course_by_slug(member, "nothing") is None


def test_enrollments_for_admin_count_alive_lessons_done(member):
    course, lessons = build(modules=1, lessons=3)
    EnrollmentFactory(course=course, user=member, enrolled_at=timezone.now() - timedelta(days=1))
    newer = EnrollmentFactory(course=course)
    complete(member, *lessons)
    lessons[0].deleted_at = timezone.now()
    lessons[0].save()
    page = learning.enrollments_for_admin(course)
    assert [(row.user_id, row.completed) for row in page.items] == [
        (newer.user_id, 0),
        (member.pk, 2),
    ]
