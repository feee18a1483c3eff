"""The live socket end to end: Channels' WebsocketCommunicator against the real ASGI app."""

import asyncio
import json
from datetime import datetime

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from community import live, services
from community.models import Tier
from config.asgi import application
from tests.helpers import ORIGIN, connect, run, session_headers, subscribe

# The socket reads sessions and tokens from other threads: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_anonymous_socket_is_closed_with_a_code_the_client_understands():
    async def scenario():
        communicator, connected = await connect([ORIGIN])
        assert connected  # accepted, then closed: the browser sees 4401, not a network error
        assert await communicator.receive_output(timeout=1) == {
            "type": "websocket.close",
            "code": 4401,
        }

    run(scenario)


def test_a_member_receives_their_own_user_events_after_commit(member):
    headers = session_headers(member)

    async def scenario():
        communicator, connected = await connect(headers)
        assert connected
        assert await subscribe(communicator, f"user:{member.pk}") == {
            "type": "subscribed",
            "topic": f"user:{member.pk}",
        }
        await database_sync_to_async(services.update_profile)(member, bio="live!")
        event = await communicator.receive_json_from(timeout=2)
        sent_at = datetime.fromisoformat(event.pop("sent_at"))
        assert abs((timezone.now() - sent_at).total_seconds()) < 5
        assert event == {"topic": f"user:{member.pk}", "type": "profile.updated", "id": member.pk}
        await communicator.disconnect()

    run(scenario)


def test_another_members_topic_is_refused_and_their_events_never_arrive(member, other_member):
    headers = session_headers(member)

    async def scenario():
        mine, _ = await connect(headers)
        reply = await subscribe(mine, f"user:{other_member.pk}")
        assert reply == {
            "type": "error",
            "code": "forbidden",
            "detail": "You may not see this topic.",
            "topic": f"user:{other_member.pk}",
        }
        await database_sync_to_async(services.update_profile)(other_member, bio="private")
        assert await mine.receive_nothing(timeout=0.3)
        await mine.disconnect()

    run(scenario)


@pytest.mark.skipif(
    "RedisChannelLayer" not in settings.CHANNEL_LAYERS["default"]["BACKEND"],
    reason="the idle-read timeout is the Redis channel layer's (run with REDIS_URL)",
)
def test_an_idle_socket_stays_open_past_the_redis_read_timeouts(member):
    """channels_redis blocks 5 s per pop and redis-py 8 times reads out after 5 s by default:
    without a longer socket_timeout an idle socket was closed with 1011."""
    headers = session_headers(member)

    async def scenario():
        communicator, connected = await connect(headers)
        assert connected
        await subscribe(communicator, f"user:{member.pk}")
        assert await communicator.receive_nothing(timeout=11, interval=0.5)
        await database_sync_to_async(services.update_profile)(member, bio="still here")
        event = await communicator.receive_json_from(timeout=3)
        assert event["type"] == "profile.updated"
        await communicator.disconnect()

    run(scenario)


@pytest.mark.skipif(
    "RedisChannelLayer" not in settings.CHANNEL_LAYERS["default"]["BACKEND"],
    reason="the connection pool limit is the Redis channel layer's (run with REDIS_URL)",
)
def test_hundreds_of_sockets_opening_and_closing_at_once_all_join_and_leave(member):
    """The Redis layer's pool (100 connections a process) refused group_add/group_discard
    when hundreds of sockets came or went at once (a deploy, the 5,000-client benchmark):
    sockets closed before subscribing and dead channels stayed in their groups."""
    headers = session_headers(member)
    count = 200  # each joins two groups: four times the pool
    topic = f"user:{member.pk}"

    async def open_and_subscribe():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect(timeout=60)
        await communicator.send_json_to({"action": "subscribe", "topic": topic})
        return communicator, connected, await communicator.receive_json_from(timeout=60)

    async def scenario():
        opened = await asyncio.gather(*(open_and_subscribe() for _ in range(count)))
        assert all(connected and reply["type"] == "subscribed" for _, connected, reply in opened)
        await asyncio.gather(*(c.disconnect(timeout=60) for c, _, _ in opened))
        layer = get_channel_layer()
        async with layer.connection(layer.consistent_hash(live.member_group(member.pk))) as conn:
            left = await conn.zcard(layer._group_key(live.member_group(member.pk)))
        assert left == 0

    run(scenario)


def test_an_integration_connects_with_an_api_token(member):
    _token, raw_key = services.create_api_token(member, name="bot")

    async def scenario():
        communicator, connected = await connect([(b"authorization", f"Bearer {raw_key}".encode())])
        assert connected
        assert (await subscribe(communicator, f"user:{member.pk}"))["type"] == "subscribed"
        await communicator.disconnect()

        bad, _ = await connect([(b"authorization", b"Bearer agora_wrong")])
        assert (await bad.receive_output(timeout=1))["code"] == 4401

    run(scenario)


def test_a_session_socket_from_another_site_is_refused(member):
    headers = [h for h in session_headers(member) if h[0] != b"origin"]

    async def scenario():
        _c, connected = await connect([*headers, (b"origin", b"https://evil.example")])
        assert not connected
        _c, connected = await connect(headers)  # no Origin at all
        assert not connected

    run(scenario)


def test_a_banned_member_cannot_connect(member, moderator):
    headers = session_headers(member)
    services.ban_member(moderator, member=member, reason="spam")

    async def scenario():
        communicator, _ = await connect(headers)
        assert (await communicator.receive_output(timeout=1))["code"] == 4401

    run(scenario)


def test_a_ban_closes_the_sockets_already_open(member, moderator):
    headers = session_headers(member)

    async def scenario():
        communicator, connected = await connect(headers)
        assert connected
        await subscribe(communicator, f"user:{member.pk}")
        await database_sync_to_async(services.ban_member)(moderator, member=member, reason="x")
        assert await communicator.receive_output(timeout=2) == {
            "type": "websocket.close",
            "code": 4401,
        }

    run(scenario)


def test_revoking_a_token_closes_its_open_sockets_only(member):
    token, raw_key = services.create_api_token(member, name="bot")
    session = session_headers(member)

    async def scenario():
        bot, _ = await connect([(b"authorization", f"Bearer {raw_key}".encode())])
        browser, _ = await connect(session)
        await database_sync_to_async(services.revoke_api_token)(member, token_id=token.pk)
        assert (await bot.receive_output(timeout=2))["code"] == 4401
        assert await browser.receive_nothing(timeout=0.3)
        await browser.disconnect()

    run(scenario)


def test_bad_messages_get_an_error_not_a_crash(member):
    headers = session_headers(member)

    async def scenario():
        communicator, _ = await connect(headers)
        assert (await subscribe(communicator, "not a topic"))["code"] == "bad_topic"
        await communicator.send_json_to({"action": "dance"})
        assert (await communicator.receive_json_from())["code"] == "unknown_action"
        await communicator.send_json_to({"action": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
        await communicator.disconnect()

    run(scenario)


# Each bad input answers {"type": "error", "code": …, "detail": …} and the socket stays
# open: before, bad JSON and binary frames raised in the consumer (a traceback, close 1011).
BAD_INPUT = [
    ("not JSON", {"text": "subscribe me"}, "bad_json"),
    ("empty text frame", {"text": ""}, "bad_json"),
    ("truncated JSON", {"text": '{"action": "subscribe", '}, "bad_json"),
    ("JSON nested too deep", {"text": "[" * 4000}, "bad_json"),
    ("binary frame", {"bytes": b'{"action": "ping"}'}, "binary_not_supported"),
    ("unknown action", {"text": '{"action": "dance"}'}, "unknown_action"),
    ("no action", {"text": '{"topic": "user:1"}'}, "unknown_action"),
    ("not an object", {"text": "[1, 2]"}, "bad_request"),
    ("unsubscribe from a list", {"text": '{"action": "unsubscribe", "topic": [1]}'},
     "bad_request"),
    ("unsubscribe unknown", {"text": '{"action": "unsubscribe", "topic": "user:1"}'},
     "bad_request"),
]  # fmt: skip


@pytest.mark.parametrize(
    "frame, code", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_gets_an_error_and_the_socket_stays_open(member, frame, code):
    headers = session_headers(member)

    async def scenario():
        communicator, _ = await connect(headers)
        await communicator.send_input({"type": "websocket.receive", **frame})
        reply = await communicator.receive_json_from(timeout=2)
        assert reply["type"] == "error" and reply["code"] == code, reply
        assert isinstance(reply["detail"], str) and reply["detail"]
        await communicator.send_json_to({"action": "ping"})  # still open, still answering
        assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}
        await communicator.disconnect()

    run(scenario)


def test_an_oversized_message_gets_an_error_then_close_1009(member):
    from community.consumers import CLOSE_TOO_LARGE, MAX_MESSAGE_BYTES

    headers = session_headers(member)
    padding = "x" * MAX_MESSAGE_BYTES

    async def scenario():
        communicator, _ = await connect(headers)
        # Just under the limit is an ordinary message.
        fits = json.dumps({"action": "ping", "pad": padding[: MAX_MESSAGE_BYTES - 40]})
        await communicator.send_to(text_data=fits)
        assert await communicator.receive_json_from(timeout=2) == {"type": "pong"}
        # Over it, counted in bytes: 3,000 three-byte characters are 9,000 bytes.
        for too_large in (json.dumps({"action": "ping", "pad": padding}), "€" * 3000):
            communicator, _ = await connect(headers)
            await communicator.send_to(text_data=too_large)
            reply = await communicator.receive_json_from(timeout=2)
            assert reply["type"] == "error" and reply["code"] == "too_large"
            assert str(MAX_MESSAGE_BYTES) in reply["detail"]
            assert await communicator.receive_output(timeout=2) == {
                "type": "websocket.close",
                "code": CLOSE_TOO_LARGE,
            }

    run(scenario)


def test_space_and_post_topics_follow_what_the_member_may_see(member, admin):
    pro = Tier.objects.create(name="Pro", slug="pro")
    open_space = services.create_space(admin, name="General", visibility="members")
    paid = services.create_space(admin, name="Paid", visibility="paid", required_tier=pro)
    visible = services.create_post(admin, space=open_space, body="hello")
    hidden = services.create_post(admin, space=paid, body="for pros")
    headers = session_headers(member)

    async def scenario():
        communicator, _ = await connect(headers)
        for topic, expected in [
            (f"space:{open_space.pk}", "subscribed"),
            (f"post:{visible.pk}", "subscribed"),
            (f"space:{paid.pk}", "error"),
            (f"post:{hidden.pk}", "error"),
            ("space:999999", "error"),
        ]:
            assert (await subscribe(communicator, topic))["type"] == expected, topic
        await communicator.disconnect()

    run(scenario)
