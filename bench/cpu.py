"""CPU per request, in process: what one page costs this process's Python, without the load
tool, the server or the other processes on the machine.

Django's test client, in the runner's process (the servers' settings: DEBUG off, the scale's
PostgreSQL, Redis), signed in as the reader, loads the home feed, the busy space's page and
the post with the most comments in turn (round-robin, so a drift of the machine touches
the three alike), after a few warm-up rounds. Each request's `time.process_time()` is this
process's CPU only: PostgreSQL's work is not in it (the wall time beside it includes it).
"""

import statistics
import time

ROUNDS = 60
WARMUP_ROUNDS = 5
FEED_PAGE = "home feed"
# The target for the home feed's CPU per request, median (on the large scale).
FEED_TARGET_MS = 15.0


def pages(ctx):
    """(name, path) of the measured pages, in the order of each round."""
    return [
        (FEED_PAGE, "/"),
        ("space page", f"/spaces/{ctx.space_slug}/"),
        ("post page", f"/posts/{ctx.post_id}/"),
    ]


def measure(ctx, *, rounds=ROUNDS, warmup=WARMUP_ROUNDS):
    from django.test import Client

    from bench.servers import HOST
    from community.models import User

    client = Client(HTTP_HOST=HOST)
    client.force_login(User.objects.get(email=ctx.member_email))
    measured = pages(ctx)
    cpu_ms = {name: [] for name, _ in measured}
    wall_ms = {name: [] for name, _ in measured}
    for round_number in range(warmup + rounds):
        for name, path in measured:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if response.status_code != 200:
                raise RuntimeError(f"CPU phase: GET {path} answered {response.status_code}")
            if round_number >= warmup:
                cpu_ms[name].append(cpu * 1000)
                wall_ms[name].append(wall * 1000)
    results = {}
    for name, path in measured:
        median = statistics.median(cpu_ms[name])
        has_target = name == FEED_PAGE
        results[name] = {
            "path": path,
            "median_ms": median,
            "p90_ms": _p90(cpu_ms[name]),
            "wall_median_ms": statistics.median(wall_ms[name]),
            "target": f"median ≤ {FEED_TARGET_MS:g} ms" if has_target else None,
            "met": median <= FEED_TARGET_MS if has_target else None,
        }
    return {"rounds": rounds, "warmup_rounds": warmup, "pages": results}


def _p90(values):
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]
