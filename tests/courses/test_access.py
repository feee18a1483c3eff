"""Who may see, enroll in and open what (issue 14): courses answer through community's gating
rule plus their own (published, not deleted; admins see drafts), lessons add the drip (admins
are never locked out), and the `course:<id>` live topic follows the same rule."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from community.models import Tier
from courses import access
from courses.access import LessonLocked
from courses.models import Course
from tests.factories import (
    AccessGrantFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    UserFactory,
)
from tests.helpers import check_socket_topic, check_topic_rule

PERSONAS = ["anonymous", "member", "paid_member", "moderator", "admin", "banned_member"]
KINDS = ["public", "members", "paid", "draft", "deleted"]

# Who sees which course: the gating matrix (tests/community/test_seams.py), plus drafts for
# admins only, and deleted courses for nobody.
SEES = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "paid_member": {"public", "members", "paid"},
    "moderator": {"public", "members", "paid"},
    "admin": {"public", "members", "paid", "draft"},
    "banned_member": {"public"},
}
# What check_can_enroll says: None (may enroll), or the refusal.
ENROLL = {
    "anonymous": dict.fromkeys(KINDS, PermissionDenied),  # sign in first
    "banned_member": dict.fromkeys(KINDS, PermissionDenied),
    "member": {"public": None, "members": None, "paid": Http404, "draft": Http404,
               "deleted": Http404},
    "paid_member": {"public": None, "members": None, "paid": None, "draft": Http404,
                    "deleted": Http404},
    "moderator": {"public": None, "members": None, "paid": None, "draft": Http404,
                  "deleted": Http404},
    "admin": {"public": None, "members": None, "paid": None, "draft": PermissionDenied,
              "deleted": Http404},
}  # fmt: skip
# The catalog: {kind: is_locked} for each persona, with the `pro` tier listed (members
# without it see paid courses locked) ...
CATALOG = {
    "anonymous": {"public": False},
    "member": {"public": False, "members": False, "paid": True},
    "paid_member": {"public": False, "members": False, "paid": False},
    "moderator": {"public": False, "members": False, "paid": False},
    "admin": {"public": False, "members": False, "paid": False, "draft": False},
    "banned_member": {"public": False},
}
# ... and with it unlisted (a staff tier: what it opens stays hidden).
CATALOG_UNLISTED = {**CATALOG, "member": {"public": False, "members": False}}


@pytest.fixture
def courses(db, pro):
    return {
        "public": CourseFactory(public=True),
        "members": CourseFactory(),
        "paid": CourseFactory(paid=True, required_tier=pro),
        "draft": CourseFactory(draft=True),
        "deleted": CourseFactory(deleted_at=timezone.now()),
    }


def kind_of(courses, pk):
    return next(kind for kind, course in courses.items() if course.pk == pk)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_course(request, courses, persona):
    user = request.getfixturevalue(persona)
    for kind, course in courses.items():
        expected = kind in SEES[persona]
        assert access.can_see_course(user, course) is expected, (persona, kind)
        if expected:
            access.check_can_see_course(user, course)
        else:
            with pytest.raises(Http404):
                access.check_can_see_course(user, course)
    listed = {kind_of(courses, c.pk) for c in access.visible_courses(user)}
    assert listed == SEES[persona]
    narrowed = access.visible_courses(user, Course.objects.filter(pk=courses["deleted"].pk))
    assert not narrowed.exists()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("listed", [True, False])
def test_the_catalog_lists_what_the_member_sees_and_locks_what_they_may_buy(
    request, courses, pro, persona, listed
):
    Tier.objects.filter(pk=pro.pk).update(listed=listed)
    user = request.getfixturevalue(persona)
    catalog = access.catalog_courses(user)
    got = {kind_of(courses, c.pk): c.is_locked for c in catalog}
    assert got == (CATALOG if listed else CATALOG_UNLISTED)[persona]
    # The catalog agrees with the rules in Python, row by row.
    for course in Course.objects.select_related("required_tier"):
        if course.pk in {c.pk for c in catalog}:
            assert access.can_see_course(user, course) or access.can_preview_course(user, course)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_enroll_where(request, courses, persona):
    user = request.getfixturevalue(persona)
    for kind, course in courses.items():
        refusal = ENROLL[persona][kind]
        if refusal is None:
            access.check_can_enroll(user, course)
        else:
            with pytest.raises(refusal) as raised:
                access.check_can_enroll(user, course)
            if refusal is PermissionDenied:  # not the 404's subclass by mistake
                assert not isinstance(raised.value, Http404)
        # can_enroll (templates) says what check_can_enroll (services) does.
        assert access.can_enroll(user, course) is (refusal is None), (persona, kind)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_a_lesson_of_an_open_module(request, courses, persona):
    user = request.getfixturevalue(persona)
    for kind, course in courses.items():
        lesson = LessonFactory(module=ModuleFactory(course=course))
        if kind in SEES[persona]:
            access.check_can_open_lesson(user, lesson, None)
        else:
            with pytest.raises(Http404):
                access.check_can_open_lesson(user, lesson, None)


@pytest.mark.parametrize("persona", ["member", "moderator", "admin"])
def test_deleted_lessons_and_lessons_of_deleted_modules_are_not_there(request, persona):
    user = request.getfixturevalue(persona)
    lesson = LessonFactory(deleted_at=timezone.now())
    in_deleted_module = LessonFactory(module=ModuleFactory(deleted_at=timezone.now()))
    for gone in (lesson, in_deleted_module):
        with pytest.raises(Http404):
            access.check_can_open_lesson(user, gone, None)


# --- Drip ---------------------------------------------------------------------------------


NOW = datetime(2026, 6, 10, 15, tzinfo=UTC)


def test_a_lesson_of_a_module_still_locked_by_days_says_when_it_opens(member):
    member.time_zone = "America/Los_Angeles"
    member.save(update_fields=["time_zone"])
    lesson = LessonFactory(module=ModuleFactory(drip_days=7))
    enrollment = EnrollmentFactory(course=lesson.course, user=member, enrolled_at=NOW)
    with pytest.raises(LessonLocked) as locked:
        access.check_can_open_lesson(member, lesson, enrollment, now=NOW)
    # Midnight in Los Angeles (PDT) seven days after June 10th.
    assert locked.value.opens_at == datetime(2026, 6, 17, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert locked.value.opens_at == datetime(2026, 6, 17, 7, tzinfo=UTC)
    assert "2026-06-17 00:00 PDT" in str(locked.value)
    assert isinstance(locked.value, PermissionDenied)  # a 403 with the time, not a 404
    access.check_can_open_lesson(member, lesson, enrollment, now=locked.value.opens_at)


def test_a_days_module_is_locked_until_the_member_enrolls(member):
    lesson = LessonFactory(module=ModuleFactory(drip_days=0))
    with pytest.raises(LessonLocked) as locked:
        access.check_can_open_lesson(member, lesson, None, now=NOW)
    assert locked.value.opens_at is None
    assert "once you enroll" in str(locked.value)


def test_a_date_module_is_locked_until_its_date_for_anyone_who_sees_the_course(member):
    lesson = LessonFactory(module=ModuleFactory(drip_date=date(2026, 7, 1)))
    with pytest.raises(LessonLocked) as locked:
        access.check_can_open_lesson(member, lesson, None, now=NOW)
    assert locked.value.opens_at == datetime(2026, 7, 1, tzinfo=UTC)


@pytest.mark.parametrize("module", [{"drip_days": 30}, {"drip_date": date(2099, 1, 1)}])
def test_a_released_member_is_not_locked(member, module):
    lesson = LessonFactory(module=ModuleFactory(**module))
    enrollment = EnrollmentFactory(course=lesson.course, user=member, enrolled_at=NOW,
                                   released_at=NOW)  # fmt: skip
    access.check_can_open_lesson(member, lesson, enrollment, now=NOW)


def test_admins_are_never_locked_out_and_moderators_are(admin, moderator):
    lesson = LessonFactory(module=ModuleFactory(drip_days=30))
    draft_lesson = LessonFactory(module=ModuleFactory(course=CourseFactory(draft=True),
                                                      drip_date=date(2099, 1, 1)))  # fmt: skip
    access.check_can_open_lesson(admin, lesson, None, now=NOW)
    access.check_can_open_lesson(admin, draft_lesson, None, now=NOW)
    with pytest.raises(LessonLocked):
        access.check_can_open_lesson(moderator, lesson, None, now=NOW)


def test_without_a_now_the_lock_is_read_at_the_current_time(member):
    lesson = LessonFactory(module=ModuleFactory(drip_days=1))
    fresh = EnrollmentFactory(course=lesson.course, user=member)
    with pytest.raises(LessonLocked):
        access.check_can_open_lesson(member, lesson, fresh)
    fresh.enrolled_at = timezone.now() - timedelta(days=2)
    access.check_can_open_lesson(member, lesson, fresh)


def test_a_member_who_loses_the_tier_loses_the_lessons_until_it_returns(paid_member, pro):
    course = CourseFactory(paid=True, required_tier=pro)
    lesson = LessonFactory(module=ModuleFactory(course=course))
    enrollment = EnrollmentFactory(course=course, user=paid_member)
    access.check_can_open_lesson(paid_member, lesson, enrollment)
    paid_member.access_grants.update(revoked_at=timezone.now())

    def next_request():
        return type(paid_member).objects.get(pk=paid_member.pk)  # held tiers read afresh

    with pytest.raises(Http404):
        access.check_can_open_lesson(next_request(), lesson, enrollment)
    AccessGrantFactory(user=paid_member, tier=pro)
    access.check_can_open_lesson(next_request(), lesson, enrollment)


# --- The same rule in SQL (visible_lessons, which search lists lessons with) ---------------


def _may_open(member, lesson, enrollment, now):
    try:
        access.check_can_open_lesson(member, lesson, enrollment, now=now)
    except LessonLocked:
        return False
    return True


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Santiago"])
def test_visible_lessons_agrees_with_opening_each_lesson_around_midnights(db, zone):
    """Every drip rule, for members who enrolled either side of a local midnight, at moments
    either side of each midnight of a week; in Santiago, midnight of 6 September 2026 does
    not exist (the clocks jump from 24:00 to 01:00)."""
    tz = ZoneInfo(zone)
    course = CourseFactory()
    rules = [{}, *({"drip_days": n} for n in (0, 1, 2, 7)),
             *({"drip_date": date(2026, 9, day)} for day in (5, 6, 7))]  # fmt: skip
    lessons = [LessonFactory(module=ModuleFactory(course=course, **rule)) for rule in rules]
    members = [UserFactory(time_zone=zone) for _ in range(4)]
    enrollments = [
        None,
        EnrollmentFactory(course=course, user=members[1],
                          enrolled_at=datetime(2026, 9, 4, 23, 30, tzinfo=tz)),
        EnrollmentFactory(course=course, user=members[2],
                          enrolled_at=datetime(2026, 9, 5, 0, 30, tzinfo=tz)),
        EnrollmentFactory(course=course, user=members[3], enrolled_at=NOW, released_at=NOW),
    ]  # fmt: skip
    midnights = [datetime(2026, 9, 4, tzinfo=tz) + timedelta(days=n) for n in range(10)]
    # In UTC, as timezone.now() is: two datetimes of one zone compare by their wall clocks.
    moments = [(m + delta).astimezone(UTC) for m in midnights
               for delta in (timedelta(minutes=-1), timedelta(0), timedelta(hours=1))]  # fmt: skip
    for member, enrollment in zip(members, enrollments, strict=True):
        for now in moments:
            listed = set(access.visible_lessons(member, now=now).values_list("pk", flat=True))
            for lesson, rule in zip(lessons, rules, strict=True):
                expected = _may_open(member, lesson, enrollment, now)
                assert (lesson.pk in listed) is expected, (rule, enrollment, now)


def test_visible_lessons_count_each_courses_days_from_its_own_enrollment(db):
    """A member of several courses: each course's days-after modules open by the days since
    that course's own enrollment (the SQL pairs each course with its days)."""
    member = UserFactory(time_zone="UTC")
    now = datetime(2026, 9, 20, 12, tzinfo=UTC)
    waited = [1, 3, 5, 8, 13]
    lessons = {}
    for days in waited:
        course = CourseFactory()
        EnrollmentFactory(course=course, user=member, enrolled_at=now - timedelta(days=days))
        for drip_days in waited:
            lessons[days, drip_days] = LessonFactory(
                module=ModuleFactory(course=course, drip_days=drip_days)
            )
    listed = set(access.visible_lessons(member, now=now).values_list("pk", flat=True))
    assert listed == {lesson.pk for (days, drip_days), lesson in lessons.items()
                      if drip_days <= days}  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_visible_lessons_follow_the_course_and_leave_out_deleted_ones(request, courses, persona):
    user = request.getfixturevalue(persona)
    open_lessons = {kind: LessonFactory(module=ModuleFactory(course=course))
                    for kind, course in courses.items()}  # fmt: skip
    LessonFactory(module=ModuleFactory(course=courses["public"]), deleted_at=timezone.now())
    LessonFactory(module=ModuleFactory(course=courses["public"], deleted_at=timezone.now()))
    listed = set(access.visible_lessons(user).values_list("pk", flat=True))
    assert listed == {open_lessons[kind].pk for kind in SEES[persona]}


# --- The live topic -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_course_topic_follows_who_sees_the_course(request, courses, persona):
    user = request.getfixturevalue(persona)
    check_topic_rule(user, courses, kind="course", may_receive=access.may_receive_course_topic,
                     sees=SEES[persona])  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_socket_lets_a_viewer_of_the_course_subscribe_and_refuses_others(
    member, paid_member, pro
):
    topic = f"course:{CourseFactory(paid=True, required_tier=pro).pk}"
    check_socket_topic(topic, allowed=paid_member, refused=member)
