"""Live events: services publish small JSON events to topics after their transaction commits.

A topic is "<kind>:<id>" (user:12, space:3, post:99). Each topic is a channel-layer group;
the WebSocket consumer adds a socket to a group once access.can_subscribe allows it, which
asks the rule the topic's kind registered here (community registers user, space and post;
courses, events and messaging register theirs from their AppConfig.ready). A failing
channel layer never fails the write that published: the event is logged and the page's
polling fallback catches up.
"""

import logging
import re
from datetime import UTC, datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from community import effects

logger = logging.getLogger(__name__)

TOPIC_RE = re.compile(r"^[a-z]+:[A-Za-z0-9_-]{1,64}$")


_topic_rules = {}  # kind -> may_receive(user, object_id) -> bool


def register_topic(kind, may_receive):
    """Declares a topic kind: `may_receive(member, object_id)` answers whether an active
    member may get the events of "<kind>:<object_id>" (object_id is an int)."""
    if not re.fullmatch(r"[a-z]+", kind):
        raise ValueError(f"A topic kind is lowercase letters: {kind!r}")
    if _topic_rules.get(kind, may_receive) is not may_receive:
        raise ValueError(f"Topic kind {kind!r} is already registered")
    _topic_rules[kind] = may_receive


def topic_rule(topic):
    """(rule, object_id) for a well-formed topic of a registered kind, else (None, None)."""
    if not isinstance(topic, str) or not TOPIC_RE.match(topic):
        return None, None
    kind, _, ident = topic.partition(":")
    rule = _topic_rules.get(kind)
    if rule is None or not (ident.isascii() and ident.isdigit()):
        return None, None
    return rule, int(ident)


def group_name(topic):
    """Channel-layer group names allow only [A-Za-z0-9._-]."""
    return "topic." + topic.replace(":", ".")


def broadcast_rollback_unsafe(topic, event_type, **data):
    """Sends now, even from inside a transaction that may still roll back: an event about a
    write that never happened. Services call publish_on_commit; this is for code that runs
    after the commit already (the on_commit callback itself, scripts).

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
    effects.on_commit(lambda: broadcast_rollback_unsafe(topic, event_type, **data))


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
    effects.on_commit(lambda: _close_group(group))


# --- Subscriptions follow access ---------------------------------------------------------
#
# A socket's access is checked when it subscribes; a write that may take that access away
# (a post hidden or deleted, a space's visibility changed, a grant revoked or ended) asks
# the sockets concerned to check again, after its commit. Each socket re-runs
# access.can_subscribe for its topics and leaves those it may no longer see, telling the
# client {"type": "unsubscribed", "topic": …, "reason": "forbidden"}.
#
# Why a recheck on change and not a check per event per recipient: events are frequent
# (every comment and like goes to every subscriber of the post) and forwarding one touches
# no database, while access changes are rare moderation and admin acts. Measured with 300
# sockets on one post (SQLite, in-memory layer): an event reached all of them in 0.09 s,
# a recheck of all of them took 1.2 s (a thread hop and two queries each). Checking per
# recipient would make every event cost what a recheck costs; rechecking on a change costs
# nothing per event and that once, on the change.

ALL_TOPICS = None  # a member's recheck: each topic of their sockets


def _send_recheck(group, topic):
    try:
        async_to_sync(get_channel_layer().group_send)(
            group, {"type": "live.recheck", "topic": topic}
        )
    except Exception:
        logger.exception("Could not ask the sockets of %s to recheck %s", group, topic)


def recheck_now(*topics):
    """Asks every socket subscribed to each topic to check its access again (now: for code
    that runs after the commit already, such as a task)."""
    for topic in topics:
        _send_recheck(group_name(topic), topic)


def recheck_on_commit(*topics):
    """After commit, the sockets subscribed to each topic check their access again and leave
    the topics they may no longer see. Services call it when a write may narrow who sees a
    thing: `live.recheck_on_commit(f"post:{post.pk}")`."""
    effects.on_commit(lambda: recheck_now(*topics))


def recheck_member_now(*member_ids):
    for member_id in member_ids:
        _send_recheck(member_group(member_id), ALL_TOPICS)


def recheck_member_on_commit(member_id):
    """After commit, every socket of the member checks each of its topics again (their own
    access changed: a grant revoked or ended)."""
    effects.on_commit(lambda: recheck_member_now(member_id))
