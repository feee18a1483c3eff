"""The admins' exports (issue 18), timed with their peak memory: the CSV of every member,
then the whole community's zip.

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

Then the whole community (`community:export_community`, `/manage/export.zip`, what the
API's `/api/v1/export/` and `manage.py export_community` write): every app's rows and stored
files, written by the view to a temporary file and then streamed, so its first byte comes
only when the whole zip is written. It is read to a file here, as a browser would save it,
and its manifest says how many rows and files it holds. Peak memory as in 1. above.

A first request (the directory page) warms the process's caches and is not measured. Each
export writes the admin's audit entry, as in production.
"""

import argparse
import gc
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
METHOD = (
    "the page /members/export.csv as the admin, Django's test client in a process of its own "
    "(DEBUG off, the scale's PostgreSQL), the streamed response read to its end; peak RSS = "
    "VmHWM (reset before the request) less VmRSS before it; traced peak = tracemalloc's peak "
    "of Python allocations in a second pass"
)
ZIP_METHOD = (
    "the page /manage/export.zip as the admin, in the same process after the CSV, the "
    "response saved to a temporary file; peak RSS as for the CSV"
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


def _timed(client, path, sink):
    """Requests `path` and hands each chunk of the streamed response, read to its end (the
    test client closes it then), to `sink(chunk)`. Returns (wall s, CPU s, seconds to the
    first two chunks, RSS before KiB, peak RSS KiB, whether the peak is the request's)."""
    gc.collect()
    rss_before = _status_kib("VmRSS")
    exact_peak = _reset_peak()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall0, cpu0 = time.perf_counter(), time.process_time()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    chunk_s = []
    for chunk in response.streaming_content:
        if len(chunk_s) < 2:
            chunk_s.append(time.perf_counter() - wall0)
        sink(chunk)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if exact_peak:
        peak = _status_kib("VmHWM")
    else:  # no /proc reset: the lifetime peak, which may predate the download
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_before = rss_before or maxrss_before
    return wall, cpu, chunk_s, rss_before, peak, exact_peak


def _memory(rss_before, peak, exact_peak):
    return {
        "rss_before_mib": round(rss_before / 1024, 1) if rss_before else None,
        "peak_rss_mib": round(peak / 1024, 1) if peak else None,
        "peak_rss_growth_mib": round((peak - rss_before) / 1024, 1)
        if peak and rss_before
        else None,
        "peak_exact": exact_peak,
    }


def measure(scale=None, *, admin=None, community_zip=True):
    """Exports every member once to warm up, then twice measured, then (`community_zip`) the
    whole community's zip once (see the module's text). Django must be set up; `admin` (a
    User) or the admin of `scale` requests them."""
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

    counted = {"bytes": 0, "lines": 0}

    def count(chunk):
        counted["bytes"] += len(chunk)
        counted["lines"] += chunk.count(b"\n")

    wall, cpu, chunk_s, rss_before, peak, exact_peak = _timed(client, path, count)

    gc.collect()
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        traced_wall = _timed(client, path, lambda chunk: None)[0]
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rows = counted["lines"] - 1  # the header line
    numbers = {
        "members": members,
        "rows": rows,
        "bytes": counted["bytes"],
        "batch_size": EXPORT_BATCH_SIZE,
        "queries": len(captured.captured_queries),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        # The first chunk is the header line; the second, the first batch of members.
        "first_batch_ms": round(chunk_s[1] * 1000, 1) if len(chunk_s) > 1 else None,
        "rows_per_s": round(rows / wall) if wall else None,
        **_memory(rss_before, peak, exact_peak),
        "traced_peak_mib": round(traced_peak / MIB, 2),
        "traced_wall_s": round(traced_wall, 3),
        "method": METHOD,
    }
    if community_zip:
        numbers["community_zip"] = measure_zip(client)
    return numbers


def measure_zip(client):
    """The admin's download of the whole community (`community:export_community`), written
    to a file as a browser would; its manifest then says how many rows and files it holds."""
    from django.urls import reverse

    with tempfile.TemporaryFile() as file:
        wall, cpu, chunk_s, rss_before, peak, exact_peak = _timed(
            client, reverse("community:export_community"), file.write
        )
        size = file.tell()
        with zipfile.ZipFile(file) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    rows = sum(entry["rows"] for entry in manifest["models"])
    return {
        "models": len(manifest["models"]),
        "rows": rows,
        "files": sum(entry["files"] for entry in manifest["media"]),
        "bytes": size,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        # The zip is written whole before its first byte is sent (community/portability).
        "first_byte_s": round(chunk_s[0], 3) if chunk_s else None,
        "rows_per_s": round(rows / wall) if wall else None,
        **_memory(rss_before, peak, exact_peak),
        "method": ZIP_METHOD,
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
