"""Courses' tasks (issue 14, items 3 and 4): counters recomputed from their rows, and the drip
unlocks that became due announced once per member, on time in every zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from courses import drip, tasks
from courses.models import Course, ModuleUnlock
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
JUNE = datetime(2026, 6, 10, 12, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def unlock(domain_signals, django_capture_on_commit_callbacks):
    """Runs unlock_due at `now` (committing) and returns the (user_id, module_id) it
    announced, in order."""

    def run(now):
        before = len(domain_signals.of("courses.module_unlocked"))
        with django_capture_on_commit_callbacks(execute=True):
            tasks.unlock_due(now=now)
        sent = domain_signals.of("courses.module_unlocked")[before:]
        return [(s["user_id"], s["module_id"]) for s in sent]

    return run


def enroll(course, *, zone="UTC", at=JUNE, **kwargs):
    return EnrollmentFactory(course=course, user=UserFactory(time_zone=zone), enrolled_at=at,
                             **kwargs)  # fmt: skip


# --- Counters -----------------------------------------------------------------------------


def test_recount_course_counts_alive_lessons_of_alive_modules_and_enrollments():
    course, other = CourseFactory(), CourseFactory()
    alive, gone = ModuleFactory(course=course), ModuleFactory(course=course, deleted_at=JUNE)
    LessonFactory.create_batch(3, module=alive)
    LessonFactory(module=alive, deleted_at=JUNE)
    LessonFactory.create_batch(2, module=gone)  # alive lessons of a deleted module
    LessonFactory(module=ModuleFactory(course=other))
    for _ in range(4):
        enroll(course)
    enroll(other)

    for _ in range(2):  # run twice: the same numbers
        tasks.recount_course(course.pk)
        course.refresh_from_db()
        assert (course.lesson_count, course.enrollment_count) == (3, 4)
    other.refresh_from_db()
    assert (other.lesson_count, other.enrollment_count) == (0, 0)  # not its turn


def test_recount_course_of_an_empty_course_sets_zeros():
    course = CourseFactory()
    Course.objects.filter(pk=course.pk).update(lesson_count=9, enrollment_count=9)
    tasks.recount_course.delay(course.pk)
    course.refresh_from_db()
    assert (course.lesson_count, course.enrollment_count) == (0, 0)


def test_recount_all_courses_repairs_every_course_including_deleted_ones():
    busy, empty, deleted = CourseFactory(), CourseFactory(), CourseFactory(deleted_at=JUNE)
    LessonFactory.create_batch(2, module=ModuleFactory(course=busy))
    LessonFactory(module=ModuleFactory(course=deleted))
    enroll(busy)
    enroll(deleted)
    Course.objects.update(lesson_count=7, enrollment_count=7)  # drifted

    for _ in range(2):
        tasks.recount_all_courses()
        counts = {c.pk: (c.lesson_count, c.enrollment_count) for c in Course.objects.all()}
        assert counts == {busy.pk: (2, 1), empty.pk: (0, 0), deleted.pk: (1, 1)}


# --- Unlocks: once, on time ------------------------------------------------------------------


def test_a_due_module_is_announced_once_per_member(unlock):
    course = CourseFactory()
    week2 = ModuleFactory(course=course, drip_days=7)
    ModuleFactory(course=course)  # no drip: nothing to announce
    first, second = enroll(course), enroll(course)
    now = JUNE + timedelta(days=8)

    assert sorted(unlock(now)) == sorted([(first.user_id, week2.pk), (second.user_id, week2.pk)])
    assert unlock(now) == []  # run twice: announced once
    assert unlock(now + timedelta(days=30)) == []
    unlocks = ModuleUnlock.objects.filter(module=week2)
    assert unlocks.count() == 2
    assert {u.unlocked_at for u in unlocks} == {utc(2026, 6, 17)}  # when it opened


def test_the_signal_carries_ids_and_is_sent_only_after_commit(
    domain_signals, django_capture_on_commit_callbacks
):
    module = ModuleFactory(drip_days=1)
    enrollment = enroll(module.course)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.unlock_due(now=JUNE + timedelta(days=2))
        assert domain_signals.of("courses.module_unlocked") == []
    assert domain_signals.of("courses.module_unlocked") == [
        {"user_id": enrollment.user_id, "course_id": module.course_id, "module_id": module.pk}
    ]


def test_nothing_is_announced_before_the_members_local_midnight(unlock):
    module = ModuleFactory(drip_days=1)
    # 2026-06-10 12:00 UTC is 00:00 on the 11th in Auckland (NZST, UTC+12).
    auckland = enroll(module.course, zone="Pacific/Auckland", at=utc(2026, 6, 10, 11, 59))
    opens = utc(2026, 6, 10, 12)  # midnight of the 11th in Auckland
    assert drip.opens_at(module, auckland, ZoneInfo("Pacific/Auckland")) == opens

    assert unlock(opens - timedelta(microseconds=1)) == []
    assert unlock(opens) == [(auckland.user_id, module.pk)]
    assert ModuleUnlock.objects.get().unlocked_at == opens


def test_a_member_who_enrolled_later_than_the_days_allow_waits(unlock):
    module = ModuleFactory(drip_days=7)
    early = enroll(module.course, at=JUNE - timedelta(days=8))
    late = enroll(module.course, at=JUNE - timedelta(days=2))
    assert unlock(JUNE) == [(early.user_id, module.pk)]
    assert unlock(JUNE + timedelta(days=4)) == []
    assert unlock(JUNE + timedelta(days=5)) == [(late.user_id, module.pk)]  # 15th, 00:00 UTC


@pytest.mark.parametrize(
    ("zone", "opens"),
    [
        ("Pacific/Kiritimati", utc(2026, 6, 30, 10)),  # UTC+14: the first in the world
        ("UTC", utc(2026, 7, 1)),
        ("America/Los_Angeles", utc(2026, 7, 1, 7)),
        ("Pacific/Pago_Pago", utc(2026, 7, 1, 11)),  # UTC-11: among the last
    ],
)
def test_a_date_drip_is_announced_at_midnight_where_each_member_is(unlock, zone, opens):
    module = ModuleFactory(drip_date=date(2026, 7, 1))
    enrollment = enroll(module.course, zone=zone)
    assert unlock(opens - timedelta(microseconds=1)) == []
    assert unlock(opens) == [(enrollment.user_id, module.pk)]
    assert ModuleUnlock.objects.get().unlocked_at == opens


def test_members_in_different_zones_are_announced_each_at_their_own_midnight(unlock):
    module = ModuleFactory(drip_date=date(2026, 7, 1))
    east = enroll(module.course, zone="Pacific/Kiritimati")
    west = enroll(module.course, zone="Pacific/Pago_Pago")
    assert unlock(utc(2026, 6, 30, 10)) == [(east.user_id, module.pk)]
    assert unlock(utc(2026, 7, 1, 10)) == []
    assert unlock(utc(2026, 7, 1, 11)) == [(west.user_id, module.pk)]


def test_a_now_given_in_another_zone_is_the_same_moment(unlock):
    """The date pre-filter reads the UTC date: a `now` given in Pago Pago's time (still
    June 29 there) must not hide the module that just opened in Kiritimati."""
    module = ModuleFactory(drip_date=date(2026, 7, 1))
    east = enroll(module.course, zone="Pacific/Kiritimati")
    now = utc(2026, 6, 30, 10).astimezone(ZoneInfo("Pacific/Pago_Pago"))
    assert now.date() == date(2026, 6, 29)
    assert unlock(now) == [(east.user_id, module.pk)]


def _last_moment_of_the_day(day, zone):
    """The latest moment of `day` where `zone` is (the enrollment that waits the least)."""
    where = ZoneInfo(zone)
    next_midnight = datetime.combine(day + timedelta(days=1), time.min, tzinfo=where)
    return datetime.fromtimestamp(next_midnight.timestamp(), tz=UTC) - timedelta(seconds=1)


@pytest.mark.parametrize(
    ("zone", "enrolled_on", "days"),
    [
        ("Pacific/Auckland", date(2026, 6, 10), 1),
        ("America/Los_Angeles", date(2026, 6, 10), 1),
        ("America/New_York", date(2026, 3, 7), 1),  # spring forward on the 8th
        ("America/New_York", date(2026, 3, 7), 2),
        ("America/New_York", date(2026, 10, 31), 1),  # fall back on Nov 1
        ("America/Santiago", date(2025, 9, 5), 2),  # the 7th has no midnight
        ("Antarctica/Troll", date(2025, 3, 29), 2),  # +00 to +02 on the 30th
        ("Pacific/Apia", date(2011, 12, 28), 3),  # Samoa skipped Dec 30, 2011
        ("Pacific/Kiritimati", date(2026, 6, 10), 7),
    ],
)
def test_the_days_pre_filter_never_hides_a_due_unlock(unlock, zone, enrolled_on, days):
    """The shortest wait: enrolled a second before the member's midnight, in a zone whose
    clock jumps forward meanwhile. The module is announced at the moment it opens."""
    module = ModuleFactory(drip_days=days)
    enrollment = enroll(module.course, zone=zone, at=_last_moment_of_the_day(enrolled_on, zone))
    # In UTC: arithmetic on a zoned datetime is wall-clock arithmetic (and a second before
    # 01:00 in Santiago's gap would be an hour later).
    opens = drip.opens_at(module, enrollment, ZoneInfo(zone)).astimezone(UTC)
    assert opens.astimezone(ZoneInfo(zone)).date() >= enrolled_on + timedelta(days=days)

    assert unlock(opens - timedelta(microseconds=1)) == []
    assert unlock(opens) == [(enrollment.user_id, module.pk)]


def test_the_date_pre_filter_lets_in_the_first_zone_to_reach_the_date(unlock):
    module = ModuleFactory(drip_date=date(2026, 7, 1))
    east = enroll(module.course, zone="Pacific/Kiritimati")
    # The earliest moment anyone reaches July 1: 14 hours before it reaches UTC.
    assert unlock(utc(2026, 6, 30, 9, 59, 59, 999999)) == []
    assert unlock(utc(2026, 6, 30, 10)) == [(east.user_id, module.pk)]


# --- What is not announced, and what is announced early ----------------------------------------


def test_drafts_deleted_courses_and_deleted_modules_announce_nothing(unlock):
    draft = ModuleFactory(course=CourseFactory(draft=True), drip_days=1)
    deleted_course = ModuleFactory(course=CourseFactory(deleted_at=JUNE), drip_date=JUNE.date())
    deleted_module = ModuleFactory(drip_days=1, deleted_at=JUNE)
    for module in (draft, deleted_course, deleted_module):
        enroll(module.course, at=JUNE - timedelta(days=10))
        enroll(module.course, at=JUNE - timedelta(days=10), released_at=JUNE)
    assert unlock(JUNE + timedelta(days=30)) == []
    assert not ModuleUnlock.objects.exists()


def test_a_released_enrollment_gets_its_announcements_at_once(unlock):
    course = CourseFactory()
    by_days = ModuleFactory(course=course, drip_days=30)
    by_date = ModuleFactory(course=course, drip_date=date(2027, 1, 1))
    released = enroll(course, released_at=JUNE)
    waiting = enroll(course)

    sent = unlock(JUNE + timedelta(hours=1))
    assert sorted(sent) == sorted([(released.user_id, by_days.pk), (released.user_id, by_date.pk)])
    assert unlock(JUNE + timedelta(hours=2)) == []  # once
    assert unlock(JUNE + timedelta(days=31)) == [(waiting.user_id, by_days.pk)]
    assert unlock(utc(2027, 1, 1)) == [(waiting.user_id, by_date.pk)]
    assert ModuleUnlock.objects.filter(user=released.user).count() == 2


def test_an_unlock_run_by_the_beat_uses_the_current_time(unlock):
    module = ModuleFactory(drip_days=1)
    enrollment = enroll(module.course, at=timezone.now() - timedelta(days=3))
    assert unlock(None) == [(enrollment.user_id, module.pk)]


def test_banned_and_deactivated_members_are_not_told_until_they_are_back(unlock):
    module = ModuleFactory(drip_days=1)
    active = enroll(module.course)
    banned = enroll(module.course)
    gone = enroll(module.course)
    banned.user.banned_at = JUNE
    banned.user.save(update_fields=["banned_at"])
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])
    now = JUNE + timedelta(days=2)

    assert unlock(now) == [(active.user_id, module.pk)]
    assert set(ModuleUnlock.objects.values_list("user_id", flat=True)) == {active.user_id}
    # A ban that ended, and a returning account, get their announcement on the next run.
    banned.user.banned_until = now
    banned.user.save(update_fields=["banned_until"])
    gone.user.is_active = True
    gone.user.save(update_fields=["is_active"])
    assert sorted(unlock(now + timedelta(hours=1))) == sorted(
        [(banned.user_id, module.pk), (gone.user_id, module.pk)]
    )
