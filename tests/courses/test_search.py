"""Courses and lessons in search (courses/search_kinds.py): found with a snippet and a link
to their page, only by who may open them (courses/access.py): drafts for admins, paid
courses for holders of the tier, a drip-locked lesson not before its module opens for the
searcher. Runs on both engines."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community import search
from tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    ModuleFactory,
    SpaceFactory,
    UserFactory,
)
from tests.helpers import api_as, assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db

URL = reverse("api-search")


def found(searcher, query, kind):
    (group,) = search.search(searcher, query, kinds=[kind])
    return [result.id for result in group.results]


def test_a_course_is_found_by_title_and_description_and_links_to_its_page(client, member):
    course = CourseFactory(title="Beekeeping basics", description="Hives, smoke and honey.")
    CourseFactory(title="Pottery", description="Wheels and kilns.")
    (result,) = search.search(member, "honey", kinds=["courses"])[0].results
    assert (result.id, result.title) == (course.pk, "Beekeeping basics")
    assert result.url == reverse("courses:course", args=[course.slug])
    assert "<mark>honey</mark>" in str(result.snippet)
    assert found(member, "beekeep", "courses") == [course.pk]
    client.force_login(member)
    assert "Beekeeping basics" in client.get(result.url).content.decode()


def test_a_lesson_is_found_with_its_course_and_links_to_its_page(client, member):
    lesson = LessonFactory(title="Smoking the hive", content="Calm bees with cool smoke.",
                           module__course__title="Beekeeping")  # fmt: skip
    (result,) = search.search(member, "bees", kinds=["lessons"])[0].results
    assert (result.id, result.title) == (lesson.pk, "Smoking the hive (Beekeeping)")
    assert result.url == reverse("courses:lesson", args=[lesson.course.slug, lesson.pk])
    assert "<mark>bees</mark>" in str(result.snippet)
    client.force_login(member)
    page = client.get(result.url)
    assert page.status_code == 200 and "Calm bees with cool smoke." in page.content.decode()


def test_titles_rank_above_bodies(member):
    course = CourseFactory()
    in_body = LessonFactory(module__course=course, title="Week one", content="About mortise")
    in_title = LessonFactory(module__course=course, title="Mortise joints", content="Cut it")
    assert found(member, "mortise", "lessons") == [in_title.pk, in_body.pk]


def test_edits_and_deletes_update_what_is_found(member):
    lesson = LessonFactory(content="Sharpening a chisel")
    lesson.content = "Honing a plane"
    lesson.save()
    assert found(member, "chisel", "lessons") == []
    assert found(member, "honing", "lessons") == [lesson.pk]
    lesson.deleted_at = timezone.now()
    lesson.save()
    assert found(member, "honing", "lessons") == []


# --- Who finds what ------------------------------------------------------------------------


@pytest.fixture
def matrix(pro):
    """One findable course or lesson of each sort; every text holds the word "quokka"."""
    members = CourseFactory(title="Members quokka")
    drip = ModuleFactory(course=members, drip_days=7)
    newcomer, veteran, released = UserFactory(), UserFactory(), UserFactory()
    EnrollmentFactory(course=members, user=newcomer)
    EnrollmentFactory(course=members, user=veteran,
                      enrolled_at=timezone.now() - timedelta(days=8))  # fmt: skip
    EnrollmentFactory(course=members, user=released, released_at=timezone.now())
    return {
        "members": {"newcomer": newcomer, "veteran": veteran, "released": released},
        "things": {
            "public course": CourseFactory(public=True, title="Public quokka"),
            "members course": members,
            "paid course": CourseFactory(paid=True, required_tier=pro, title="Paid quokka"),
            "draft course": CourseFactory(draft=True, title="Draft quokka"),
            "deleted course": CourseFactory(deleted_at=timezone.now(), title="Gone quokka"),
            "open lesson": LessonFactory(module__course=members, content="quokka open"),
            "drip lesson": LessonFactory(module=drip, content="quokka drip"),
            "dated lesson": LessonFactory(
                module=ModuleFactory(
                    course=members, drip_date=timezone.now().date() + timedelta(3)
                ),
                content="quokka dated",
            ),
            "paid lesson": LessonFactory(
                module__course=CourseFactory(paid=True, required_tier=pro), content="quokka paid"
            ),
            "draft lesson": LessonFactory(
                module__course=CourseFactory(draft=True), content="quokka draft"
            ),
            "deleted lesson": LessonFactory(
                module__course=members, content="quokka deleted", deleted_at=timezone.now()
            ),
        },
    }


EVERYONE = ("anonymous", "member", "paid_member", "moderator", "admin", "banned_member",
            "newcomer", "veteran", "released")  # fmt: skip
MEMBERS = {"member", "paid_member", "moderator", "admin", "newcomer", "veteran", "released"}
# As the course and lesson pages decide (courses/access.py): a banned member sees what a
# visitor does; moderators see every gated course but drafts, and wait for drips as members
# do; admins are never locked out. The drip lesson opens 7 days after enrolling (the veteran
# enrolled 8 days ago, the newcomer today; an admin released the last one's modules); the
# dated one in 3 days for everyone but admins.
MAY_SEE = {
    "public course": set(EVERYONE),
    "members course": MEMBERS,
    "paid course": {"paid_member", "moderator", "admin"},
    "draft course": {"admin"},
    "deleted course": set(),
    "open lesson": MEMBERS,
    "drip lesson": {"admin", "veteran", "released"},
    "dated lesson": {"admin", "released"},
    "paid lesson": {"paid_member", "moderator", "admin"},
    "draft lesson": {"admin"},
    "deleted lesson": set(),
}


@pytest.mark.parametrize("persona", EVERYONE)
def test_each_searcher_finds_exactly_what_they_may_open(request, matrix, persona):
    searcher = matrix["members"].get(persona) or request.getfixturevalue(persona)
    groups = search.search(searcher, "quokka", kinds=["courses", "lessons"])
    shown = {(result.kind, result.id) for group in groups for result in group.results}
    for name, thing in matrix["things"].items():
        kind = "courses" if name.endswith("course") else "lessons"
        assert ((kind, thing.pk) in shown) is (persona in MAY_SEE[name]), (persona, name)


def test_a_drip_lesson_is_found_once_its_module_opens_for_the_member(member):
    lesson = LessonFactory(module=ModuleFactory(drip_days=2), content="dovetail")
    assert found(member, "dovetail", "lessons") == []  # not enrolled: it counts from enrolling
    enrollment = EnrollmentFactory(course=lesson.course, user=member)
    assert found(member, "dovetail", "lessons") == []
    enrollment.enrolled_at = timezone.now() - timedelta(days=2)
    enrollment.save()
    assert found(member, "dovetail", "lessons") == [lesson.pk]


# --- The API ---------------------------------------------------------------------------------


def test_the_api_searches_lessons_alone(member):
    lesson = LessonFactory(title="Glazing", content="Dip the pot in the glaze")
    answer = api_as(member).get(URL, {"q": "glaze", "kinds": "lessons"})
    assert answer.status_code == 200
    (group,) = answer.json()["groups"]
    assert (group["kind"], group["label"]) == ("lessons", "Lessons")
    (result,) = group["results"]
    assert result["id"] == lesson.pk
    assert result["url"] == reverse("courses:lesson", args=[lesson.course.slug, lesson.pk])
    assert "<mark>glaze</mark>" in result["snippet"]


def test_the_api_still_refuses_an_unknown_kind(member):
    answer = api_as(member).get(URL, {"q": "glaze", "kinds": "lessons,lesson"})
    assert answer.status_code == 400
    assert list(answer.json()["fields"]) == ["kinds"]


def test_the_query_count_does_not_grow_with_the_results(member):
    def add(count):
        for _ in range(count):
            course = CourseFactory(description="Turning on a lathe")
            LessonFactory(module__course=course, content="lathe")
            EnrollmentFactory(course=course, user=member)

    add(3)
    SpaceFactory(description="Lathe owners")
    client = api_as(member)
    # Each kind costs what the service reads for any kind (the matches, their rows: as many
    # as for community's spaces), its title and link reading nothing more (lessons join
    # their course); lessons add the member's enrollments, read once for the drip. The
    # member's tiers are read by the warm-up calls and remembered.
    spaces = {"q": "lathe", "kinds": "spaces"}
    client.get(URL, spaces)
    per_kind, _ = count_queries(lambda: client.get(URL, spaces))
    assert_constant_queries(
        lambda: client.get(URL, {"q": "lathe", "kinds": "courses,lessons"}),
        grow=lambda: add(30),
        bound=2 * per_kind + 1,
        warm_up=True,
    )
