"""The benchmark runner (issue 5): one command, one report.

    make bench SCALE=large            (or: .venv/bin/python -m bench.run --scale large)

1. Prepares the scale's own database `agora_bench_<scale>` on the local PostgreSQL (created
   if missing, migrated, `seed_bench` loaded once; a second run reuses it).
2. Reads: starts the app as production would (DEBUG off, PostgreSQL, Redis, collectstatic)
   under each server setup of bench/servers.py, signs the bench members the scenarios use
   (the reader; the admin and a moderator for the admin pages) in through the real login
   form, and loads every scenario of bench/scenarios.py with wrk (a separate process, 32
   connections, bounded duration); a scenario with a latency target (search) then has one
   client (one connection) for as long, whose p50 and p99 are what a member waits.
3. Writes: on the recommended setup with a Celery worker beside it, 64 members write at once
   (bench/writes.py); after the queue drains, the recount check runs over the database.
4. Live updates: WebSocket clients in separate processes measure commit-to-receipt latency
   (bench/fanout.py), on a space topic and on each client's own user topic.
5. Counts each read scenario's queries (Django's test client in this process, same database
   and credentials) and keeps EXPLAIN (ANALYZE, BUFFERS, SETTINGS) of the main pages' queries.
6. CPU per request: the home feed, the space page and the post page through Django's test
   client in this process, interleaved, their CPU time each (bench/cpu.py).
   Export: the admins' CSV export of every member, timed in a process of its own with its
   peak memory (bench/export.py).
7. Writes bench/results/<date>-<scale>.md and .json (bench/report.py).

Servers, workers and clients are stopped in `finally` blocks; everything listens on 127.0.0.1.
"""

import argparse
import dataclasses
import json
import os
import platform
import re
import resource
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bench import cpu, export, fanout, load, report, servers, webhooks, writes
from bench.accounts import READER, SIGNED_IN
from bench.scenarios import SCENARIOS, build_context, members_signed_in

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
CONNECTIONS = 32
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Who does what (bench-<scale>-<n>), beside the READER of bench/accounts.py: the first writer,
# the first live client, the member whose posts the space clients receive, the member who
# follows the user clients.
FIRST_WRITER, FIRST_LISTENER, POSTER, FOLLOWER = 20, 100, 5, 6
# Set, but not copied into the report (the Stripe ones are made up, still they are secrets).
HIDDEN_ENV = ("SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")


def database_url(scale):
    return f"postgres://postgres@127.0.0.1:5432/agora_bench_{scale}"


def bench_env(scale):
    """The production-like environment of the servers (and of this process's Django)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": servers.HOST,
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on 127.0.0.1, no TLS proxy in front
        "DATABASE_URL": database_url(scale),
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "CACHE_KEY_PREFIX": f"agora-bench-{scale}",
        "AGORA_BENCHMARK": "1",  # installs the bench app: seed_bench & co., the probes
        # The throttles still run (a cache round trip per API request, as in production), but
        # 32 connections of one member would hit the default 600/min in a second.
        "API_THROTTLE_USER": "100000000/min",
        "API_THROTTLE_WRITE": "100000000/min",
        # Likewise the direct messages' limit: still counted on every send, never reached.
        "AGORA_MESSAGES_PER_MINUTE": "100000000",
        "LOG_LEVEL": "WARNING",
        # Stripe configured with made-up keys: the pricing page offers the plans and the
        # webhook endpoint verifies signatures with this secret (bench/webhooks.py signs with
        # it). Nothing on the benchmarked paths calls Stripe.
        "STRIPE_SECRET_KEY": "sk_test_bench_FAKE_not_a_real_key",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_bench_FAKE_not_a_real_key",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench_FAKE_not_a_real_secret",
    }


def ensure_database(scale):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        name = f"agora_bench_{scale}"
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')  # name is ours: [a-z_]+


def raise_open_file_limit():
    """Thousands of sockets: the servers and clients inherit this process's limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# --- reads ----------------------------------------------------------------------------------


def auth_headers(scenario, creds):
    """`creds` is {who: {"token": …, "session": …}} for each member the scenarios sign in
    as (bench.scenarios.members_signed_in); the scenario's `member` picks theirs."""
    if scenario.auth == "anonymous":
        return {}
    mine = creds[scenario.member]
    if scenario.auth == "token":
        return {"Authorization": f"Bearer {mine['token']}"}
    return {"Cookie": f"sessionid={mine['session']}"}


def run_reads(setup_servers, scenarios, ctx, creds, args, tmpdir):
    results = {}
    ports = setup_servers.ports
    for scenario in scenarios:
        path = scenario.path(ctx)
        headers = auth_headers(scenario, creds)
        status, _, body = servers.http_get(ports[0], path, headers)
        if status >= 500:
            # A server worn out by the runs before (under uvicorn, connections of requests
            # wrk dropped can stay out of the pool): restarted once, counted in restarts.
            setup_servers.restart()
            status, _, body = servers.http_get(ports[0], path, headers)
        if status != 200:
            raise RuntimeError(f"{scenario.name}: GET {path} answered {status}, not 200")
        script = load.read_script(path, headers)
        if args.warmup:
            load.run_wrk(ports, script, connections=CONNECTIONS, duration=args.warmup,
                         tmpdir=tmpdir)  # fmt: skip
            setup_servers.settle()
        result = load.run_wrk(ports, script, connections=CONNECTIONS, duration=args.duration,
                              tmpdir=tmpdir)  # fmt: skip
        setup_servers.settle()
        if scenario.latency:
            result["one_client"] = load.run_wrk(ports, script, connections=1,
                                                duration=args.duration, tmpdir=tmpdir)  # fmt: skip
            setup_servers.settle()
        result["response_bytes"] = len(body)
        results[scenario.name] = result
        _print_row(setup_servers.setup.name, scenario.name, result)
    return results


def _print_row(setup, name, result):
    print(
        f"  [{setup}] {name:20} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
        f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}",
        flush=True,
    )
    if one := result.get("one_client"):
        print(
            f"  [{setup}] {name:20} one client: p50 {one['p50_ms']:7.1f} ms  "
            f"p99 {one['p99_ms']:7.1f} ms  errors {one['errors']}",
            flush=True,
        )


# --- writes ---------------------------------------------------------------------------------


def run_writes(setup_servers, wctx, args, tmpdir):
    from bench.checks import run_checks
    from bench.scales import SCALES

    results = {"writers": len(wctx.tokens), "scenarios": {}}
    results["drain_before_s"] = writes.wait_for_drain()
    for scenario in writes.WRITE_SCENARIOS:
        script = load.write_script(scenario.requests(wctx))
        result = load.run_wrk(setup_servers.ports, script, connections=writes.WRITERS,
                              duration=args.duration, tmpdir=tmpdir)  # fmt: skip
        setup_servers.settle()
        result["description"] = scenario.description
        results["scenarios"][scenario.name] = result
        _print_row(setup_servers.setup.name, scenario.name, result)
    results["drain_after_s"] = writes.wait_for_drain()
    started = time.monotonic()
    checks = run_checks()
    results["check_s"] = time.monotonic() - started
    results["checks"] = [c.line() for c in checks]
    results["checks_ok"] = all(c.ok for c in checks)
    print("\n".join("  " + line for line in results["checks"]), flush=True)
    if args.webhook_rate > 0:
        # Stripe webhooks: signed events at a steady rate, then their own check once the
        # worker has processed them (bench/webhooks.py).
        from django.conf import settings

        hooks = webhooks.run(
            setup_servers.ports[0], SCALES[args.scale], rate=args.webhook_rate,
            duration=args.duration, secret=settings.STRIPE_WEBHOOK_SECRET,
            drain=writes.wait_for_drain,
        )  # fmt: skip
        setup_servers.settle()
        results["webhooks"] = hooks
        print(
            f"  [{setup_servers.setup.name}] {'stripe-webhook':20} {hooks['rps']:8.1f} ev/s   "
            f"p50 {report.f(hooks['p50_ms']):>7} ms  p99 {report.f(hooks['p99_ms']):>7} ms  "
            f"errors {hooks['errors']}  ({hooks['deliveries']} deliveries, drained in "
            f"{hooks['drain_s']:.1f} s)",
            flush=True,
        )
        print("\n".join("  " + line for line in hooks["checks"]), flush=True)
    return results


# --- live updates ---------------------------------------------------------------------------


def run_live(setup_servers, scale, ctx, counts, args, layer):
    from community import services
    from community.models import User
    from messaging.services.conversations import start_conversation

    port = setup_servers.ports[0]
    largest = max(counts)
    listeners = _members(scale, FIRST_LISTENER, largest, public_only=True)
    tokens = _tokens(listeners)
    poster_token = _tokens(_members(scale, POSTER, 1))[0]
    follower = User.objects.get(email=f"bench-{scale}-{FOLLOWER}@bench.localhost")
    follower_token = _tokens([follower])[0]
    ports = setup_servers.socket_ports
    url = "ws://{host}:{port}/ws/"

    def clients(n, topic_of):
        return [
            {"url": url.format(host=servers.HOST, port=ports[i % len(ports)]),
             "token": tokens[i], "topic": topic_of(listeners[i])}
            for i in range(n)
        ]  # fmt: skip

    def publish_post():
        body = json.dumps({"space": ctx.space_slug, "title": "Live benchmark",
                           "body": "Fan-out test post."}).encode()  # fmt: skip
        status, _, reply = servers.http_get(
            port, "/api/v1/posts/", data=body, method="POST",
            headers={"Authorization": f"Bearer {poster_token}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        if status != 201:
            raise RuntimeError(f"creating a post answered {status}: {reply[:200]}")
        return json.loads(reply)["id"]

    def follow_all(targets):
        def follow(member):
            status, _, reply = servers.http_get(
                port, f"/api/v1/members/{member.pk}/follow/", data=b"", method="POST",
                headers={"Authorization": f"Bearer {follower_token}"},
            )  # fmt: skip
            if status not in (200, 201):
                raise RuntimeError(f"follow answered {status}: {reply[:200]}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(follow, targets))

    # Direct messages: the follower writes to each listener in their conversation.
    talks = {
        member.pk: start_conversation(follower, member).pk for member in listeners
    }  # fmt: skip

    def message_all(targets):
        def send(member):
            body = json.dumps({"body": "Live benchmark message."}).encode()
            status, _, reply = servers.http_get(
                port, f"/api/v1/conversations/{talks[member.pk]}/messages/", data=body,
                method="POST", headers={"Authorization": f"Bearer {follower_token}",
                                        "Content-Type": "application/json"},
            )  # fmt: skip
            if status != 201:
                raise RuntimeError(f"sending a message answered {status}: {reply[:200]}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(send, targets))

    space_topic = f"space:{ctx.space_id}"
    results = {}
    for n in counts:
        result = fanout.run_space_fanout(
            clients=clients(n, lambda member: space_topic), processes=args.live_processes,
            python=PYTHON, publish=publish_post, events=args.live_events, interval=0.5, grace=5,
        )  # fmt: skip
        name = f"space-{n} ({layer})"
        results[name] = {"topic": "one space topic, every client", "layer": layer, **result}
        _print_live(name, result)
        # Follow events fire only for a new follow: the run starts from "not following".
        for member in listeners[:n]:
            services.unfollow(follower, member=member)
        result = fanout.run_user_fanout(
            clients=clients(n, lambda member: f"user:{member.pk}"),
            processes=args.live_processes, python=PYTHON,
            publish_all=lambda n=n: follow_all(listeners[:n]), grace=5,
        )  # fmt: skip
        name = f"user-{n} ({layer})"
        results[name] = {"topic": "each client its own user topic", "layer": layer, **result}
        _print_live(name, result)
        result = fanout.run_user_fanout(
            clients=clients(n, lambda member: f"conversation:{talks[member.pk]}"),
            processes=args.live_processes, python=PYTHON,
            publish_all=lambda n=n: message_all(listeners[:n]), grace=5,
            event_type="message.created",
        )  # fmt: skip
        name = f"dm-{n} ({layer})"
        results[name] = {"topic": "each client its conversation with the sender", "layer": layer,
                         **result}  # fmt: skip
        _print_live(name, result)
    return results


def _print_live(name, r):
    print(
        f"  [live] {name:26} connected {r['connected']}/{r['clients']}  received "
        f"{r['received']}/{r['expected']}  p50 {report.f(r['p50_ms'])} ms  "
        f"p99 {report.f(r['p99_ms'])} ms  max {report.f(r['max_ms'])} ms  lost {r['lost']}",
        flush=True,
    )


def _members(scale, first, count, public_only=False):
    from bench.accounts import bench_members

    return bench_members(scale, first=first, count=count, public_only=public_only)


def _tokens(members):
    from bench.accounts import issue_tokens

    return issue_tokens(members)


# --- queries per request and EXPLAIN --------------------------------------------------------


def count_queries(scenarios, ctx, creds):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for scenario in scenarios:
        client = Client(HTTP_HOST=servers.HOST)
        extra = {}
        if scenario.auth == "token":
            extra["HTTP_AUTHORIZATION"] = f"Bearer {creds[scenario.member]['token']}"
        elif scenario.auth == "session":
            client.cookies["sessionid"] = creds[scenario.member]["session"]
        path = scenario.path(ctx)
        client.get(path, **extra)  # warm-up: per-process caches (content types, …)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, **extra)
            alone_ms = (time.perf_counter() - started) * 1000
        entry = {
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "bytes": len(response.content),
            # The request by itself, no load beside it (a page too slow for wrk's timeout
            # still has a number).
            "alone_ms": round(alone_ms, 1),
        }
        if scenario.explain:
            entry["explain"] = explain(connection, captured.captured_queries)
        results[scenario.name] = entry
    return results


def explain(connection, queries):
    from django.db import transaction

    plans = []
    # In one transaction, as the request sent them: a setting one query makes for its
    # transaction (search's set_config: no parallel workers, the trigram threshold) holds
    # for those after it, and a plan explained without it is not the plan the request ran.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, SETTINGS) " + sql)
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
    import granian
    import gunicorn
    import uvicorn
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW max_connections")
        max_connections = cursor.fetchone()[0]
    mem = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    return {
        "machine": {"cores": os.cpu_count(), "memory": mem, "platform": platform.platform()},
        "versions": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "postgresql": f"{pg} (max_connections {max_connections})",
            "daphne": daphne.__version__,
            "uvicorn": uvicorn.__version__,
            "gunicorn": gunicorn.__version__,
            "granian": granian.__version__,
            "wrk": wrk_version,
        },
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Agora benchmark (issue 5).")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up load")
    parser.add_argument(
        "--setups",
        default=",".join(s.name for s in servers.SETUPS),
        help="server setups to compare on the reads (bench/servers.py)",
    )
    parser.add_argument(
        "--serve",
        default=servers.PRODUCTION_SETUP,
        help="the setup the writes and live updates run on",
    )
    parser.add_argument("--only", default="", help="comma-separated read scenario names")
    parser.add_argument("--phases", default="reads,cpu,export,writes,live")
    parser.add_argument("--live-clients", default="1000,5000", help="socket counts to run")
    parser.add_argument("--live-processes", type=int, default=2, help="client processes")
    parser.add_argument(
        "--live-layers", default="redis,redis-pubsub", help="channel layers (CHANNEL_LAYER)"
    )
    parser.add_argument("--live-events", type=int, default=10, help="posts per space run")
    parser.add_argument(
        "--webhook-rate",
        type=float,
        default=webhooks.RATE,
        help="Stripe webhook deliveries per second in the writes phase (0: skip them)",
    )
    parser.add_argument(
        "--cpu-rounds", type=int, default=cpu.ROUNDS, help="rounds of the CPU phase's pages"
    )
    parser.add_argument("--output", default=str(RESULTS), help="folder of the report")
    parser.add_argument("--logs", default="", help="keep the servers' logs in this folder")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    phases = set(args.phases.split(","))
    wrk_version = load.require_wrk()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the servers
    open_files = raise_open_file_limit()
    env = bench_env(args.scale)
    os.environ.update(env)
    server_env = {**os.environ, **env}

    ensure_database(args.scale)
    leftover = servers.close_leftover_sessions(database_url(args.scale))
    if leftover:
        print(f"closed {leftover} database sessions left by an earlier run", flush=True)
    leftover = servers.clear_leftover_tasks(env["REDIS_URL"])
    if leftover:
        print(f"dropped {leftover} tasks left by an earlier run", flush=True)
    import django

    django.setup()
    from django.core.management import call_command

    started = datetime.now(UTC)
    print(f"database agora_bench_{args.scale}: migrate, seed_bench, collectstatic …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_bench", scale=args.scale, no_progress=not sys.stdout.isatty())
    call_command("collectstatic", interactive=False, verbosity=0)
    from community.tasks import rank_popular_posts

    rank_popular_posts()  # what the beat process does every minute in production
    ctx = build_context(args.scale, member=READER)
    scenarios = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",") or s.probe]
    # A token each for the reader and whoever else the scenarios sign in as (the admin, a
    # moderator); their sessions come from the login form once a server runs.
    creds = {
        who: {"token": _tokens(_members(args.scale, SIGNED_IN[who], 1))[0]}
        for who in members_signed_in(scenarios)
    }
    setups = servers.by_name(args.setups.split(",")) if "reads" in phases else []
    production = servers.by_name([args.serve])[0]

    data = {
        "scale": args.scale,
        "started": started.isoformat(timespec="seconds"),
        "command": "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:]),
        **machine_and_versions(wrk_version),
        "settings": {
            "setups": {s.name: {"description": s.description, "env": s.env} for s in setups},
            "production_setup": production.name,
            "live_layers": args.live_layers.split(","),
            "connections": CONNECTIONS,
            "writers": writes.WRITERS,
            "webhook_rate": args.webhook_rate,
            "wrk_threads": load.WRK_THREADS,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "open_files_limit": open_files,
            "env": {k: v for k, v in env.items() if k not in HIDDEN_ENV},
            "query_count_method": "Django test client in the runner, same DB and credentials, "
            "CaptureQueriesContext around the 2nd request (its wall time: 'alone ms')",
        },
        "context": dict(vars(ctx)),
        "scenarios": [
            {
                "name": s.name,
                "description": s.description,
                "path": s.path(ctx),
                "auth": s.auth,
                "targets": [target.describe() for target in (*s.targets, s.latency) if target],
            }
            for s in scenarios
        ],
        "runs": {},
        "restarts": {},
    }
    with tempfile.TemporaryDirectory(prefix="agora-bench-") as tmpdir:
        if args.logs:
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            tmpdir = args.logs
        try:
            for setup in setups:
                with _serving(setup, server_env, tmpdir) as running:
                    for who, mine in creds.items():
                        if "session" not in mine:
                            email = f"bench-{args.scale}-{SIGNED_IN[who]}@bench.localhost"
                            mine["session"] = servers.sign_in(running.ports[0], email, _password())
                    data["runs"][setup.name] = run_reads(
                        running, scenarios, ctx, creds, args, tmpdir
                    )
                    data["restarts"][setup.name] = running.restarts
            if phases & {"writes", "live"}:
                worker = writes.Worker(server_env, tmpdir, PYTHON)
                try:
                    if "writes" in phases:
                        with _serving(production, server_env, tmpdir) as running:
                            members = _members(args.scale, FIRST_WRITER, writes.WRITERS)
                            wctx = writes.build_write_context(
                                args.scale, _tokens(members), ctx, members=members
                            )
                            data["writes"] = run_writes(running, wctx, args, tmpdir)
                    if "live" in phases:
                        data["live"] = {}
                        counts = [int(n) for n in args.live_clients.split(",")]
                        for layer in args.live_layers.split(","):
                            setup = dataclasses.replace(
                                production,
                                env={**production.env, "CHANNEL_LAYER": layer},
                                description=f"{production.description}, channel layer {layer}",
                            )
                            with _serving(setup, server_env, tmpdir) as live_servers:
                                data["live"].update(
                                    run_live(live_servers, args.scale, ctx, counts, args, layer)
                                )
                finally:
                    worker.stop()
        except Exception:
            _print_logs(tmpdir)
            raise
    if "reads" in phases:
        if "session" not in creds["reader"]:
            raise RuntimeError("no session: the reads ran on no setup")
        print("counting queries, EXPLAIN …", flush=True)
        data["queries"] = count_queries(scenarios, ctx, creds)
    if "cpu" in phases:
        print(f"CPU per request, {args.cpu_rounds} interleaved rounds …", flush=True)
        data["cpu"] = cpu.measure(ctx, rounds=args.cpu_rounds)
    if "export" in phases:
        # The admins' CSV export of every member, in a process of its own (bench/export.py).
        print("the members' CSV export, timed in its own process …", flush=True)
        data["export"] = export.run(args.scale, python=PYTHON, env=server_env)
        print("  " + report.export_line(data["export"]), flush=True)
    data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    report.evaluate(data, scenarios)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    stem = output / f"{started:%Y-%m-%d}-{args.scale}"
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(report.markdown(data))
    print(report.summary(data))
    print(f"wrote {stem}.md and {stem}.json")
    return 0 if report.passed(data) else 1


class _serving:
    """`with _serving(setup, env, logdir) as running:` the setup's servers, stopped after."""

    def __init__(self, setup, env, logdir):
        self.setup, self.env, self.logdir = setup, env, logdir

    def __enter__(self):
        print(f"{self.setup.description} …", flush=True)
        self.servers = servers.Servers(self.setup, self.env, self.logdir, PYTHON)
        return self.servers

    def __exit__(self, *exc):
        self.servers.stop()
        return False


def _password():
    from bench.dataset import BENCH_PASSWORD

    return BENCH_PASSWORD


def _print_logs(tmpdir):
    for log in sorted(Path(tmpdir).glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-40:]
        print(f"--- {log.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
