"""The write scenarios: many members writing at once through the API (Bearer tokens), with a
Celery worker recomputing the counters as production would. After the load, the runner waits
for the task queue to drain and runs the recount check (bench/checks.py) over the whole
database: every counter equals a recount and no member has two likes on one target; and,
for the like toggles above all, every member's score equals the sum of their points ledger
and the ledger holds exactly one like_received award per like by a non-author on a live
post or comment (bench/gamification.py: the gamification worker tasks must have caught up).

A write scenario is a name, a description and a function of the WriteContext that returns the
requests wrk cycles through: (method, path, token, JSON body). Add one to WRITE_SCENARIOS.
"""

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.scenarios import Registry, public_posts
from bench.servers import stop_processes

WRITERS = 64
HOT_POSTS = 4
HOT_LESSONS = 4  # lessons of the write course (bench/courses.py) each writer toggles
# The courses API's complete / uncomplete endpoints (URL names; they take the lesson id).
COMPLETE_URL = "api-lesson-complete"
UNCOMPLETE_URL = "api-lesson-complete"
UNCOMPLETE_METHOD = "DELETE"
RSVP_URL = "api-event-rsvp"  # the events API's RSVP endpoint (URL name; it takes the slug)
# The RSVP rush (bench/events.py): the seats of its event, and the name of its check, which
# fails the run unless the first RUSH_SEATS answers are going and the rest waitlisted in
# the order they were committed.
RUSH_SEATS = 10
MESSAGE_URL = "api-conversation-messages"  # sending a direct message (takes the conversation)
RUSH_CHECK = "rsvp rush: seats, then waitlist"


@dataclass
class WriteContext:
    tokens: list  # one per writing member
    hot_posts: list  # ids of the most liked visible posts
    busy_post: int  # the post with most comments
    space_slug: str  # the busiest space
    # the first lessons of the write course, in which every writer is enrolled
    lessons: list = field(default_factory=list)
    # the RSVP rush's event and occurrence (original start, ISO 8601): bench/events.py
    rush_slug: str = ""
    rush_occurrence: str = ""
    # conversation ids, one per writer, each with another writer (writer_conversations)
    conversations: list = field(default_factory=list)


@dataclass(frozen=True)
class WriteScenario:
    name: str
    description: str
    requests: Callable[[WriteContext], list]
    needs: str = ""  # a URL name: not run while this build has none (bench.scenarios.has_url)


def _like_toggles(c):
    # Member m likes post p, and the next round over the same pairs unlikes it: a toggle.
    rows = []
    for method in ("POST", "DELETE"):
        for post in c.hot_posts:
            for token in c.tokens:
                rows.append((method, f"/api/v1/posts/{post}/like/", token, ""))
    return rows


def _comments(c):
    return [
        ("POST", f"/api/v1/posts/{c.busy_post}/comments/", token,
         json.dumps({"body": f"Benchmark comment {i}: agreed, and one more thought."}))
        for i, token in enumerate(c.tokens)
    ]  # fmt: skip


def _posts(c):
    return [
        ("POST", "/api/v1/posts/", token,
         json.dumps({"space": c.space_slug, "title": f"Benchmark post {i}",
                     "body": "A new post written during the benchmark, with **Markdown**."}))
        for i, token in enumerate(c.tokens)
    ]  # fmt: skip


def lesson_completion(lesson_id, *, complete):
    """(method, path) that marks a lesson complete (or not) through the courses API, as the
    member whose Bearer token the request carries."""
    from django.urls import reverse

    if complete:
        return "POST", reverse(COMPLETE_URL, args=[lesson_id])
    return UNCOMPLETE_METHOD, reverse(UNCOMPLETE_URL, args=[lesson_id])


def _lesson_toggles(c):
    # Member m completes lesson l, and the next round over the same pairs uncompletes it.
    rows = []
    for complete in (True, False):
        for lesson in c.lessons:
            method, path = lesson_completion(lesson, complete=complete)
            for token in c.tokens:
                rows.append((method, path, token, ""))
    return rows


def _rsvp_rush(c):
    # Every writer asks for a seat; wrk cycles over them, so each asks again and again: the
    # service answers a member already seated or waiting with their row, unchanged.
    from django.urls import reverse

    path = reverse(RSVP_URL, args=[c.rush_slug])
    body = json.dumps({"occurrence": c.rush_occurrence, "status": "going"})
    return [("POST", path, token, body) for token in c.tokens]


def _messages(c):
    # Each writer sends in its conversation with another writer (build_write_context), so
    # most conversations have both members writing at once.
    return [
        ("POST", f"/api/v1/conversations/{conversation}/messages/", token,
         json.dumps({"body": f"Benchmark message {i}: see you at **the meetup**."}))
        for i, (token, conversation) in enumerate(zip(c.tokens, c.conversations, strict=False))
    ]  # fmt: skip


WRITE_SCENARIOS = Registry(
    [
        WriteScenario(
            "like-toggle",
            f"{WRITERS} members toggling likes on the {HOT_POSTS} most liked posts"
            " (checked: like counts, the authors' like awards and scores)",
            _like_toggles,
        ),
        WriteScenario("comment-create", "comments on the post with most comments", _comments),
        WriteScenario("post-create", "new posts in the busiest space", _posts),
        WriteScenario(
            "lesson-complete-toggle",
            f"{WRITERS} enrolled members completing and uncompleting {HOT_LESSONS} lessons",
            _lesson_toggles,
            needs=COMPLETE_URL,
        ),
        WriteScenario(
            "rsvp-rush",
            f"{WRITERS} members RSVP going at once to one occurrence with {RUSH_SEATS} seats",
            _rsvp_rush,
            needs=RSVP_URL,
        ),
        WriteScenario(
            "message-send",
            f"{WRITERS} members sending direct messages, each in a conversation with another",
            _messages,
            needs=MESSAGE_URL,
        ),
    ]
)


def build_write_context(scale, tokens, read_ctx, *, members=()):
    """`members`: the writers the tokens are of, in order (their conversations with each
    other are started for the direct-message scenario; none given, it has no requests)."""
    hot = list(
        public_posts(scale).order_by("-like_count", "-id").values_list("id", flat=True)[:HOT_POSTS]
    )
    from bench import events
    from bench.courses import write_lessons

    rush_slug, rush_start = events.rush_occurrence(scale)
    return WriteContext(
        conversations=writer_conversations(members),
        tokens=tokens,
        hot_posts=hot,
        busy_post=read_ctx.post_id,
        space_slug=read_ctx.space_slug,
        lessons=write_lessons(scale, HOT_LESSONS),
        rush_slug=rush_slug,
        rush_occurrence=rush_start,
    )


def writer_conversations(members):
    """Each writer's conversation with another writer whose profile is public (a private
    member cannot be found to start one), made now if missing: ids in the writers' order."""
    from community.models import User
    from messaging.services.conversations import start_conversation

    public = [m for m in members if m.profile_visibility == User.Visibility.PUBLIC]
    if len(public) < 2:
        return []
    ids = []
    for i, member in enumerate(members):
        partner = public[i % len(public)]
        if partner.pk == member.pk:
            partner = public[(i + 1) % len(public)]
        ids.append(start_conversation(member, partner).pk)
    return ids


class Worker:
    """A Celery worker with the servers' environment, as production runs one."""

    def __init__(self, env, logdir, python):
        celery = str(Path(python).with_name("celery"))
        log = open(Path(logdir) / "celery-worker.log", "a")  # noqa: SIM115
        self.proc = subprocess.Popen(  # noqa: S603
            [celery, "-A", "config", "worker", "--concurrency", "2", "--loglevel", "WARNING"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop(self):
        stop_processes([self.proc], grace=30)  # a worker finishes the task in hand


def wait_for_drain(timeout=600):
    """Waits until the broker's queue is empty and no worker holds a task; returns seconds
    waited. Tasks are acknowledged late, so a task being run is still counted."""
    import redis
    from django.conf import settings

    from config.celery import app

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < timeout:
        inspect = app.control.inspect(timeout=1)
        busy = sum(len(v) for v in (inspect.active() or {}).values())
        busy += sum(len(v) for v in (inspect.reserved() or {}).values())
        queued = broker.llen("celery") + broker.hlen("unacked")
        quiet = quiet + 1 if not (busy or queued) else 0
        if quiet >= 2:  # twice in a row: nothing in flight between the two looks
            return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError(
        f"the task queue did not drain in {timeout} s: {queued} queued or unacknowledged, "
        f"{busy} running or reserved by a worker"
    )
