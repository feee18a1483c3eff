from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import access, live

MAX_TOPICS_PER_SOCKET = 100
CLOSE_UNAUTHENTICATED = 4401


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
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code):
        for group in [*self.control_groups, *map(live.group_name, self.topics)]:
            await self.channel_layer.group_discard(group, self.channel_name)

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
        await self.channel_layer.group_add(live.group_name(topic), self.channel_name)
        await self.send_json({"type": "subscribed", "topic": topic})

    async def live_event(self, message):
        await self.send_json(message["event"])
