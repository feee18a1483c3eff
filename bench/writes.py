"""The write scenarios: many members writing at once through the API (Bearer tokens), with a
Celery worker recomputing the counters as production would. After the load, the runner waits
for the task queue to drain and runs the recount check (bench/checks.py) over the whole
database: every counter equals a recount and no member has two likes on one target.

A write scenario is a name, a description and a function of the WriteContext that returns the
requests wrk cycles through: (method, path, token, JSON body). Add one to WRITE_SCENARIOS.
"""

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.scenarios import public_posts
from bench.servers import stop_processes

WRITERS = 64
HOT_POSTS = 4


@dataclass
class WriteContext:
    tokens: list  # one per writing member
    hot_posts: list  # ids of the most liked visible posts
    busy_post: int  # the post with most comments
    space_slug: str  # the busiest space


@dataclass(frozen=True)
class WriteScenario:
    name: str
    description: str
    requests: Callable[[WriteContext], list]


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


WRITE_SCENARIOS = [
    WriteScenario(
        "like-toggle",
        f"{WRITERS} members toggling likes on the {HOT_POSTS} most liked posts",
        _like_toggles,
    ),
    WriteScenario("comment-create", "comments on the post with most comments", _comments),
    WriteScenario("post-create", "new posts in the busiest space", _posts),
]


def build_write_context(scale, tokens, read_ctx):
    hot = list(
        public_posts(scale).order_by("-like_count", "-id").values_list("id", flat=True)[:HOT_POSTS]
    )
    return WriteContext(
        tokens=tokens, hot_posts=hot, busy_post=read_ctx.post_id, space_slug=read_ctx.space_slug
    )


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
    raise RuntimeError(f"the task queue did not drain in {timeout} s")
