import asyncio
import weakref

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import access, live
from .models import User

MAX_TOPICS_PER_SOCKET = 100
CLOSE_UNAUTHENTICATED = 4401
# A client message is a small JSON object ({"action": "subscribe", "topic": "post:12"}):
# anything larger is refused with an error and the socket closed with 1009 (Message Too
# Big). The servers cap frames too, before they reach us: daphne at 1 MiB
# (--websocket_max_message_size), uvicorn at 16 MiB (--ws-max-size).
MAX_MESSAGE_BYTES = 8 * 1024
CLOSE_TOO_LARGE = 1009
ACTIONS = ("subscribe", "unsubscribe", "ping")
# Group joins and leaves in flight at once, per server process. The Redis layer's pool holds
# 100 connections a process and refuses the 101st instead of waiting: when hundreds of
# sockets opened or closed together, joins failed and leaves were lost.
GROUP_CALLS_AT_ONCE = 50
_group_call_slots = weakref.WeakKeyDictionary()  # event loop -> Semaphore


def _slots():
    loop = asyncio.get_running_loop()
    if loop not in _group_call_slots:
        _group_call_slots[loop] = asyncio.Semaphore(GROUP_CALLS_AT_ONCE)
    return _group_call_slots[loop]


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per page: the client subscribes to topics; events arrive as JSON.

    Client -> server: {"action": "subscribe" | "unsubscribe", "topic": "user:12"},
                      {"action": "ping"}  (JSON text frames of at most MAX_MESSAGE_BYTES)
    Server -> client: {"type": "subscribed" | "unsubscribed", "topic": …},
                      {"type": "unsubscribed", "topic": …, "reason": "forbidden"} when access
                      to a subscribed topic was taken away (see live.recheck_on_commit),
                      {"type": "error", "code": …, "detail": …[, "topic": …]}, and the live
                      events themselves. Bad input never crashes the socket: codes bad_json,
                      binary_not_supported, bad_request, unknown_action, bad_topic,
                      too_many_topics, forbidden; too_large also closes it with 1009.
    """

    async def connect(self):
        self.topics = set()
        self.control_groups = []
        user = self.scope.get("user")
        # Accept, then close with our code: a refused handshake reaches the browser as 1006
        # and the client could not tell "signed out" from "network down".
        await self.accept()
        if not access.is_active_member(user):
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.control_groups.append(live.member_group(user.pk))
        if self.scope.get("api_token_id"):
            self.control_groups.append(live.token_group(self.scope["api_token_id"]))
        for group in self.control_groups:
            await self.join(group)

    async def disconnect(self, code):
        for group in [*self.control_groups, *map(live.group_name, self.topics)]:
            async with _slots():
                await self.channel_layer.group_discard(group, self.channel_name)

    async def join(self, group):
        async with _slots():
            await self.channel_layer.group_add(group, self.channel_name)

    async def live_close(self, message):
        """The member was banned or the socket's token revoked."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def send_error(self, code, detail, **extra):
        await self.send_json({"type": "error", "code": code, "detail": detail, **extra})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """AsyncJsonWebsocketConsumer.receive raises on a binary frame or bad JSON (a
        traceback and close 1011): each bad input gets an error instead."""
        if text_data is None:
            await self.send_error("binary_not_supported", "Send JSON in text frames.")
            return
        if len(text_data) > MAX_MESSAGE_BYTES or len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.send_error("too_large", f"A message is at most {MAX_MESSAGE_BYTES} bytes.")
            await self.close(code=CLOSE_TOO_LARGE)
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):  # JSONDecodeError; nesting too deep
            await self.send_error("bad_json", "A message is one JSON object.")
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_error("bad_request", 'Send a JSON object: {"action": …}.')
            return
        action, topic = content.get("action"), content.get("topic")
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action == "subscribe":
            await self.subscribe(topic)
        elif action == "unsubscribe":
            if not (isinstance(topic, str) and topic in self.topics):
                await self.send_error("bad_request", "Not subscribed to this topic.", topic=topic)
                return
            await self.leave(topic)
            await self.send_json({"type": "unsubscribed", "topic": topic})
        else:
            await self.send_error(
                "unknown_action", f"The actions are {', '.join(ACTIONS)}.", topic=topic
            )

    async def leave(self, topic):
        self.topics.discard(topic)
        async with _slots():
            await self.channel_layer.group_discard(live.group_name(topic), self.channel_name)

    async def subscribe(self, topic):
        if not isinstance(topic, str) or not live.TOPIC_RE.match(topic):
            await self.send_error("bad_topic", "A topic is <kind>:<id>.", topic=topic)
            return
        if len(self.topics) >= MAX_TOPICS_PER_SOCKET:
            await self.send_error(
                "too_many_topics", f"At most {MAX_TOPICS_PER_SOCKET} topics.", topic=topic
            )
            return
        allowed = await database_sync_to_async(self._may_subscribe)(topic)
        if not allowed:
            await self.send_error("forbidden", "You may not see this topic.", topic=topic)
            return
        self.topics.add(topic)
        await self.join(live.group_name(topic))
        await self.send_json({"type": "subscribed", "topic": topic})

    def _may_subscribe(self, topic):
        user = self.scope["user"]
        # held_tier_ids remembers the member's tiers on the user object "for the request":
        # a socket's request lasts for hours, and a grant may have changed since.
        user._held_tier_ids = None
        return access.can_subscribe(user, topic)

    async def live_recheck(self, message):
        """Access to a topic may have been taken away (live.recheck_on_commit; a topic of
        None is each of this socket's topics, sent to the member's group): check again and
        leave the topics the member may no longer see. A subscribe whose check ran just
        before the change and whose join lands just after it can miss the recheck: such a
        socket gets event ids only, never content (the client fetches over the API)."""
        topic = message.get("topic")
        topics = sorted(self.topics) if topic is None else [topic] if topic in self.topics else []
        if not topics:
            return
        for lost in await database_sync_to_async(self._topics_lost)(topics):
            if lost in self.topics:  # not unsubscribed meanwhile
                await self.leave(lost)
                await self.send_json({"type": "unsubscribed", "topic": lost, "reason": "forbidden"})

    def _topics_lost(self, topics):
        # The member as they are now (role, ban, tiers), not as the socket remembers them.
        member = User.objects.filter(pk=self.scope["user"].pk).first()
        return [topic for topic in topics if not access.can_subscribe(member, topic)]

    async def dispatch(self, message):
        # Channels runs close_old_connections in the sync thread before every handler: one
        # thread hop per socket per event, all queued on that one thread, which made a post's
        # fan-out to 1,000 sockets take ~0.3 s. Forwarding an event touches no database.
        if message["type"] == "live.event":
            await self.live_event(message)
        else:
            await super().dispatch(message)

    async def live_event(self, message):
        await self.send_json(message["event"])
