"""Live-update fan-out: N WebSocket clients, the time from an event's commit to its receipt.

The runner starts the clients in separate processes (`python -m bench.fanout`, a share of the
sockets each, on 127.0.0.1), waits until every socket is subscribed, then makes real writes
through the API: posts in the busy space (every client subscribed to `space:<id>` receives
each), follows of each client's member (each client subscribed to its own `user:<id>`
receives one), or a direct message to each client's member (each client subscribed to its
`conversation:<id>` with the sender receives it: a DM's delivery to the other
participant). Each event carries `sent_at`, stamped right after the commit by
community.live; a client records `receipt - sent_at` when its read loop gets the frame (so
the client's own scheduling delay is included: an upper bound). Events that never arrive
within the grace period are counted as lost.

Child protocol: a JSON config on stdin's first line; "READY <n>" on stdout once its sockets
are subscribed; on "stop" (stdin), one "RESULT <json>" line with its samples, then exit.
"""

import asyncio
import contextlib
import json
import math
import subprocess
import sys
import threading
import time
from datetime import datetime

CONNECT_CONCURRENCY = 100
_stopping = asyncio.Event()  # set once the parent says "stop": closing sockets are not failures


async def _client(url, token, topic, samples, ready, failures):
    import websockets

    subscribed = False
    try:
        async with websockets.connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=120,
            ping_interval=None,
            max_queue=None,
        ) as ws:
            await ws.send(json.dumps({"action": "subscribe", "topic": topic}))
            reply = json.loads(await ws.recv())
            if reply.get("type") != "subscribed":
                raise RuntimeError(f"subscribe {topic}: {reply}")
            subscribed = True
            ready.release()
            async for raw in ws:
                received = time.time()
                event = json.loads(raw)
                if "sent_at" in event:
                    sent = datetime.fromisoformat(event["sent_at"]).timestamp()
                    samples.append((event["type"], event.get("id"), topic, received - sent))
    except asyncio.CancelledError:
        raise
    except Exception as error:  # reported, never hidden: a failed socket is a lost client
        if _stopping.is_set():
            return
        when = "after subscribing" if subscribed else "before subscribing"
        failures.append(f"{time.time():.3f} {when}: {error!r}"[:200])
        if not subscribed:
            ready.release()


async def _child(config):
    samples, failures = [], []
    ready = asyncio.Semaphore(0)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def gated(url, token, topic):
        async with gate:
            task = asyncio.create_task(_client(url, token, topic, samples, ready, failures))
            await ready.acquire()
        return task

    tasks = await asyncio.gather(
        *(gated(c["url"], c["token"], c["topic"]) for c in config["clients"])
    )
    print(f"READY {len(tasks) - len(failures)}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # "stop"
    _stopping.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print("RESULT " + json.dumps({"samples": samples, "failures": failures}), flush=True)


def child_main():
    config = json.loads(sys.stdin.readline())
    asyncio.run(_child(config))


# --- the parent side (in the runner) ---------------------------------------------------------


def _percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, math.ceil(q / 100 * len(sorted_values)) - 1)]


class Clients:
    """The client processes of one fan-out run."""

    def __init__(self, clients, processes, python):
        self.procs = []
        share = math.ceil(len(clients) / processes)
        for i in range(processes):
            part = clients[i * share : (i + 1) * share]
            if not part:
                continue
            proc = subprocess.Popen(  # noqa: S603
                [python, "-m", "bench.fanout"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            proc.stdin.write(json.dumps({"clients": part}) + "\n")
            proc.stdin.flush()
            self.procs.append(proc)

    def wait_ready(self, timeout):
        ready = [0]

        def read(proc):
            line = proc.stdout.readline()
            if line.startswith("READY "):
                ready[0] += int(line.split()[1])

        threads = [threading.Thread(target=read, args=(p,)) for p in self.procs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout)
        return ready[0]

    def collect(self):
        samples, failures = [], []
        for proc in self.procs:
            proc.stdin.write("stop\n")
            proc.stdin.flush()
        for proc in self.procs:
            for line in proc.stdout:
                if line.startswith("RESULT "):
                    result = json.loads(line.removeprefix("RESULT "))
                    samples += result["samples"]
                    failures += result["failures"]
            proc.wait(timeout=60)
        return samples, failures

    def kill(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def summarize(latencies_s, expected, failures, connected, clients):
    values = sorted(x * 1000 for x in latencies_s)
    return {
        "clients": clients,
        "connected": connected,
        "expected": expected,
        "received": len(values),
        "lost": expected - len(values),
        "p50_ms": _percentile(values, 50),
        "p99_ms": _percentile(values, 99),
        "max_ms": values[-1] if values else None,
        "failures": failures[:5],
        "failure_count": len(failures),
    }


def run_space_fanout(*, clients, processes, python, publish, events, interval, grace):
    """Every client on one space topic; `publish()` makes one post and returns its id."""
    group = Clients(clients, processes, python)
    try:
        connected = group.wait_ready(timeout=300)
        ids = []
        for _ in range(events):
            ids.append(publish())
            time.sleep(interval)
        time.sleep(grace)
        samples, failures = group.collect()
    finally:
        group.kill()
    wanted = set(ids)
    latencies = [s[3] for s in samples if s[0] == "post.created" and s[1] in wanted]
    return summarize(latencies, len(clients) * len(ids), failures, connected, len(clients))


def run_user_fanout(*, clients, processes, python, publish_all, grace,
                    event_type="follower.added"):  # fmt: skip
    """Each client on a topic of its own (its user topic, or its conversation with the
    sender); `publish_all()` makes one `event_type` event per client."""
    group = Clients(clients, processes, python)
    try:
        connected = group.wait_ready(timeout=300)
        publish_all()
        time.sleep(grace)
        samples, failures = group.collect()
    finally:
        group.kill()
    latencies = [s[3] for s in samples if s[0] == event_type]
    return summarize(latencies, len(clients), failures, connected, len(clients))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        child_main()
