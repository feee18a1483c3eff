"""Live subscriptions follow access (issue 11, item 4): when a write takes away a member's
right to see a topic, their open sockets leave it and say so, and no event of that topic
reaches them afterwards. Real sockets (WebsocketCommunicator) against the ASGI app."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from community import live, services, tasks
from community.models import AccessGrant
from tests.factories import AccessGrantFactory, PostFactory, SpaceFactory
from tests.helpers import connect, run, session_headers, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


def lost(topic):
    return {"type": "unsubscribed", "topic": topic, "reason": "forbidden"}


async def received(communicator, quiet=0.5):
    """Every message the socket got until it has been quiet for `quiet` seconds, without
    `sent_at` (events), in order."""
    messages = []
    while not await communicator.receive_nothing(timeout=quiet):
        message = await communicator.receive_json_from()
        message.pop("sent_at", None)
        messages.append(message)
    return messages


async def subscribed(headers, *topics):
    communicator, connected = await connect(headers)
    assert connected
    for topic in topics:
        assert (await subscribe(communicator, topic))["type"] == "subscribed", topic
    return communicator


def send_event(topic, event_type, **data):
    return database_sync_to_async(live.broadcast_rollback_unsafe)(topic, event_type, **data)


def test_hiding_a_post_unsubscribes_its_viewers_but_not_the_moderators(member, moderator, space):
    post = PostFactory(space=space)
    topic = f"post:{post.pk}"
    viewer, mod = session_headers(member), session_headers(moderator)

    async def scenario():
        viewer_socket = await subscribed(viewer, topic)
        mod_socket = await subscribed(mod, topic)
        await database_sync_to_async(services.hide_post)(moderator, post=post, reason="spam")
        assert await received(viewer_socket) == [
            {"topic": topic, "type": "post.updated", "id": post.pk},
            lost(topic),
        ]
        assert await received(mod_socket) == [
            {"topic": topic, "type": "post.updated", "id": post.pk}
        ]
        await send_event(topic, "comment.created", id=1, post_id=post.pk, parent_id=None)
        assert await received(viewer_socket) == []
        assert [m["type"] for m in await received(mod_socket)] == ["comment.created"]
        # Subscribing again is refused too.
        assert (await subscribe(viewer_socket, topic))["code"] == "forbidden"
        await viewer_socket.disconnect()
        await mod_socket.disconnect()

    run(scenario)


def test_deleting_a_post_unsubscribes_everyone(member, moderator, space):
    post = PostFactory(space=space, author=member)
    topic = f"post:{post.pk}"
    viewer, mod = session_headers(member), session_headers(moderator)

    async def scenario():
        sockets = [await subscribed(viewer, topic), await subscribed(mod, topic)]
        await database_sync_to_async(services.delete_post)(member, post=post)
        for socket in sockets:
            assert (await received(socket))[-1] == lost(topic)
            await socket.disconnect()

    run(scenario)


def test_revoking_a_paid_grant_unsubscribes_the_member_from_the_paid_space(paid_member, admin, pro):
    paid = SpaceFactory(name="Pros", visibility="paid", required_tier=pro)
    general = SpaceFactory(name="Open")
    other_holder = AccessGrantFactory(tier=pro).user
    grant = AccessGrant.objects.get(user=paid_member)
    paid_topic, open_topic = f"space:{paid.pk}", f"space:{general.pk}"
    member_headers, other_headers = session_headers(paid_member), session_headers(other_holder)

    async def scenario():
        socket = await subscribed(member_headers, paid_topic, open_topic)
        second_tab = await subscribed(member_headers, paid_topic)
        other = await subscribed(other_headers, paid_topic)
        await database_sync_to_async(services.revoke_access)(admin, grant=grant, reason="refund")
        assert await received(socket) == [lost(paid_topic)]  # the open space stays
        assert await received(second_tab) == [lost(paid_topic)]
        assert await received(other) == []
        post = await database_sync_to_async(services.create_post)(admin, space=paid, body="hi")
        assert await received(socket) == []
        assert await received(second_tab) == []
        assert await received(other) == [
            {"topic": paid_topic, "type": "post.created", "id": post.pk}
        ]
        # The socket does not remember the tier it had: subscribing again is refused.
        assert (await subscribe(socket, paid_topic))["code"] == "forbidden"
        for communicator in (socket, second_tab, other):
            await communicator.disconnect()

    run(scenario)


def test_a_grant_given_while_the_socket_is_open_lets_it_subscribe(member, admin, pro):
    paid = SpaceFactory(name="Pros", visibility="paid", required_tier=pro)
    topic = f"space:{paid.pk}"
    headers = session_headers(member)

    async def scenario():
        socket, _ = await connect(headers)
        assert (await subscribe(socket, topic))["code"] == "forbidden"
        await database_sync_to_async(services.grant_access)(admin, member=member, tier=pro)
        assert (await subscribe(socket, topic))["type"] == "subscribed"
        await socket.disconnect()

    run(scenario)


def test_a_space_turning_paid_unsubscribes_those_without_the_tier(
    member, paid_member, moderator, admin, pro
):
    space = SpaceFactory(name="Soon paid")
    post = PostFactory(space=space)
    topics = [f"space:{space.pk}", f"post:{post.pk}"]
    free, paying, mod = (session_headers(m) for m in (member, paid_member, moderator))

    async def scenario():
        free_socket = await subscribed(free, *topics)
        keep = [await subscribed(paying, *topics), await subscribed(mod, *topics)]
        await database_sync_to_async(services.update_space)(
            admin, space=space, visibility="paid", required_tier=pro
        )
        assert sorted(m["topic"] for m in await received(free_socket)) == sorted(topics)
        for socket in keep:
            assert await received(socket) == []
        new = await database_sync_to_async(services.create_post)(admin, space=space, body="$")
        assert await received(free_socket) == []
        for socket in keep:
            assert await received(socket) == [
                {"topic": topics[0], "type": "post.created", "id": new.pk}
            ]
        for socket in (free_socket, *keep):
            await socket.disconnect()

    run(scenario)


def test_a_space_change_that_keeps_who_may_see_it_rechecks_nothing(member, admin, space):
    headers = session_headers(member)
    rechecked = []
    real = live.recheck_now

    def spy(*topics):
        rechecked.extend(topics)
        return real(*topics)

    live.recheck_now = spy
    try:

        async def scenario():
            socket = await subscribed(headers, f"space:{space.pk}")
            await database_sync_to_async(services.update_space)(admin, space=space, name="New")
            assert await received(socket) == []
            await socket.disconnect()

        run(scenario)
    finally:
        live.recheck_now = real
    assert rechecked == []


def test_deleting_a_space_unsubscribes_its_and_its_posts_subscribers(member, admin, space):
    post = PostFactory(space=space)
    topics = [f"space:{space.pk}", f"post:{post.pk}"]
    headers = session_headers(member)

    async def scenario():
        socket = await subscribed(headers, *topics)
        await database_sync_to_async(services.delete_space)(admin, space=space)
        assert sorted(m["topic"] for m in await received(socket)) == sorted(topics)
        await socket.disconnect()

    run(scenario)


def test_the_periodic_task_unsubscribes_members_whose_grant_ended(paid_member, pro):
    paid = SpaceFactory(name="Pros", visibility="paid", required_tier=pro)
    topic = f"space:{paid.pk}"
    grant = AccessGrant.objects.get(user=paid_member)
    headers = session_headers(paid_member)
    # Long ended: outside the task's window, never rechecked again.
    AccessGrantFactory(tier=pro, expired=True)

    async def scenario():
        socket = await subscribed(headers, topic)
        assert await database_sync_to_async(tasks.recheck_ended_grants)() == 0
        assert await received(socket) == []
        # The grant runs out (as time passing would leave it).
        await database_sync_to_async(AccessGrant.objects.filter(pk=grant.pk).update)(
            starts_at=timezone.now() - timedelta(days=1),
            ends_at=timezone.now() - timedelta(seconds=5),
        )
        assert await database_sync_to_async(tasks.recheck_ended_grants)() == 1
        assert await received(socket) == [lost(topic)]
        # Run again (the next minute, or a retry): the same member, nothing left to leave.
        assert await database_sync_to_async(tasks.recheck_ended_grants)() == 1
        assert await received(socket) == []
        await socket.disconnect()

    run(scenario)


def test_the_task_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recheck-live-subscriptions-of-ended-grants"]
    assert entry == {"task": "community.tasks.recheck_ended_grants", "schedule": 60}
    assert timedelta(seconds=entry["schedule"]) < tasks.ENDED_GRANTS_WINDOW
