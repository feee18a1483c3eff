"""The paid tier's side of the benchmark dataset: plans, Stripe customers, subscriptions
with the grants they hold, and invoices (payments app), for the pricing and billing pages
and the webhook scenario.

- Two plans of the scale's tier `bench-<scale>-pro` (made-up Stripe ids: `price_bench_<scale>_
  month` and `_year`): monthly with a 14-day trial, and yearly.
- A Stripe customer (`cus_bench_<scale>_<n>`) for `Scale.customers` members from
  bench-<scale>-11 on; the first `Scale.subscribers` of them have a subscription (most
  active, some trialing, past due or canceled) with its invoices, and its grants exactly what
  `payments.sync.desired_grants` says of it (so the grants check holds on a fresh load). The
  rest are the webhook scenario's customers: each run gives them new subscriptions.
- The reader (bench-<scale>-10) is a former subscriber: a customer, a subscription canceled a
  month ago and its 24 paid invoices, for the billing page; its grant has ended, so it still
  sees the paid spaces locked.

A few thousand rows at most: the ORM's bulk_create, in the load's transaction (or in its own
when a scale loaded before payments existed gets them: `seed_payments` is idempotent, its
marker is the monthly plan's price id).
"""

import random
from datetime import UTC, datetime

from django.db import transaction

from community.models import AccessGrant, Tier, User
from payments.models import Customer, Invoice, Plan, Subscription
from payments.sync import desired_grants

from . import stripe_events
from .accounts import READER
from .stripe_events import DAY, PERIOD, TRIAL_DAYS, Price

CUSTOMER_FIRST = 11  # bench-<scale>-11 is the first member with a Stripe customer
READER_INVOICES = 24


def price_id(scale_name, interval):
    return f"price_bench_{scale_name}_{interval}"


def product_id(scale_name):
    return f"prod_bench_{scale_name}"


def customer_id(scale_name, number):
    return f"cus_bench_{scale_name}_{number}"


def prices(scale_name):
    """The plans' Stripe prices, monthly first, as the event generator names them."""
    return [
        Price(price_id(scale_name, "month"), product_id(scale_name), 2000, "month", "Monthly"),
        Price(price_id(scale_name, "year"), product_id(scale_name), 20000, "year", "Yearly"),
    ]


def loaded(scale_name):
    return Plan.objects.filter(stripe_price_id=price_id(scale_name, "month")).exists()


def customer_numbers(scale):
    """Member numbers with a Stripe customer: the reader, then `customers` from 11 on."""
    last = min(scale.members, CUSTOMER_FIRST + scale.customers)
    return [READER, *range(CUSTOMER_FIRST, last)] if scale.customers else []


def webhook_customers(scale):
    """(customer stripe id, user id) of the members the webhook scenario subscribes: those
    with a customer and no seeded subscription."""
    numbers = customer_numbers(scale)[1 + scale.subscribers :]
    ids = {customer_id(scale.name, n): n for n in numbers}
    rows = Customer.objects.filter(stripe_id__in=ids).values_list("stripe_id", "user_id")
    return sorted(rows, key=lambda row: ids[row[0]])


def seed_payments(scale, *, now=None):
    """Loads the scale's plans, customers, subscriptions, grants and invoices unless they are
    there. Returns {kind: rows} ({} when already loaded)."""
    if loaded(scale.name) or not scale.customers:
        return {}
    now = int(now or datetime.now(UTC).timestamp())
    rng = random.Random(f"bench-payments-{scale.name}")
    with transaction.atomic():
        tier = Tier.objects.get(slug=f"bench-{scale.name}-pro")
        month, year = prices(scale.name)
        plans = {
            "month": Plan.objects.create(
                tier=tier, name="Monthly", amount=month.amount, currency="usd", interval="month",
                trial_days=TRIAL_DAYS, stripe_product_id=month.product,
                stripe_price_id=month.id, position=1,
            ),
            "year": Plan.objects.create(
                tier=tier, name="Yearly", amount=year.amount, currency="usd", interval="year",
                stripe_product_id=year.product, stripe_price_id=year.id, position=2,
            ),
        }  # fmt: skip
        numbers = customer_numbers(scale)
        handles = {f"bench-{scale.name}-{n}": n for n in numbers}
        users = {
            handles[handle]: pk
            for handle, pk in User.objects.filter(handle__in=handles).values_list("handle", "pk")
        }
        Customer.objects.bulk_create(
            [Customer(user_id=users[n], stripe_id=customer_id(scale.name, n)) for n in numbers],
            batch_size=1000,
        )
        subscribers = [READER, *numbers[1 : 1 + scale.subscribers]]
        histories = [_reader_history(now)]
        histories += [_history(i, now, rng) for i in range(len(subscribers) - 1)]
        subs, invoices = [], []
        for n, history in zip(subscribers, histories, strict=True):
            plan = plans[history["interval"]]
            sub, sub_invoices = _subscription(scale.name, n, users[n], plan, history)
            subs.append(sub)
            invoices += sub_invoices
        grants = _grants(subs)
        AccessGrant.objects.bulk_create([g for pair in grants for g in pair if g], batch_size=1000)
        for sub, (trial, paid) in zip(subs, grants, strict=True):
            sub.trial_grant, sub.paid_grant = trial, paid
        Subscription.objects.bulk_create(subs, batch_size=500)
        Invoice.objects.bulk_create(invoices, batch_size=1000)
    return {
        "plans": len(plans),
        "customers": len(numbers),
        "subscriptions": len(subs),
        "grants": sum(1 for pair in grants for g in pair if g),
        "invoices": len(invoices),
    }


def _reader_history(now):
    """Two years of monthly payments, canceled at the end of the last period a month ago."""
    period = PERIOD["month"]
    start = now - (READER_INVOICES + 1) * period
    ended = start + READER_INVOICES * period
    return {"interval": "month", "status": "canceled", "start": start, "trial_end": None,
            "period_start": ended - period, "period_end": ended, "ended_at": ended,
            "reason": "cancellation_requested", "state_at": ended}  # fmt: skip


def _history(i, now, rng):
    """Subscriber i's subscription as it stands now: 7 in 10 active (a quarter of those
    yearly), then one trialing, one past due, one canceled at the end of its period."""
    roll = i % 10
    interval = "year" if roll < 7 and i % 4 == 3 else "month"
    period = PERIOD[interval]
    if roll == 7:  # trialing
        start = now - rng.randint(1, TRIAL_DAYS - 1) * DAY
        trial_end = start + TRIAL_DAYS * DAY
        return {"interval": "month", "status": "trialing", "start": start,
                "trial_end": trial_end, "period_start": start, "period_end": trial_end,
                "ended_at": None, "reason": None, "state_at": start}  # fmt: skip
    back = rng.randint(1, 24 if interval == "month" else 3)
    start = now - back * period - rng.randint(0, 25) * DAY
    periods = (now - start) // period  # complete periods since the start
    period_start = start + periods * period
    history = {"interval": interval, "status": "active", "start": start, "trial_end": None,
               "period_start": period_start, "period_end": period_start + period,
               "ended_at": None, "reason": None, "state_at": period_start}  # fmt: skip
    if roll == 8:  # the renewal failed a few days ago: still inside the grace period
        period_start = now - rng.randint(1, 5) * DAY
        history.update(status="past_due", start=period_start - rng.randint(1, 12) * period,
                       period_start=period_start, period_end=period_start + period,
                       state_at=period_start + 3600)  # fmt: skip
    elif roll == 9:  # canceled at the end of its last period
        history.update(status="canceled", ended_at=period_start, period_start=period_start - period,
                       period_end=period_start, reason="cancellation_requested",
                       state_at=period_start)  # fmt: skip
    return history


def _subscription(scale_name, number, user_id, plan, h):
    """The Subscription row (Stripe's object in `data`) and its invoices."""
    sub_id = f"sub_bench_{scale_name}_{number}"
    price = next(p for p in prices(scale_name) if p.id == plan.stripe_price_id)
    obj = stripe_events.subscription(
        sub_id=sub_id, customer=customer_id(scale_name, number), price=price, status=h["status"],
        start=h["start"], period_start=h["period_start"], period_end=h["period_end"],
        trial_end=h["trial_end"], ended_at=h["ended_at"], cancel_reason=h["reason"],
    )  # fmt: skip
    sub = Subscription(
        stripe_id=sub_id, customer_stripe_id=obj["customer"], user_id=user_id,
        stripe_price_id=price.id, plan=plan, status=h["status"], started_at=_dt(h["start"]),
        current_period_start=_dt(h["period_start"]), current_period_end=_dt(h["period_end"]),
        trial_end=_dt(h["trial_end"]), canceled_at=_dt(h["ended_at"]), ended_at=_dt(h["ended_at"]),
        state_at=_dt(h["state_at"]), data=obj,
    )  # fmt: skip
    period = PERIOD[h["interval"]]
    invoices = []
    starts = []
    if h["trial_end"]:
        starts.append((h["start"], 0))  # the $0 invoice that opens a trial
        paid_from = h["trial_end"]
    else:
        paid_from = h["start"]
    at = paid_from
    while at <= h["period_start"]:
        starts.append((at, plan.amount))
        at += period
    for j, (begins, amount) in enumerate(starts):
        unpaid = h["status"] == "past_due" and begins == h["period_start"]
        stripe_id = f"in_bench_{scale_name}_{number}_{j}"
        invoices.append(
            Invoice(
                stripe_id=stripe_id, customer_stripe_id=obj["customer"], user_id=user_id,
                subscription_stripe_id=sub_id, number=f"BENCH-{number:06d}-{j + 1:04d}",
                status="open" if unpaid else "paid", amount_due=amount,
                amount_paid=0 if unpaid else amount, currency="usd",
                billing_reason="subscription_create" if j == 0 else "subscription_cycle",
                hosted_invoice_url=f"https://invoice.stripe.com/i/bench/{stripe_id}",
                invoice_pdf=f"https://pay.stripe.com/invoice/bench/{stripe_id}/pdf",
                period_start=_dt(begins), period_end=_dt(begins + period), created=_dt(begins),
                state_at=_dt(begins),
            )
        )  # fmt: skip
    return sub, invoices


def _grants(subs):
    """(trial, paid) AccessGrants per subscription, unsaved: what desired_grants says."""
    out = []
    for sub in subs:
        pair = []
        for desired in desired_grants(sub):
            pair.append(
                AccessGrant(
                    user_id=sub.user_id,
                    tier_id=sub.plan.tier_id,
                    source=desired.source,
                    starts_at=desired.starts_at,
                    ends_at=desired.ends_at,
                    note=f"Stripe subscription {sub.stripe_id}",
                    created_at=desired.starts_at,
                )
                if desired
                else None
            )
        out.append(tuple(pair))
    return out


def _dt(seconds):
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)
