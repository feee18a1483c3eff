"""The benchmark's direct messages (bench/conversations.py): the tiny scale loads its
conversations with both sides and their messages (the reader's 1,000-message thread on the
larger scales, a quarter of the tiny's messages here), a scale loaded before them gets the
same rows added, and the conversation scenarios answer 200 for the reader within query
budgets that do not grow with the data."""

import pytest
from django.db.models import Count, F, Max

from bench import conversations as bench_conversations
from bench.scales import SCALES
from bench.scenarios import SCENARIOS
from messaging.models import Conversation, Message, Participant
from messaging.services import conversations as dm
from tests.factories import UserFactory

from .conftest import seed_tiny
from .reader import ScenarioReader

SCENARIO_NAMES = bench_conversations.CONVERSATION_SCENARIOS
pytestmark = pytest.mark.usefixtures("bench_app", "default_ladder")


def test_the_conversation_pages_and_lists_are_registered_read_scenarios():
    scenarios = {scenario.name: scenario for scenario in SCENARIOS.registered()}
    for name in SCENARIO_NAMES:
        assert scenarios[name].needs
        assert scenarios[name].auth == ("token" if name.startswith("api-") else "session")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_conversations_load_whole_and_are_added_to_an_older_scale():
    seed_tiny()
    scale = SCALES["tiny"]
    assert bench_conversations.loaded("tiny")
    assert Conversation.objects.count() == scale.conversations
    assert Message.objects.count() == scale.messages
    assert Participant.objects.count() == 2 * scale.conversations
    # Every conversation: two sides, its latest message set, each side's list time that
    # message's; nobody has read past it, and some have not read it yet.
    latest = Message.objects.values("conversation").annotate(last=Max("id"), n=Count("id"))
    assert all(row["n"] >= 1 for row in latest)
    assert {row["conversation"]: row["last"] for row in latest} == dict(
        Conversation.objects.values_list("pk", "last_message_id")
    )
    assert not Participant.objects.filter(last_read_id__gt=F("conversation__last_message_id"))
    assert Participant.objects.filter(last_read_id__lt=F("conversation__last_message_id"))
    assert not Participant.objects.exclude(latest_at=F("conversation__last_message__created_at"))
    reader = ScenarioReader()
    thread = Message.objects.filter(conversation_id=reader.ctx.conversation_id)
    assert thread.count() == bench_conversations.thread_messages(scale)

    shape = Message.objects.count()
    Conversation.objects.all().delete()
    assert not bench_conversations.loaded("tiny")
    assert "direct messages" in seed_tiny()
    assert Message.objects.count() == shape
    assert "direct messages" not in seed_tiny()  # once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_conversation_scenarios_answer_within_their_query_budgets(settings):
    settings.AGORA_MESSAGES_PER_MINUTE = 1_000
    seed_tiny()
    reader = ScenarioReader()
    assert reader.ctx.thread_deep_cursor
    before = reader.responses(SCENARIO_NAMES)
    for name, (count, _response) in before.items():
        assert count <= bench_conversations.QUERY_BUDGETS[name], (name, count)

    for _ in range(25):  # past a page of new conversations, each with news
        someone = UserFactory()
        dm.send_message(someone, dm.start_conversation(someone, reader.member), body="Hello")
    talk = Conversation.objects.get(pk=reader.ctx.conversation_id)
    for _ in range(40):
        dm.send_message(talk.low, talk, body="More")
    after = reader.responses(SCENARIO_NAMES)
    for name in SCENARIO_NAMES:
        assert after[name][0] == before[name][0], (name, before[name][0], after[name][0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_message_write_scenario_sends_for_every_writer_and_the_checks_hold(settings):
    from rest_framework.test import APIClient

    from bench.accounts import bench_members, issue_tokens
    from bench.checks import run_checks
    from bench.writes import WRITE_SCENARIOS, build_write_context

    settings.AGORA_MESSAGES_PER_MINUTE = 1_000
    seed_tiny()
    ctx = ScenarioReader().ctx
    writers = bench_members("tiny", first=20, count=6)
    wctx = build_write_context("tiny", issue_tokens(writers), ctx, members=writers)
    assert len(wctx.conversations) == len(writers)
    scenario = next(s for s in WRITE_SCENARIOS.registered() if s.name == "message-send")
    client = APIClient()
    for method, path, token, body in scenario.requests(wctx) * 2:
        response = client.generic(
            method, path, body, content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
        assert response.status_code == 201, (path, response.status_code, response.content)
    assert [r.line() for r in run_checks() if not r.ok] == []
