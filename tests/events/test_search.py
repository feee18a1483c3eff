"""Events in search (events/search_kinds.py): found with a snippet and a link to their page,
only by who may see them (events/access.py: the gating of their visibility and tier, deleted
ones for nobody). Runs on both engines."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from community import search
from tests.factories import EventFactory, SpaceFactory, TierFactory
from tests.helpers import api_as, assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db

URL = reverse("api-search")


def found(searcher, query):
    (group,) = search.search(searcher, query, kinds=["events"])
    return [result.id for result in group.results]


def test_an_event_is_found_by_title_and_description_and_links_to_its_page(client, member):
    # 23:30 UTC is already the next day where the event happens.
    starts_at = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)
    event = EventFactory(title="Seed swap", description="Bring tomato seeds to share.",
                         starts_at=starts_at, time_zone="Asia/Tokyo")  # fmt: skip
    EventFactory(title="Book club", description="This month: a novel.")
    (result,) = search.search(member, "tomatoes", kinds=["events"])[0].results
    assert (result.id, result.title) == (event.pk, "Seed swap (Fri 11 Dec 2026)")
    assert result.url == reverse("events:event", args=[event.slug])
    assert "<mark>tomato</mark>" in str(result.snippet)
    assert result.time == event.created_at
    assert found(member, "swap") == [event.pk]
    client.force_login(member)
    assert "Bring tomato seeds to share." in client.get(result.url).content.decode()


def test_a_repeating_events_title_says_it_repeats_from_its_first_date(member):
    EventFactory(title="Repair café", weekly=True, time_zone="UTC",
                 starts_at=datetime(2027, 1, 5, 18, tzinfo=UTC))  # fmt: skip
    (result,) = search.search(member, "repair", kinds=["events"])[0].results
    assert result.title == "Repair café (repeats from Tue 5 Jan 2027)"


def test_edits_and_deletes_update_what_is_found(member):
    event = EventFactory(title="Night walk")
    event.title = "Owl walk"
    event.save()
    assert found(member, "night") == []
    assert found(member, "owl") == [event.pk]
    event.delete()
    assert found(member, "owl") == []


# --- Who finds what ------------------------------------------------------------------------


@pytest.fixture
def matrix(pro, moderator):
    """One findable event of each sort; every description holds the word "wombat"."""
    staff_tier = TierFactory(name="Staff", listed=False)
    return {
        "public event": EventFactory(public=True, description="wombat public"),
        "members event": EventFactory(description="wombat members"),
        "paid event": EventFactory(paid=True, required_tier=pro, description="wombat paid"),
        "staff event": EventFactory(paid=True, required_tier=staff_tier,
                                    description="wombat staff"),
        "cancelled event": EventFactory(cancelled=True, description="wombat cancelled"),
        "deleted event": EventFactory(deleted=True, description="wombat deleted"),
    }  # fmt: skip


EVERYONE = ("anonymous", "member", "paid_member", "moderator", "admin", "banned_member")
MEMBERS = {"member", "paid_member", "moderator", "admin"}
# As the event page decides (events/access.py): a paid event for holders of its tier,
# moderators and admins (a member without the tier may preview it on its page, but search
# lists what they may open, as it does for paid spaces); a cancelled event stays visible
# (its page says so); a banned member sees what a visitor does.
MAY_SEE = {
    "public event": set(EVERYONE),
    "members event": MEMBERS,
    "paid event": {"paid_member", "moderator", "admin"},
    "staff event": {"moderator", "admin"},
    "cancelled event": MEMBERS,
    "deleted event": set(),
}


@pytest.mark.parametrize("persona", EVERYONE)
def test_each_searcher_finds_exactly_what_they_may_see(request, matrix, persona):
    shown = set(found(request.getfixturevalue(persona), "wombat"))
    for name, event in matrix.items():
        assert (event.pk in shown) is (persona in MAY_SEE[name]), (persona, name)


def test_the_api_searches_events(member):
    event = EventFactory(title="Repair café")
    answer = api_as(member).get(URL, {"q": "repair", "kinds": "events"})
    assert answer.status_code == 200
    (group,) = answer.json()["groups"]
    assert [result["url"] for result in group["results"]] == [
        reverse("events:event", args=[event.slug])
    ]


def test_the_query_count_does_not_grow_with_the_results(member):
    def add(count):
        for _ in range(count):
            EventFactory(description="Kayak trip")

    add(3)
    SpaceFactory(description="Kayak club")
    client = api_as(member)
    # What the service reads for any kind (the matches, their rows: as many as for
    # community's spaces), the title and link reading nothing more. The member's tiers are
    # read by the warm-up calls and remembered.
    spaces = {"q": "kayak", "kinds": "spaces"}
    client.get(URL, spaces)
    per_kind, _ = count_queries(lambda: client.get(URL, spaces))
    assert_constant_queries(
        lambda: client.get(URL, {"q": "kayak", "kinds": "events"}),
        grow=lambda: add(30),
        bound=per_kind,
        warm_up=True,
    )
