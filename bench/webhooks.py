"""The Stripe webhook write scenario: signed events at a steady rate to POST /stripe/webhook/
on the production setup, with its Celery worker processing them, then a correctness check.

The events are subscription timelines (bench/stripe_events.py) for the bench members with a
Stripe customer (bench/billing.py), with Stripe times around now; a few are delivered twice
and a few timelines out of order. Each request is signed just before it is sent, with the
stripe package's `WebhookSignature.generate_signature_header` and the secret the servers run
with (STRIPE_WEBHOOK_SECRET of bench/run.py's environment), so its timestamp is fresh.

The load generator is Python, not wrk: every request has its own body and a signature over
it and the current time, which a wrk Lua script would have to compute in Lua. A pool of
threads, each with its own keep-alive `http.client` connection, takes the deliveries in
order; delivery i is due at start + i / rate (an open-loop schedule: a slow answer does not
slow the rate, it delays the deliveries behind it, and the report says by how much).
"""

import http.client
import itertools
import json
import random
import threading
import time

from bench import stripe_events
from bench.servers import HOST

RATE = 50  # deliveries per second
THREADS = 16  # concurrent connections of the generator
MIN_TIMELINES = 10  # every kind of history at least once, even in a 1 s smoke run
PATH = "/stripe/webhook/"
AVERAGE_EVENTS = 2.9  # events per timeline, over KINDS' weights


def plan(scale, *, rate, duration, now=None, seed=None):
    """The run's timelines and deliveries: about rate x duration deliveries."""
    from bench import billing  # models: Django must be set up

    now = int(now or time.time())
    run_id = f"{now:x}"  # new subscription and event ids on every run
    rng = random.Random(seed if seed is not None else now)
    customers = billing.webhook_customers(scale)
    if not customers:
        raise RuntimeError(
            f"scale {scale.name} has no bench customers for the webhook scenario "
            "(Scale.customers > Scale.subscribers; seed_bench adds them)"
        )
    count = max(MIN_TIMELINES, round(rate * duration / AVERAGE_EVENTS))
    made = stripe_events.timelines(
        customers, billing.prices(scale.name), count=count, now=now, run_id=run_id, rng=rng
    )
    return made, stripe_events.deliveries(made, rng=rng)


def send(port, deliveries, *, secret, rate, threads=THREADS, timeout=30):
    """Posts every delivery on its schedule; returns one record per delivery."""
    records = [None] * len(deliveries)
    counter = itertools.count()
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            while True:
                with lock:
                    i = next(counter)
                if i >= len(deliveries):
                    return
                due = start + i / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                records[i] = _post(conn, deliveries[i], secret, due)
                if records[i]["status"] is None:  # the connection broke: a new one
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        finally:
            conn.close()

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return records, start


def _post(conn, delivery, secret, due):
    body = delivery.event.body
    sent = time.perf_counter()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": stripe_events.signature(body, secret),
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    }
    record = {"event": delivery.event.id, "repeat": delivery.repeat, "lag_s": sent - due}
    try:
        conn.request("POST", PATH, body=body, headers=headers)
        response = conn.getresponse()
        reply = response.read()
        record["status"] = response.status
        try:
            record["duplicate"] = bool(json.loads(reply).get("duplicate"))
        except ValueError:
            record["duplicate"] = None
        if response.status != 200:
            record["error"] = reply[:200].decode(errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        record.update(status=None, error=f"{type(exc).__name__}: {exc}")
    done = time.perf_counter()
    record.update(latency_ms=(done - sent) * 1000, done=done)
    return record


def _percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def summarize(records, start, timelines_, rate):
    answered = [r for r in records if r["status"] == 200]
    failed = [r for r in records if r["status"] != 200]
    elapsed = max((r["done"] for r in records), default=start) - start
    latencies = [r["latency_ms"] for r in answered]
    kinds = {}
    for timeline in timelines_:
        kinds[timeline.kind] = kinds.get(timeline.kind, 0) + 1
    return {
        "description": "signed Stripe subscription events to POST /stripe/webhook/, "
        f"{rate}/s scheduled, Python generator ({THREADS} keep-alive connections)",
        "rate_scheduled": rate,
        "deliveries": len(records),
        "events": len({r["event"] for r in records}),
        "repeats_sent": sum(1 for r in records if r["repeat"]),
        "timelines": len(timelines_),
        "kinds": kinds,
        "out_of_order_timelines": sum(1 for t in timelines_ if t.out_of_order),
        "accepted": len(answered),
        "acknowledged_as_duplicate": sum(1 for r in answered if r.get("duplicate")),
        "errors": len(failed),
        "first_errors": [f"{r['event']}: {r['status']} {r.get('error', '')}" for r in failed[:3]],
        "elapsed_s": elapsed,
        "rps": len(answered) / elapsed if elapsed > 0 else 0.0,
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
        "max_ms": max(latencies, default=None),
        "max_lag_ms": max((r["lag_s"] for r in records), default=0) * 1000,
    }


def processing(event_ids):
    """How fast the worker kept up, from the stored events' own times: per event, receipt
    to processed (p50, p99), and events processed per second from the first receipt to the
    last processing."""
    from django.db.models import Max, Min

    from payments.models import WebhookEvent

    events = WebhookEvent.objects.filter(stripe_id__in=set(event_ids))
    waits = [
        (done - received).total_seconds() * 1000
        for received, done in events.filter(processed_at__isnull=False).values_list(
            "received_at", "processed_at"
        )
    ]
    span = events.aggregate(first=Min("received_at"), last=Max("processed_at"))
    seconds = (
        (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0
    )
    return {
        "process_p50_ms": _percentile(waits, 50),
        "process_p99_ms": _percentile(waits, 99),
        "processed_per_s": len(waits) / seconds if seconds > 0 else None,
    }


def run(port, scale, *, rate, duration, secret, drain):
    """The whole scenario: plan, send, wait for the worker (`drain()` returns seconds), check.
    Returns the result dict (with `checks` lines and `checks_ok`)."""
    from bench.checks import webhook_checks

    timelines_, deliveries = plan(scale, rate=rate, duration=duration)
    records, start = send(port, deliveries, secret=secret, rate=rate)
    result = summarize(records, start, timelines_, rate)
    result["drain_s"] = drain()
    result.update(processing([d.event.id for d in deliveries]))
    started = time.monotonic()
    checks = webhook_checks(
        [d.event.id for d in deliveries],
        {t.subscription_id: (t.final_status, t.final_created) for t in timelines_},
    )
    result["check_s"] = time.monotonic() - started
    result["checks"] = [c.line() for c in checks]
    result["checks_ok"] = all(c.ok for c in checks)
    return result
