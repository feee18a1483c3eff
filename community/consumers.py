import asyncio
import weakref

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import access, live

MAX_TOPICS_PER_SOCKET = 100
CLOSE_UNAUTHENTICATED = 4401
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
                      {"action": "ping"}
    Server -> client: {"type": "subscribed" | "unsubscribed", "topic": …},
                      {"type": "error", "code": …, "topic": …}, and the live events themselves.
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

    async def receive_json(self, content, **kwargs):
        action = content.get("action") if isinstance(content, dict) else None
        topic = content.get("topic") if isinstance(content, dict) else None
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action == "subscribe":
            await self.subscribe(topic)
        elif action == "unsubscribe" and topic in self.topics:
            self.topics.discard(topic)
            async with _slots():
                await self.channel_layer.group_discard(live.group_name(topic), self.channel_name)
            await self.send_json({"type": "unsubscribed", "topic": topic})
        else:
            await self.send_json({"type": "error", "code": "bad_request", "topic": topic})

    async def subscribe(self, topic):
        if not isinstance(topic, str) or not live.TOPIC_RE.match(topic):
            await self.send_json({"type": "error", "code": "bad_topic", "topic": topic})
            return
        if len(self.topics) >= MAX_TOPICS_PER_SOCKET:
            await self.send_json({"type": "error", "code": "too_many_topics", "topic": topic})
            return
        allowed = await database_sync_to_async(access.can_subscribe)(self.scope["user"], topic)
        if not allowed:
            await self.send_json({"type": "error", "code": "forbidden", "topic": topic})
            return
        self.topics.add(topic)
        await self.join(live.group_name(topic))
        await self.send_json({"type": "subscribed", "topic": topic})

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
