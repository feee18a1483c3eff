# ruff: noqa: S608 - SQL built from our own table names and integers (see bench/bulk.py)
"""The direct messages of the benchmark dataset (issue 17): conversations between pairs of
members, their messages, each member's side (what they read, where it sits in their list),
with the facts and query budgets of the conversation scenarios.

- Conversation 0 (the thread scenario's): the reader (bench-<scale>-10) and member 0, with
  `thread_messages(scale)` messages (1,000 on the larger scales) taking turns.
- The reader's list: `reader_conversations(scale)` more conversations with members drawn
  by activity, so the list scenario has pages to show.
- The rest: `Scale.conversations` pairs in all, members drawn by activity (a few very
  active members talk to many), one conversation per pair; each has at least one message
  and the rest of `Scale.messages` fall on conversations by popularity (rank ** -0.7),
  a conversation's messages a few minutes to a day apart, over the scale's days.
- Read receipts: each side has read everything, except that in one conversation in four
  the last sender's partner has not read the latest one to five messages (they count as
  unread, and the list shows them).

Messages are COPYed with reserved ids (the conversations' latest message is then set in
one UPDATE). The draw has its own generator, so a scale loaded before direct messages
existed gets the same rows when `seed_bench` adds them (`dataset.add_conversations`; the
marker is conversation 0's pair).
"""

import random
from datetime import UTC, datetime

from messaging.models import Conversation, Message, Participant

from .accounts import READER
from .bulk import copy_rows, quote, reserve_ids

CONVERSATION_MODELS = (Conversation, Participant, Message)
THREAD_MESSAGES = 1_000
POPULARITY_SKEW = 0.7
PARTNER_SKEW = 0.6

# Queries per request for the reader, fixed whatever the number of conversations and
# messages (tests/bench/test_conversations.py holds them; Django's test client counts the
# token's lookup and use, 2 more than the runner). A page: session, member, the header's
# score, the sidebar's spaces, the reader's tiers, and the list (1) or, for the thread,
# the reader's side, the page of messages, the other side's receipt and whether they may
# send (their switch and the blocks: 1). Through the API: the token's member and the list
# (1), or the reader's side and the page (2).
QUERY_BUDGETS = {
    "conversations": 6,
    "conversation-thread": 9,
    "api-conversations": 4,
    "api-conversation-messages": 5,
    "api-conversation-messages-deep": 5,
}
CONVERSATION_SCENARIOS = tuple(QUERY_BUDGETS)


def thread_messages(scale):
    return min(THREAD_MESSAGES, scale.messages // 4)


def reader_conversations(scale):
    return min(60, scale.conversations // 4, scale.members - 2)


def _pair(a, b):
    return (a, b) if a < b else (b, a)


def loaded(scale_name):
    """Conversation 0 (the reader and member 0) is the marker."""
    from community.models import User

    ids = User.objects.filter(
        handle__in=[f"bench-{scale_name}-0", f"bench-{scale_name}-{READER}"]
    ).values_list("pk", flat=True)  # fmt: skip
    ids = sorted(ids)
    return len(ids) == 2 and Conversation.objects.filter(low_id=ids[0], high_id=ids[1]).exists()


def _pairs(ctx, rng):
    """The conversations' pairs of member indexes: conversation 0, the reader's, the rest."""
    from .dataset import Zipf

    scale = ctx.scale
    pairs = [_pair(0, READER)]
    seen = set(pairs)
    partners = Zipf(range(scale.members), PARTNER_SKEW, rng)
    while len(pairs) < 1 + reader_conversations(scale):
        other = partners.draw(1)[0]
        pair = _pair(READER, other)
        if other != READER and pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    tries = 0
    while len(pairs) < scale.conversations and tries < scale.conversations * 20:
        tries += 1
        a, b = partners.draw(2)
        pair = _pair(a, b)
        if a != b and pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    return pairs


def _message_counts(scale, count, rng):
    """Messages per conversation: conversation 0 the thread's, the others at least one,
    the rest by popularity."""
    from .dataset import Zipf

    counts = [1] * count
    counts[0] = thread_messages(scale)
    rest = max(0, scale.messages - sum(counts))
    if count > 1:
        ranks = list(range(1, count))
        rng.shuffle(ranks)
        popularity = Zipf(ranks, POPULARITY_SKEW, rng)
        for index in popularity.draw(rest):
            counts[index] += 1
    return counts


def load_conversations(ctx):
    """Conversations, their two sides and their messages; returns the messages written."""
    from .dataset import _text_pool

    scale = ctx.scale
    rng = random.Random(f"bench-conversations-{scale.name}-{ctx.seed}")
    pairs = _pairs(ctx, rng)
    counts = _message_counts(scale, len(pairs), rng)
    texts = _text_pool(rng, 400, sentences=(1, 2))
    cursor = ctx.cursor
    conversation_table = ctx.bulk_table(Conversation, len(pairs))
    participant_table = ctx.bulk_table(Participant, 2 * len(pairs))
    message_table = ctx.bulk_table(Message, sum(counts))
    first_conversation = reserve_ids(cursor, conversation_table, len(pairs))
    first_message = reserve_ids(cursor, message_table, sum(counts))
    member = ctx.member_id

    def at(epoch):
        return datetime.fromtimestamp(epoch, UTC)

    sides, messages = [], []
    next_id = first_message
    with ctx.progress("conversations", len(pairs)) as bar:
        conversations = []
        for index, ((a, b), n) in enumerate(zip(pairs, counts, strict=True)):
            conversation_id = first_conversation + index
            # The thread ends shortly before the load; the others anywhere in the days.
            span = n * rng.uniform(300, 3_600)
            end = ctx.now - rng.uniform(60, 3_600) if index == 0 else rng.uniform(
                ctx.start + span, ctx.now - 60
            )  # fmt: skip
            t = end - span
            last_sender = None
            rows = []
            for k in range(n):
                sender = (a, b)[k % 2] if index == 0 else rng.choice((a, b))
                body, html, _tag = texts[rng.randrange(len(texts))]
                t += span / n
                rows.append((next_id, conversation_id, member(sender), body, html, "", at(t)))
                last_sender = sender
                next_id += 1
            messages.extend(rows)
            last_id, latest = rows[-1][0], rows[-1][6]
            unread_back = rng.randint(1, min(5, n)) if index and rng.random() < 0.25 else 0
            for me, other in ((a, b), (b, a)):
                read = last_id - unread_back if me != last_sender else last_id
                sides.append((conversation_id, member(me), member(other), read, latest, latest))
            conversations.append((conversation_id, member(a), member(b), at(ctx.start)))
            bar.advance()
    copy_rows(cursor, conversation_table, ["id", "low_id", "high_id", "created_at"],
              conversations)  # fmt: skip
    with ctx.progress("messages", len(messages)) as bar:
        written = copy_rows(
            cursor, message_table,
            ["id", "conversation_id", "sender_id", "body", "body_html", "image", "created_at"],
            messages, progress=bar,
        )  # fmt: skip
    copy_rows(
        cursor, participant_table,
        ["conversation_id", "member_id", "other_id", "last_read_id", "last_read_at", "latest_at",
         "hidden"],
        ((*side, False) for side in sides),
    )  # fmt: skip
    cursor.execute(
        f"UPDATE {quote(conversation_table)} c SET last_message_id = m.last"
        f" FROM (SELECT conversation_id, max(id) AS last FROM {quote(message_table)}"
        f" WHERE conversation_id BETWEEN {first_conversation:d}"
        f" AND {first_conversation + len(pairs) - 1:d} GROUP BY conversation_id) m"
        " WHERE c.id = m.conversation_id"
    )
    return written


def scenario_facts(scale_name, viewer):
    """The thread scenario's conversation (the reader's with member 0) and the cursor of its
    deep page through the API (the 40th page, or the last); empty on a scale without
    messages."""
    from community.pagination import DEFAULT_PAGE_SIZE, encode_cursor
    from messaging.selectors.conversations import THREAD_ORDER

    conversation = (
        Participant.objects.filter(member=viewer, other__handle=f"bench-{scale_name}-0")
        .values_list("conversation_id", flat=True)
        .first()
    )
    if conversation is None:
        return {}
    ids = Message.objects.filter(conversation_id=conversation).order_by("-id")
    total = ids.count()
    deep = min(40, max(1, total // DEFAULT_PAGE_SIZE))
    last = ids.values_list("id", flat=True)[(deep - 1) * DEFAULT_PAGE_SIZE - 1] if deep > 1 else 0
    return {
        "conversation_id": conversation,
        "thread_messages": total,
        "thread_deep_page": deep,
        "thread_deep_cursor": encode_cursor([last], THREAD_ORDER) if last else "",
    }
