"""Direct messages in search (messaging/search_kinds.py): a member finds the messages of
their own conversations, with a snippet and a link to the message in its thread; never
anyone else's (whatever their role), never a deleted one; visitors find none. Runs on both
engines."""

import pytest
from django.urls import reverse
from django.utils import timezone

from community import search
from community.models import User
from community.search import postgres
from messaging.models import Message
from messaging.services import conversations as dm
from tests.factories import SpaceFactory, UserFactory
from tests.helpers import api_as, assert_constant_queries, count_queries, search_pages_sent

pytestmark = pytest.mark.django_db

URL = reverse("api-search")


def found(searcher, query):
    (group,) = search.search(searcher, query, kinds=["messages"])
    return [result.id for result in group.results]


def say(sender, recipient, body):
    return dm.send_message(sender, dm.start_conversation(sender, recipient), body=body)


def test_a_message_is_found_with_its_sender_and_links_to_it_in_its_thread(
    member, other_member, member_client
):
    message = say(other_member, member, "The **ferry** leaves at nine")
    say(other_member, member, "See you there")
    (result,) = search.search(member, "ferry", kinds=["messages"])[0].results
    assert (result.id, result.title) == (message.pk, f"Message from {other_member.display_name}")
    thread = reverse("messaging:thread", args=[message.conversation_id])
    assert result.url == f"{thread}#message-{message.pk}"
    assert "<mark>ferry</mark>" in str(result.snippet)
    page = member_client.get(thread)
    assert page.status_code == 200 and f'id="message-{message.pk}"' in page.content.decode()


def test_from_a_member_narrows_to_their_messages(member, other_member):
    mine = say(member, other_member, "lighthouse at dusk")
    theirs = say(other_member, member, "lighthouse at dawn")
    assert found(member, "lighthouse") == [theirs.pk, mine.pk]
    assert found(member, f"lighthouse from:@{other_member.handle}") == [theirs.pk]
    assert found(member, f"from:@{member.handle}") == [mine.pk]


def test_edits_and_deletes_update_what_is_found(member, other_member):
    message = say(member, other_member, "the blue tent")
    dm.edit_message(member, message, body="the green tent")
    assert found(other_member, "blue") == []
    assert found(other_member, "green") == [message.pk]
    dm.delete_message(member, message)
    assert found(other_member, "green") == [] and found(member, "green") == []


@pytest.mark.postgres
@pytest.mark.parametrize(
    "matching",
    [range(10), range(4), range(7, 10), [0, 9], []],
    ids=["in-every-message", "old-ones-only", "newest-ones-only", "one-new-one-old", "in-none"],
)
def test_the_newest_of_a_members_matches_are_found_from_the_newest_part_of_the_table_first(
    settings, monkeypatch, member, other_member, paid_member, matching
):
    """On a large table a member's newest matches are looked for in its newest ids first,
    then in the older ones (postgres._own_walk), in the one query of the page: together
    they find exactly the newest, and none of another conversation's."""
    settings.AGORA_MESSAGES_PER_MINUTE = 1000
    settings.SEARCH_CANDIDATES = 4
    monkeypatch.setattr(postgres, "WINDOW_PER_CANDIDATE", 1)
    monkeypatch.setattr(postgres, "PLANNED_ROWS", 0)
    mine = []
    for i in range(10):
        mine.append(say(other_member, member, "osprey nest" if i in matching else "plain day"))
        say(paid_member, other_member, "osprey nest")  # not the member's
    newest_id = Message.objects.order_by("-pk").values_list("pk", flat=True)[0]
    # The newest part: the last five or six ids (three of the member's messages).
    monkeypatch.setattr(postgres, "OWN_WINDOW_PARTS", newest_id // 5)
    with search_pages_sent() as pages:
        (group,) = search.search(member, "osprey", kinds=["messages"], size=10)
    newest = sorted((mine[i].pk for i in matching), reverse=True)[:4]
    assert sorted((result.id for result in group.results), reverse=True) == newest
    assert len(pages) == 1 and postgres._WINDOW in pages[0]


# --- Who finds what ------------------------------------------------------------------------


@pytest.fixture
def matrix(member, other_member, paid_member, admin):
    """Messages in three conversations, each holding the word "pelican"."""
    soon_banned = UserFactory()
    deleted_words_kept = say(other_member, member, "pelican kept words")
    Message.objects.filter(pk=deleted_words_kept.pk).update(deleted_at=timezone.now())
    deleted = say(member, other_member, "pelican deleted")
    dm.delete_message(member, deleted)
    things = {
        "member's message": say(member, other_member, "pelican from member"),
        "reply to member": say(other_member, member, "pelican reply"),
        "elsewhere": say(paid_member, other_member, "pelican elsewhere"),
        "to the banned": say(admin, soon_banned, "pelican before the ban"),
        "deleted": deleted,
        "deleted, words kept": deleted_words_kept,
    }
    User.objects.filter(pk=soon_banned.pk).update(banned_at=timezone.now())
    return {"things": things, "banned": User.objects.get(pk=soon_banned.pk)}


EVERYONE = ("anonymous", "member", "other_member", "paid_member", "moderator", "admin",
            "banned")  # fmt: skip
# Only a conversation's two participants read it (messaging/access.py): moderators and
# admins who are not in it do not; a banned participant searches as a visitor does; a
# deleted message is found by no one, even with its words still in the row.
MAY_SEE = {
    "member's message": {"member", "other_member"},
    "reply to member": {"member", "other_member"},
    "elsewhere": {"paid_member", "other_member"},
    "to the banned": {"admin"},
    "deleted": set(),
    "deleted, words kept": set(),
}


@pytest.mark.parametrize("persona", EVERYONE)
def test_each_searcher_finds_only_their_own_conversations(request, matrix, persona):
    searcher = matrix["banned"] if persona == "banned" else request.getfixturevalue(persona)
    shown = set(found(searcher, "pelican"))
    for name, message in matrix["things"].items():
        assert (message.pk in shown) is (persona in MAY_SEE[name]), (persona, name)


def test_the_api_searches_messages_and_visitors_must_sign_in(member, other_member):
    message = say(other_member, member, "walrus sighting")
    answer = api_as(member).get(URL, {"q": "walrus", "kinds": "messages"})
    assert answer.status_code == 200
    (group,) = answer.json()["groups"]
    assert [result["id"] for result in group["results"]] == [message.pk]
    assert api_as(None).get(URL, {"q": "walrus", "kinds": "messages"}).status_code == 401


def test_the_query_count_does_not_grow_with_the_results(settings, member):
    settings.AGORA_MESSAGES_PER_MINUTE = 1000

    def add(count):
        for _ in range(count):
            say(UserFactory(), member, "heron on the pier")

    add(3)
    SpaceFactory(description="Heron watchers")
    client = api_as(member)
    # What the service reads for any kind (the matches, their rows: as many as for
    # community's spaces), senders joined for the titles; the member's conversations are a
    # subquery. The member's tiers (for the spaces) are read by the warm-up calls.
    spaces = {"q": "heron", "kinds": "spaces"}
    client.get(URL, spaces)
    per_kind, _ = count_queries(lambda: client.get(URL, spaces))
    assert_constant_queries(
        lambda: client.get(URL, {"q": "heron", "kinds": "messages"}),
        grow=lambda: add(30),
        bound=per_kind,
        warm_up=True,
    )
