"""The benchmark runner (issue 5, part 2: the read path).

    .venv/bin/python -m bench.run --scale small --duration 10      (or: make bench SCALE=small)

Starts the app the way production would, on 127.0.0.1 only (DEBUG off, PostgreSQL,
Redis, daphne, collectstatic first), signs a bench member in through the real login form,
creates an API token, then loads every scenario of bench/scenarios.py with wrk (a separate
process, 32 connections, bounded duration) under each server setup, and writes
bench/results/<date>-<scale>.md and .json. Servers are stopped in a `finally` block.

Queries per request are counted apart from the timed run: one request per scenario through
Django's test client in this process (same settings, same database, the same session cookie
or token), inside CaptureQueriesContext, after one warm-up request. The same captured
queries give the EXPLAIN (ANALYZE, BUFFERS) plans of the scenarios marked `explain`.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from bench import report
from bench.scenarios import SCENARIOS, build_context

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))
HOST = "127.0.0.1"
BASE_PORT = 8701
CONNECTIONS = 32
WRK_THREADS = 2


# Server setups compared in one run: daphne has no worker flag, so "N processes" is N daphne
# processes on N ports, and wrk's threads are spread over them (one port per thread).
SETUPS = {1: "daphne, 1 process", 2: "daphne, 2 processes (load split over 2 ports)"}

LUA = """
wrk.method = "GET"
wrk.path = %(path)s
%(headers)s
local ports = {%(ports)s}
local n = 0
function setup(thread)
  thread.addr = wrk.lookup("127.0.0.1", tostring(ports[(n %% #ports) + 1]))[1]
  n = n + 1
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"bytes":%%d,"p50_us":%%d,"p90_us":%%d,' ..
    '"p99_us":%%d,"max_us":%%d,"mean_us":%%.1f,"errors_connect":%%d,"errors_read":%%d,' ..
    '"errors_write":%%d,"errors_status":%%d,"errors_timeout":%%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def bench_env(scale):
    """The production-like environment of the servers (and of this process's Django)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1, no TLS proxy in front
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/agora_bench",
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "CACHE_KEY_PREFIX": f"agora-bench-{scale}",
        "AGORA_BENCHMARK": "1",
        # The throttle still runs (one cache round trip per API request, as in production),
        # but 32 connections of one member would hit the default 600/min in a second.
        "API_THROTTLE_USER": "100000000/min",
        "LOG_LEVEL": "WARNING",
        # Persistent connections (the settings default, 60 s) leak under ASGI: each request's
        # sync code may run on a new thread with its own connection, and 32 connections of
        # load exhausted PostgreSQL's max_connections (100) within seconds ("too many
        # clients already"). Django's advice for ASGI: CONN_MAX_AGE=0, or a pool
        # (psycopg_pool, not installed). See the report's findings.
        "DB_CONN_MAX_AGE": "0",
    }


def require_wrk():
    path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is not installed: apt-get update && apt-get install -y wrk (Debian).")
    out = subprocess.run([path, "-v"], capture_output=True, text=True)  # noqa: S603
    return (out.stdout + out.stderr).strip().splitlines()[0]


# --- servers --------------------------------------------------------------------------------


def start_servers(count, env, logdir):
    procs = []
    for i in range(count):
        port = BASE_PORT + i
        log = open(Path(logdir) / f"daphne-{count}-{port}.log", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(  # noqa: S603
                [DAPHNE, "-b", HOST, "-p", str(port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    ports = [BASE_PORT + i for i in range(count)]
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"daphne exited at start; see the logs in {logdir}")
            try:
                if http_get(port, "/bench/hello")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"daphne on port {port} did not answer in 60 s")
            time.sleep(0.3)
    return procs, ports


class Servers:
    """N daphne processes; `settle()` after a load run waits a little for the requests wrk
    left queued (slow pages) to drain, and restarts the processes if they do not, so that
    no backlog is billed to the next scenario."""

    def __init__(self, count, env, logdir):
        self.count, self.env, self.logdir = count, env, logdir
        self.procs, self.ports = start_servers(count, env, logdir)
        self.restarts = 0

    def settle(self, limit=5):
        deadline = time.monotonic() + limit
        for port in self.ports:
            while time.monotonic() < deadline:
                try:
                    if http_get(port, "/bench/hello", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
            else:
                self.stop()
                self.procs, self.ports = start_servers(self.count, self.env, self.logdir)
                self.restarts += 1
                return

    def stop(self):
        stop_servers(self.procs)


def stop_servers(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- HTTP (stdlib only) ---------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_get(port, path, headers=None, data=None, timeout=120):
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}", data=data, headers=headers or {}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _cookies(headers):
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port, email):
    """The allauth login form, as a browser would post it; returns the session cookie.
    (The cookies are Secure with DEBUG off; over plain HTTP we carry them by hand.)"""
    status, headers, body = http_get(port, "/accounts/login/")
    csrf_cookie = _cookies(headers).get("csrftoken")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not csrf_cookie or not match:
        raise RuntimeError(f"login page: status {status}, no CSRF token")
    from bench.dataset import BENCH_PASSWORD

    form = urllib.parse.urlencode(
        {"login": email, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()}
    ).encode()
    status, headers, _ = http_get(
        port,
        "/accounts/login/",
        data=form,
        headers={
            "Cookie": f"csrftoken={csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"sign-in of {email} failed: status {status}")
    return session


def auth_headers(scenario, creds):
    if scenario.auth == "token":
        return {"Authorization": f"Bearer {creds['token']}"}
    return {"Cookie": f"sessionid={creds['session']}"}


# --- load -----------------------------------------------------------------------------------


def run_wrk(ports, path, headers, duration, tmpdir):
    lua = LUA % {
        "path": json.dumps(path),
        "headers": "\n".join(
            f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()
        ),
        "ports": ", ".join(str(p) for p in ports),
    }
    script = Path(tmpdir) / "scenario.lua"
    script.write_text(lua)
    cmd = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://{HOST}:{ports[0]}",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)  # noqa: S603
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(v for k, v in raw.items() if k.startswith("errors_"))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
        "wrk": raw,
    }


# --- queries per request and EXPLAIN --------------------------------------------------------


def count_queries(scenarios, ctx, creds, explain_all):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for scenario in scenarios:
        client = Client(HTTP_HOST=HOST)
        extra = {}
        if scenario.auth == "token":
            extra["HTTP_AUTHORIZATION"] = f"Bearer {creds['token']}"
        else:
            client.cookies["sessionid"] = creds["session"]
        path = scenario.path(ctx)
        client.get(path, **extra)  # warm-up: per-process caches (content types, …)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **extra)
        entry = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "bytes": len(response.content),
        }
        if scenario.explain or explain_all:
            entry["explain"] = explain(connection, captured.captured_queries)
        results[scenario.name] = entry
    return results


def explain(connection, queries):
    plans = []
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        match = re.search(r"Execution Time: ([\d.]+) ms", plan)
        plans.append(
            {
                "sql": sql,
                "plan": plan,
                "execution_ms": float(match.group(1)) if match else None,
                "seq_scans": sorted(set(re.findall(r"Seq Scan on (\w+)", plan))),
            }
        )
    return plans


# --- the run --------------------------------------------------------------------------------


def machine_and_versions(wrk_version):
    import daphne
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return {
        "machine": {"cores": os.cpu_count(), "memory": mem, "platform": platform.platform()},
        "versions": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "postgresql": pg,
            "daphne": daphne.__version__,
            "wrk": wrk_version,
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="Agora read-path benchmark (issue 5).")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load")
    parser.add_argument("--setups", default="1,2", help="daphne process counts to compare")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--member", type=int, default=10, help="the viewer: bench-<scale>-<n>")
    args = parser.parse_args(argv)

    wrk_version = require_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the servers
    env = bench_env(args.scale)
    os.environ.update(env)
    server_env = {**os.environ, **env}

    import django

    django.setup()
    from django.core.management import call_command

    started = datetime.now(UTC)
    print(f"collectstatic, context for scale {args.scale} …", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    ctx = build_context(args.scale, member=args.member)
    token = _token(args.scale, args.member)
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",") or s.probe]
    setups = [int(n) for n in args.setups.split(",")]

    runs, restarts = {}, {}
    creds = {"token": token}
    with tempfile.TemporaryDirectory(prefix="agora-bench-") as tmpdir:
        for count in setups:
            servers = None
            try:
                servers = Servers(count, server_env, tmpdir)
                if "session" not in creds:
                    creds["session"] = sign_in(servers.ports[0], ctx.member_email)
                runs[count] = _run_setup(scenarios, ctx, creds, servers, args, tmpdir)
                restarts[count] = servers.restarts
            except Exception:
                for log in sorted(Path(tmpdir).glob("daphne-*.log")):
                    tail = log.read_text(errors="replace").splitlines()[-40:]
                    print(f"--- {log.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
                raise
            finally:
                if servers is not None:
                    servers.stop()
    print("counting queries, EXPLAIN …", flush=True)
    queries = count_queries(scenarios, ctx, creds, explain_all=False)

    data = {
        "scale": args.scale,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        **machine_and_versions(wrk_version),
        "settings": {
            "server": {str(n): SETUPS.get(n, f"daphne, {n} processes") for n in setups},
            "connections": CONNECTIONS,
            "wrk_threads": WRK_THREADS,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "env": {k: v for k, v in env.items() if k != "SECRET_KEY"},
            "server_restarts_after_backlog": restarts,
            "query_count_method": "Django test client in the runner, same DB and credentials, "
            "CaptureQueriesContext around the 2nd request",
        },
        "context": {k: v for k, v in vars(ctx).items()},
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "path": s.path(ctx),
                "auth": s.auth,
                "target": s.target.describe() if s.target else None,
            }
            for s in scenarios
        ],
        "runs": {str(k): v for k, v in runs.items()},
        "queries": queries,
    }
    report.evaluate(data, scenarios)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{started:%Y-%m-%d}-{args.scale}"
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(report.markdown(data))
    print(report.summary(data))
    print(f"wrote {stem}.md and {stem}.json")


def _token(scale, member):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("bench_token", scale=scale, member=member, stdout=out)
    return out.getvalue().strip()


def _run_setup(scenarios, ctx, creds, servers, args, tmpdir):
    results = {}
    ports = servers.ports
    for scenario in scenarios:
        path = scenario.path(ctx)
        headers = auth_headers(scenario, creds)
        status, _, body = http_get(ports[0], path, headers)
        if status != 200:
            raise RuntimeError(f"{scenario.name}: GET {path} answered {status}, not 200")
        if args.warmup:
            run_wrk(ports, path, headers, args.warmup, tmpdir)
            servers.settle()
        result = run_wrk(ports, path, headers, args.duration, tmpdir)
        servers.settle()
        result["response_bytes"] = len(body)
        results[scenario.name] = result
        print(
            f"  [{len(ports)} proc] {scenario.name:20} {result['rps']:8.1f} req/s  "
            f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
            f"errors {result['errors']}",
            flush=True,
        )
    return results


if __name__ == "__main__":
    main()
