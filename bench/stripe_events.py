"""Stripe objects and webhook events for the benchmark, shaped like Stripe's own.

The shapes come from the fixture files of the payments tests
(tests/payments/stripe_fixtures/derived/: Stripe's example objects made coherent for each
subscription state, API version 2026-07-29.dahlia), read here by path: bench never imports
tests/. This module changes ids, times, prices and states and leaves every other field as
the fixture has it.

- `subscription(...)`: a subscription object in a given state (the period is on the item, as
  Stripe sends it since 2025-03-31.basil).
- `event_body(...)`: the exact bytes of a webhook delivery around an object.
- `timelines(...)`: subscription histories with times around now, each a list of events in
  the order Stripe created them (created → renewal → some past_due → some deleted, trials
  with their trial_will_end), and the state the last one leaves.
- `deliveries(...)`: those events in the order the benchmark posts them: interleaved across
  subscriptions, a few delivered twice, a few timelines out of order.
"""

import copy
import json
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "payments" / "stripe_fixtures"
DERIVED = FIXTURES / "derived"
DAY = 86_400
PERIOD = {"month": 30 * DAY, "year": 365 * DAY}
TRIAL_DAYS = 14


@cache
def _fixture(relative):
    path = DERIVED / relative
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: the webhook benchmark builds its events from the payments "
            "tests' Stripe fixtures (tests/payments/stripe_fixtures/derived/)"
        )
    return json.loads(path.read_text())


def fixture_object(name):
    """A copy of `derived/objects/<name>.json`."""
    return copy.deepcopy(_fixture(f"objects/{name}.json"))


@dataclass(frozen=True)
class Price:
    """What a subscription item names: our plan's Stripe price."""

    id: str
    product: str
    amount: int
    interval: str  # "month" | "year"
    nickname: str
    currency: str = "usd"


# The fixture each state starts from (same schema and field set as Stripe sends it).
_BASE = {
    "trialing": "subscription.trialing",
    "active": "subscription.active",
    "past_due": "subscription.past_due",
    "canceled": "subscription.canceled",
}


def subscription(
    *,
    sub_id,
    customer,
    price,
    status,
    start,
    period_start,
    period_end,
    trial_end=None,
    ended_at=None,
    cancel_reason=None,
    latest_invoice="",
):
    """A Stripe subscription object (dict) in `status`, times in Unix seconds."""
    obj = fixture_object(_BASE["trialing" if status == "trialing" else status])
    suffix = sub_id.removeprefix("sub_")
    obj.update(
        id=sub_id,
        customer=customer,
        status=status,
        created=start,
        start_date=start,
        billing_cycle_anchor=trial_end or start,
        trial_start=start if trial_end else None,
        trial_end=trial_end,
        canceled_at=ended_at,
        ended_at=ended_at,
        latest_invoice=latest_invoice or f"in_{suffix}",
        default_payment_method=f"pm_{suffix}",
    )
    obj["cancellation_details"]["reason"] = cancel_reason
    item = obj["items"]["data"][0]
    item.update(
        id=f"si_{suffix}",
        created=start,
        current_period_start=period_start,
        current_period_end=period_end,
        subscription=sub_id,
    )
    for key in ("plan", "price"):
        item[key].update(id=price.id, product=price.product, nickname=price.nickname,
                         currency=price.currency)  # fmt: skip
    item["plan"].update(amount=price.amount, amount_decimal=str(price.amount),
                        interval=price.interval)  # fmt: skip
    item["price"].update(unit_amount=price.amount, unit_amount_decimal=str(price.amount),
                         lookup_key=f"bench_{price.interval}ly")  # fmt: skip
    item["price"]["recurring"]["interval"] = price.interval
    obj["items"]["url"] = f"/v1/subscription_items?subscription={sub_id}"
    return obj


def event_body(event_type, obj, *, event_id, created, previous_attributes=None):
    """The bytes Stripe would POST: an event envelope shaped like the fixture timeline's
    (compact JSON, as the signature covers the exact bytes)."""
    envelope = copy.deepcopy(_fixture("events/01.customer.subscription.created.json"))
    envelope.update(id=event_id, type=event_type, created=int(created))
    envelope["data"] = {"object": obj}
    if previous_attributes:
        envelope["data"]["previous_attributes"] = previous_attributes
    return json.dumps(envelope, separators=(",", ":")).encode()


@dataclass
class Event:
    id: str
    type: str
    created: int
    body: bytes


@dataclass
class Timeline:
    kind: str
    subscription_id: str
    customer_id: str
    user_id: int
    events: list = field(default_factory=list)  # in Stripe's order (by `created`)
    out_of_order: bool = False  # delivered with two neighbouring events swapped

    @property
    def final_status(self):
        return json.loads(self.events[-1].body)["data"]["object"]["status"]

    @property
    def final_created(self):
        return self.events[-1].created


# The kinds of history and how often each is drawn: most renew, some fall past due, some
# are canceled (after failed payments or during the trial).
KINDS = (
    ("renewed", 4),
    ("trial-converted", 2),
    ("past-due", 2),
    ("canceled-unpaid", 1),
    ("canceled-in-trial", 1),
)


def timelines(customers, prices, *, count, now, run_id, rng):
    """`count` subscription histories, each for the next customer of `customers` (a list of
    (customer stripe id, user id); cycled when count exceeds it) on a price of `prices`,
    with Stripe times around `now`: periods that contain now, newest events from a minute to
    six days old (a renewal that failed days ago), histories reaching a period or a trial
    back."""
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    out = []
    for k in range(count):
        customer, user_id = customers[k % len(customers)]
        kind = kinds[k % len(kinds)] if k < len(kinds) else rng.choices(kinds, weights)[0]
        monthly = [p for p in prices if p.interval == "month"]
        price = monthly[0] if kind != "renewed" or rng.random() < 0.8 else prices[-1]
        sub_id = f"sub_bench{run_id}x{k:05d}"
        out.append(_timeline(kind, sub_id, customer, user_id, price, now, rng))
    return out


def _timeline(kind, sub_id, customer, user_id, price, now, rng):
    period = PERIOD[price.interval]
    events = []
    counter = iter(range(1, 100))

    def add(event_type, at, obj, previous=None):
        event_id = f"evt_{sub_id.removeprefix('sub_')}e{next(counter):02d}"
        body = event_body(event_type, obj, event_id=event_id, created=at,
                          previous_attributes=previous)  # fmt: skip
        events.append(Event(event_id, event_type, int(at), body))

    common = {"sub_id": sub_id, "customer": customer, "price": price}
    recent = now - rng.randint(60, 3 * 3600)  # the newest event of the timeline
    if kind in ("trial-converted", "canceled-in-trial"):
        trial = TRIAL_DAYS * DAY
        if kind == "trial-converted":
            start = recent - trial  # converted just now
        else:
            start = recent - rng.randint(2, TRIAL_DAYS - 4) * DAY  # canceled mid-trial
        trial_end = start + trial
        trialing = subscription(status="trialing", start=start, period_start=start,
                                period_end=trial_end, trial_end=trial_end, **common)  # fmt: skip
        add("customer.subscription.created", start + 1, trialing)
        if kind == "trial-converted":
            add("customer.subscription.trial_will_end", trial_end - 3 * DAY, trialing)
            active = subscription(status="active", start=start, period_start=trial_end,
                                  period_end=trial_end + period, trial_end=trial_end,
                                  **common)  # fmt: skip
            add("customer.subscription.updated", trial_end + 1, active, {"status": "trialing"})
        else:
            canceled = subscription(status="canceled", start=start, period_start=start,
                                    period_end=trial_end, trial_end=trial_end, ended_at=recent,
                                    cancel_reason="cancellation_requested", **common)  # fmt: skip
            add("customer.subscription.deleted", recent, canceled)
        return Timeline(kind, sub_id, customer, user_id, events)

    # Paid from the start: created → renewed, then for some a failed renewal (past_due) and
    # for some the cancellation after the retries.
    renewal = recent - rng.randint(1, 6) * DAY if kind != "renewed" else recent
    start = renewal - period
    first = subscription(status="active", start=start, period_start=start, period_end=renewal,
                         **common)  # fmt: skip
    add("customer.subscription.created", start + 1, first)
    renewed = subscription(status="active", start=start, period_start=renewal,
                           period_end=renewal + period, **common)  # fmt: skip
    previous_items = {"items": first["items"], "latest_invoice": first["latest_invoice"]}
    add("customer.subscription.updated", renewal + 1, renewed, previous_items)
    if kind in ("past-due", "canceled-unpaid"):
        past_due = subscription(status="past_due", start=start, period_start=renewal,
                                period_end=renewal + period, **common)  # fmt: skip
        add("customer.subscription.updated", renewal + 3600, past_due, {"status": "active"})
    if kind == "canceled-unpaid":
        canceled = subscription(status="canceled", start=start, period_start=renewal,
                                period_end=renewal + period, ended_at=recent,
                                cancel_reason="payment_failed", **common)  # fmt: skip
        add("customer.subscription.deleted", recent, canceled)
    return Timeline(kind, sub_id, customer, user_id, events)


@dataclass
class Delivery:
    event: Event
    repeat: bool = False  # a second delivery of an event already sent


def deliveries(timelines_, *, rng, duplicate_share=0.05, out_of_order_share=0.1):
    """The posting order: round r carries event r of every timeline (shuffled within the
    round), so one subscription's events are spread over the run; a share of the timelines
    get two neighbouring events swapped (the newer delivered first), and a share of the
    events is delivered again later in the run (Stripe delivers at least once)."""
    sequences = []
    for timeline in timelines_:
        events = list(timeline.events)
        if len(events) > 1 and rng.random() < out_of_order_share:
            i = rng.randrange(len(events) - 1)
            events[i], events[i + 1] = events[i + 1], events[i]
            timeline.out_of_order = True
        sequences.append(events)
    order = []
    for r in range(max(len(s) for s in sequences)):
        batch = [Delivery(s[r]) for s in sequences if r < len(s)]
        rng.shuffle(batch)
        order.extend(batch)
    repeats = [d.event for d in order if rng.random() < duplicate_share]
    if order and not repeats:
        repeats = [order[len(order) // 2].event]
    for event in repeats:
        first = next(i for i, d in enumerate(order) if d.event is event)
        order.insert(rng.randint(first + 1, len(order)), Delivery(event, repeat=True))
    return order


def signature(body, secret, timestamp=None):
    """The Stripe-Signature header for `body`, made by the stripe package itself."""
    import stripe

    return stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, timestamp=timestamp
    )


def sample(rng=None, count=10, now=1_800_000_000):
    """A small set for tests: (timelines, deliveries) for made-up customers."""
    rng = rng or random.Random(1)
    prices = [Price("price_bench_t_month", "prod_bench_t", 2000, "month", "Monthly"),
              Price("price_bench_t_year", "prod_bench_t", 20000, "year", "Yearly")]  # fmt: skip
    customers = [(f"cus_bench_t_{i}", i) for i in range(count)]
    made = timelines(customers, prices, count=count, now=now, run_id="t", rng=rng)
    return made, deliveries(made, rng=rng)
