"""Live events: services publish small JSON events to topics after their transaction commits.

A topic is "<kind>:<id>" (user:12, space:3, post:99). Each topic is a channel-layer group;
the WebSocket consumer adds a socket to a group once access.py allows it. A failing channel
layer never fails the write that published: the event is logged and the page's polling
fallback catches up.
"""

import logging
import re
from datetime import UTC, datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

TOPIC_RE = re.compile(r"^[a-z]+:[A-Za-z0-9_-]{1,64}$")


def group_name(topic):
    """Channel-layer group names allow only [A-Za-z0-9._-]."""
    return "topic." + topic.replace(":", ".")


def broadcast(topic, event_type, **data):
    """Send now. Call only outside a transaction; services use publish_on_commit.

    `sent_at` is when the event left the server (right after the commit): clients can order
    events by it, and the benchmark measures delivery latency from it."""
    event = {
        "topic": topic,
        "type": event_type,
        "sent_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        **data,
    }
    try:
        async_to_sync(get_channel_layer().group_send)(
            group_name(topic), {"type": "live.event", "event": event}
        )
    except Exception:
        logger.exception("Live event %s on %s was not delivered", event_type, topic)


def publish_on_commit(topic, event_type, **data):
    transaction.on_commit(lambda: broadcast(topic, event_type, **data))


# Every socket also sits in groups no client can subscribe to, so that a ban or a revoked
# token closes the sockets already open, not only the next ones.
def member_group(member_id):
    return f"member.{member_id}"


def token_group(token_id):
    return f"token.{token_id}"


def _close_group(group):
    try:
        async_to_sync(get_channel_layer().group_send)(group, {"type": "live.close"})
    except Exception:
        logger.exception("Could not close the sockets of %s", group)


def close_sockets_on_commit(*, member_id=None, token_id=None):
    group = member_group(member_id) if member_id is not None else token_group(token_id)
    transaction.on_commit(lambda: _close_group(group))
