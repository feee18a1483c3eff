"""Points and levels in the member directory (issue 16, item 3), added through community's
directory seams: a Points sort, a level filter, and each card's level and points."""

import pytest
from django.urls import reverse

from gamification.models import Level, Score
from tests.community.test_directory import MEMBERS, api_ids, make_members
from tests.factories import UserFactory
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db


def level(name):
    return Level.objects.get(name=name)


def score(member, points):
    """A member's score as recompute_score leaves it (the level the points reach)."""
    reached = Level.objects.filter(threshold__lte=points).order_by("-threshold").first()
    Score.objects.update_or_create(member=member, defaults={"points": points, "level": reached})


@pytest.fixture
def viewer():
    return UserFactory()


def test_the_points_sort_lists_the_highest_first_and_pages_without_repeats(viewer):
    members = make_members(7)
    for points, member in zip([3, 40, 40, 0, 120, 7, 21], members, strict=True):
        score(member, points)
    score(viewer, 0)  # as joining leaves every member (below)
    api = api_as(viewer)
    first = api.get(MEMBERS, {"sort": "points", "size": 4})
    rest = api.get(MEMBERS, {"sort": "points", "size": 4, "cursor": first.json()["next_cursor"]})
    order = api_ids(first) + api_ids(rest)
    by_points = {m.pk: p for m, p in zip(members, [3, 40, 40, 0, 120, 7, 21], strict=True)}
    expected = sorted(by_points, key=lambda pk: (-by_points[pk], -pk))
    # The viewer has 0 points: after everyone with points.
    assert [pk for pk in order if pk != viewer.pk] == expected
    assert len(order) == len(set(order)) == 8


def test_a_new_member_gets_a_score_row_so_the_points_sort_lists_them(committed, viewer):
    member = committed(UserFactory)
    row = Score.objects.get(member=member)
    assert (row.points, row.level.name) == (0, "Newcomer")
    score(viewer, 0)
    assert member.pk in api_ids(api_as(viewer).get(MEMBERS, {"sort": "points"}))


def test_members_made_in_bulk_get_their_score_row_from_the_hourly_repair(viewer):
    from community.models import User
    from gamification import tasks

    made = User.objects.bulk_create(  # no save(), so no member_joined
        [
            User(email=f"bulk{n}@example.com", handle=f"bulk{n}", display_name=f"Bulk {n}")
            for n in range(3)
        ]
    )
    assert not Score.objects.filter(member__email__startswith="bulk").exists()
    tasks.add_missing_scores()
    rows = Score.objects.filter(member__email__startswith="bulk")
    assert sorted(rows.values_list("points", "level__name")) == [(0, "Newcomer")] * len(made)
    tasks.add_missing_scores()  # run again: nothing more
    assert rows.count() == len(made)


def test_the_level_filter_lists_the_members_at_that_level(viewer):
    regular, member, newcomer = make_members(3)
    score(regular, 30)
    score(member, 6)
    score(newcomer, 0)
    api = api_as(viewer)
    assert api_ids(api.get(MEMBERS, {"level": level("Regular").pk})) == [regular.pk]
    # The first level also lists the members with no score yet (the viewer here).
    newcomers = api_ids(api.get(MEMBERS, {"level": level("Newcomer").pk}))
    assert sorted(newcomers) == sorted([newcomer.pk, viewer.pk])
    refused = api.get(MEMBERS, {"level": 999_999})
    assert refused.status_code == 400
    assert "level" in refused.json()["fields"]


def test_the_page_offers_the_sort_and_filter_and_cards_show_level_and_points(client, viewer):
    (regular,) = make_members(1)
    score(regular, 30)
    client.force_login(viewer)
    page = client.get(reverse("community:directory"), {"sort": "points"}).content.decode()
    assert '<option value="points" selected>Points</option>' in page
    assert f'<option value="{level("Regular").pk}">Regular</option>' in page
    assert "Regular · 30 points" in page
    assert ", by points" in page
    filtered = client.get(reverse("community:directory"), {"level": level("Regular").pk})
    assert (
        f'<option value="{level("Regular").pk}" selected>Regular</option>'
        in filtered.content.decode()
    )
    assert [m.pk for m in filtered.context["members"]] == [regular.pk]


def test_the_schema_documents_the_sort_and_the_filter(client):
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"][MEMBERS]["get"]["parameters"]}
    assert "points" in parameters["sort"]["schema"]["enum"]
    assert "level" in parameters


def test_sorting_by_points_costs_the_same_with_5_or_50_members(client, viewer):
    client.force_login(viewer)
    api = api_as(viewer)

    def grow(count):
        for i, member in enumerate(make_members(count)):
            score(member, i * 7)

    grow(5)
    assert_constant_queries(
        {
            "page": lambda: client.get(reverse("community:directory"), {"sort": "points"}),
            "api": lambda: api.get(MEMBERS, {"sort": "points"}),
        },
        grow=lambda: grow(45),
        # As the directory's own test, plus the level filter's choices (1) and the header's
        # score (1) on the page.
        bound={"page": 9, "api": 2},
        warm_up=True,
    )
