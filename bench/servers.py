"""The server setups the benchmark compares, and how the runner starts, settles and stops them.

A setup is the server for HTTP, a process count and the environment it adds (the database
pool). An ASGI server (daphne, uvicorn) serves HTTP and the WebSocket at /ws/ on the same
ports; a WSGI server (gunicorn, granian in WSGI mode) serves HTTP only, so uvicorn beside
it, on its own port, takes /ws/ (in production a proxy routes /ws/ to it).
Every setup serves the same app with the same settings otherwise; all listen on 127.0.0.1.
Add a setup to SETUPS to compare it in the next run.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

HOST = "127.0.0.1"
BASE_PORT = 8701
SOCKET_PORT = 8751  # the /ws/ server beside a WSGI setup
ROOT = Path(__file__).resolve().parent.parent
WSGI_SERVERS = ("gunicorn", "granian")


@dataclass(frozen=True)
class Setup:
    name: str
    server: str  # ASGI: "daphne" | "uvicorn"; WSGI: "gunicorn" (gthread) | "granian"
    processes: int
    env: dict = field(default_factory=dict)
    description: str = ""
    threads: int = 1  # WSGI servers: request threads per process

    @property
    def wsgi(self):
        return self.server in WSGI_SERVERS

    def ports(self):
        """The HTTP ports. daphne has no worker flag: N daphne processes listen on N ports and
        the load is split over them (as N upstreams behind a proxy); the others' workers share
        one port."""
        count = self.processes if self.server == "daphne" else 1
        return [BASE_PORT + i for i in range(count)]

    def socket_ports(self):
        """The ports that serve /ws/."""
        return [SOCKET_PORT] if self.wsgi else self.ports()


# Per process: a pool of 8 connections serves 16 concurrent requests of our load (each request
# holds a connection only while it runs its queries), and 2 processes x 8 stays far below
# PostgreSQL's default max_connections of 100. Every pooled setup gets the same pool.
POOL = {"DB_POOL_MAX_SIZE": "8"}
# WSGI workers run a request per thread; 4 threads let one worker's Python run while another
# request of it waits on PostgreSQL, and stay within the pool of 8.
WSGI_THREADS = 4
SETUPS = [
    Setup("daphne-1", "daphne", 1, {}, "daphne, 1 process, a connection per request"),
    Setup("daphne-2", "daphne", 2, {}, "daphne, 2 processes, a connection per request"),
    Setup("daphne-2-pool", "daphne", 2, POOL, "daphne, 2 processes, psycopg pool of 8 each"),
    Setup("uvicorn-2-pool", "uvicorn", 2, POOL, "uvicorn, 2 workers, psycopg pool of 8 each"),
    Setup(
        "gunicorn-2-pool",
        "gunicorn",
        2,
        POOL,
        f"gunicorn (WSGI, gthread), 2 workers x {WSGI_THREADS} threads, psycopg pool of 8 "
        "each; uvicorn (2 workers) beside it for /ws/",
        threads=WSGI_THREADS,
    ),
    Setup(
        "granian-2-pool",
        "granian",
        2,
        POOL,
        f"granian (WSGI), 2 workers x {WSGI_THREADS} threads, psycopg pool of 8 each; "
        "uvicorn (2 workers) beside it for /ws/",
        threads=WSGI_THREADS,
    ),
]
# The ASGI server that serves /ws/ beside a WSGI setup: as many workers as uvicorn-2-pool,
# so the live-update runs compare. It idles during the reads.
SOCKET_SERVER = Setup("uvicorn-ws", "uvicorn", 2, {}, "uvicorn for /ws/")
# The setup the README recommends (chosen by the reads of 2026-12-02 on medium, README
# "Serving"); the write and live-update scenarios run on it.
PRODUCTION_SETUP = "granian-2-pool"


def by_name(names):
    known = {setup.name: setup for setup in SETUPS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"Unknown setup(s) {unknown}; known: {', '.join(known)}")
    return [known[n] for n in names]


def _launches(setup, python):
    """(port, command) of each process to start: the HTTP servers, then the /ws/ server."""
    launches = [(port, _command(setup, port, python)) for port in setup.ports()]
    if setup.wsgi:
        launches.append((SOCKET_PORT, _command(SOCKET_SERVER, SOCKET_PORT, python)))
    return launches


def _command(setup, port, python):
    # No access log anywhere, as behind a proxy that keeps its own (gunicorn and granian log
    # none by default).
    bin_dir = Path(python).parent
    if setup.server == "daphne":
        return [str(bin_dir / "daphne"), "-v", "0", "-b", HOST, "-p", str(port),
                "config.asgi:application"]  # fmt: skip
    if setup.server == "gunicorn":
        return [
            str(bin_dir / "gunicorn"),
            "config.wsgi:application",
            "--bind", f"{HOST}:{port}",
            "--workers", str(setup.processes),
            "--worker-class", "gthread",
            "--threads", str(setup.threads),
        ]  # fmt: skip
    if setup.server == "granian":
        return [
            str(bin_dir / "granian"),
            "config.wsgi:application",
            "--interface", "wsgi",
            "--host", HOST,
            "--port", str(port),
            "--workers", str(setup.processes),
            "--blocking-threads", str(setup.threads),
        ]  # fmt: skip
    return [
        str(bin_dir / "uvicorn"),
        "config.asgi:application",
        "--host", HOST,
        "--port", str(port),
        "--workers", str(setup.processes),
        "--no-access-log",
        "--lifespan", "off",
    ]  # fmt: skip


class Servers:
    """The processes of one setup. `settle()` after a load run waits a little for requests
    wrk left queued (slow pages) to drain; if they do not, it restarts the servers and
    cancels the queries they left running, so no backlog is billed to the next scenario."""

    def __init__(self, setup, env, logdir, python):
        self.setup, self.env, self.logdir, self.python = setup, {**env, **setup.env}, logdir, python
        self.ports = setup.ports()  # HTTP
        self.socket_ports = setup.socket_ports()  # /ws/
        self.procs = []
        self.restarts = 0
        self.start()

    def start(self):
        launches = _launches(self.setup, self.python)
        for port, _ in launches:
            if port_in_use(port):
                raise RuntimeError(
                    f"port {port} is taken (a server left by an interrupted run?): stop it first"
                )
        for port, command in launches:
            log = open(Path(self.logdir) / f"{self.setup.name}-{port}.log", "a")  # noqa: SIM115
            # Its own session, hence process group: stop() can kill the server's workers,
            # which outlive a killed parent, and never this runner.
            proc = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            self.procs.append(proc)
        try:
            self._wait_until_answering(launches)
        except BaseException:
            self.stop()  # those that did start are not left running
            raise

    def _wait_until_answering(self, launches):
        deadline = time.monotonic() + 60
        for port, _ in launches:
            while not self._answers(port, timeout=2):
                if any(p.poll() is not None for p in self.procs):
                    raise RuntimeError(f"{self.setup.name} exited at start; logs in {self.logdir}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.setup.name} on port {port} did not answer in 60 s")
                time.sleep(0.3)

    def _answers(self, port, timeout):
        # Through the database: under ASGI a DB-free page answers while requests of the last
        # run still queue for a pooled connection, and the next scenario's first request
        # would then time out behind them.
        try:
            return http_get(port, "/bench/ready", timeout=timeout)[0] == 200
        except OSError:
            return False

    def settle(self, limit=5):
        deadline = time.monotonic() + limit
        for port in self.ports:
            while not self._answers(port, timeout=2):
                if time.monotonic() > deadline:
                    self.restart()
                    return

    def restart(self):
        """Stops the servers, cancels the queries they left running, starts them again."""
        self.stop()
        cancel_orphaned_queries(self.env["DATABASE_URL"])
        self.start()
        self.restarts += 1

    def stop(self):
        stop_processes(self.procs, grace=10)
        self.procs = []


def stop_processes(procs, *, grace):
    """SIGTERM each process, which stops its own workers gracefully; after `grace` seconds,
    SIGKILL whatever is left of each one's process group (a process started with
    start_new_session leads one, named by its pid: the parent and its workers). Returns when
    none of them is left running.

    Killing only the parent is not enough: a granian worker still finishing a request when
    its parent is killed keeps running, orphaned, for as long as that request lasts."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            proc.kill()
    # A process not started in its own session has no group of that name: nothing to do.
    groups = [proc.pid for proc in procs]
    for pgid in groups:
        if _running_in_group(pgid):
            with contextlib.suppress(ProcessLookupError):  # gone meanwhile
                os.killpg(pgid, signal.SIGKILL)
    for proc in procs:
        proc.wait()
    _wait_for_groups(groups, timeout=10)


def _running_in_group(pgid):
    """The pids of process group `pgid` still running (zombies, which only wait to be reaped
    by their parent, are not running): from /proc, else (not Linux) any pid answering."""
    proc_fs = Path("/proc")
    if not proc_fs.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return []
        return [pgid]
    running = []
    for stat in proc_fs.glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # exited while being read
        if int(group) == pgid and state != "Z":
            running.append(int(stat.parent.name))
    return running


def _wait_for_groups(groups, *, timeout):
    deadline = time.monotonic() + timeout
    while left := [pid for pgid in groups for pid in _running_in_group(pgid)]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {left} survived SIGKILL for {timeout} s")
        time.sleep(0.05)


def port_in_use(port):
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) == 0


def cancel_orphaned_queries(database_url):
    """A killed server's threads may leave queries running; cancel them so they do not load
    the next scenario. Only sessions on the bench database, never this process's own."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active'"
        )


def close_leftover_sessions(database_url):
    """Sessions an interrupted run left open on the bench database (it is the benchmark's
    own) would count against max_connections for the whole run."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def clear_leftover_tasks(redis_url):
    """Tasks an interrupted run left in the broker (its Redis database is the benchmark's
    own): a worker stopped mid-run leaves the delayed mails it held in `unacked`, which kombu
    hands back only after the visibility timeout (an hour), so the next run's drain would
    wait for them in vain. Returns how many were dropped."""
    import redis

    broker = redis.Redis.from_url(redis_url)
    queues = ("celery", "unacked", "unacked_index")  # kombu's Redis transport keys
    dropped = broker.llen("celery") + broker.hlen("unacked")
    broker.delete(*queues)
    return dropped


# --- HTTP (stdlib only) ---------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_get(port, path, headers=None, data=None, timeout=120, method=None):
    request = urllib.request.Request(
        f"http://{HOST}:{port}{path}", data=data, headers=headers or {}, method=method
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


def sign_in(port, email, password):
    """The allauth login form, as a browser would post it; returns the session cookie.
    (The cookies are Secure with DEBUG off; over plain HTTP we carry them by hand.)"""
    status, headers, body = http_get(port, "/accounts/login/")
    csrf_cookie = _cookies(headers).get("csrftoken")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not csrf_cookie or not match:
        raise RuntimeError(f"login page: status {status}, no CSRF token")
    form = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
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
