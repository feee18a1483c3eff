"""The admins' CSV export of every member (issue 18), timed with its peak memory.

    .venv/bin/python -m bench.export --scale large      (the runner's "export" phase)

What is measured: the page `community:export_members` (`/members/export.csv`, the same
`csv_download` of `member_export_batches` the API's `/api/v1/members/export/` returns),
requested by the admin (bench-<scale>-0) through Django's test client in a process of its
own (the servers' settings: DEBUG off, the scale's PostgreSQL), the streamed response read
to its last byte as a server would send it. Every member of the database is exported (on
large the 100,000 of the scale), two queries per batch of 2,000.

- time: wall clock from the request to the last byte (and this process's CPU time, and the
  time to the first batch's bytes); the server's socket writes are not in it;
- peak memory, two ways, from two passes:
  1. the process's resident memory: its high-water mark (Linux VmHWM, reset through
     /proc/self/clear_refs just before the request) less what it held before the request
     (VmRSS): everything the export made resident, psycopg's result buffers included;
  2. `tracemalloc`'s peak of the Python allocations made during a second, untimed pass
     (tracing slows Python down): the rows, strings and CSV text the export held at once.
  A streaming export stays near one batch whatever the number of members; one that built
  the whole file in memory would grow with them.

A first request (the directory page) warms the process's caches and is not measured. Each
export writes the admin's `community.members_exported` audit entry, as in production.
"""

import argparse
import gc
import json
import os
import re
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
METHOD = (
    "the page /members/export.csv as the admin, Django's test client in a process of its own "
    "(DEBUG off, the scale's PostgreSQL), the streamed response read to its end; peak RSS = "
    "VmHWM (reset before the request) less VmRSS before it; traced peak = tracemalloc's peak "
    "of Python allocations in a second pass"
)


def _status_kib(field):
    """A field of /proc/self/status in KiB (None where there is no /proc)."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def _reset_peak():
    """Resets the process's VmHWM to its current RSS (Linux ≥ 4.0); False if it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _read(response, started):
    """(bytes, lines, seconds from `started` to the first batch's chunk) of a streamed
    response, read to its end (the test client closes it then)."""
    size = lines = 0
    first_batch_at = None
    for i, chunk in enumerate(response.streaming_content):
        size += len(chunk)
        lines += chunk.count(b"\n")
        if i == 1:
            first_batch_at = time.perf_counter() - started
    return size, lines, first_batch_at


def measure(scale=None, *, admin=None):
    """Exports every member once to warm up, then twice measured (see the module's text).
    Django must be set up; `admin` (a User) or the admin of `scale` requests it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.accounts import ADMIN
    from bench.servers import HOST
    from community.models import User
    from community.selectors.member_export import EXPORT_BATCH_SIZE

    if admin is None:
        admin = User.objects.get(handle=f"bench-{scale}-{ADMIN}")
    client = Client(HTTP_HOST=HOST)
    client.force_login(admin)
    path = reverse("community:export_members")
    members = User.objects.count()

    # A page first (middleware, session, templates, per-process caches), not measured.
    warm = client.get(reverse("community:directory"))
    assert warm.status_code == 200, warm.status_code

    gc.collect()
    rss_before = _status_kib("VmRSS")
    exact_peak = _reset_peak()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall0, cpu0 = time.perf_counter(), time.process_time()
    response = client.get(path)
    size, lines, first_batch_s = _read(response, wall0)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if exact_peak:
        peak = _status_kib("VmHWM")
    else:  # no /proc reset: the lifetime peak, which may predate the export
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_before = rss_before or maxrss_before
    assert response.status_code == 200, response.status_code

    gc.collect()
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        traced0 = time.perf_counter()
        response = client.get(path)
        _read(response, traced0)
        traced_wall = time.perf_counter() - traced0
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rows = lines - 1  # the header line
    return {
        "members": members,
        "rows": rows,
        "bytes": size,
        "batch_size": EXPORT_BATCH_SIZE,
        "queries": len(captured.captured_queries),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "first_batch_ms": round(first_batch_s * 1000, 1) if first_batch_s is not None else None,
        "rows_per_s": round(rows / wall) if wall else None,
        "rss_before_mib": round(rss_before / 1024, 1) if rss_before else None,
        "peak_rss_mib": round(peak / 1024, 1) if peak else None,
        "peak_rss_growth_mib": round((peak - rss_before) / 1024, 1)
        if peak and rss_before
        else None,
        "peak_exact": exact_peak,
        "traced_peak_mib": round(traced_peak / MIB, 2),
        "traced_wall_s": round(traced_wall, 3),
        "method": METHOD,
    }


def run(scale, *, python=sys.executable, env=None, timeout=3600):
    """`measure` in a child process (so that its memory is the export's alone, not the
    runner's); returns its numbers."""
    done = subprocess.run(  # noqa: S603 - our own module, this interpreter
        [python, "-m", "bench.export", "--scale", scale],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the export measurement failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Times the members' CSV export (issue 18).")
    parser.add_argument("--scale", default="small")
    args = parser.parse_args(argv)
    from bench.run import bench_env

    for key, value in bench_env(args.scale).items():  # the runner passes its own
        os.environ.setdefault(key, value)
    import django

    django.setup()
    print(json.dumps({"scale": args.scale, **measure(args.scale)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
