"""The benchmark's payments parts: the Stripe event generator (bench/stripe_events.py), the
webhook scenario's checks (bench/checks.py) against the real endpoint, the seeded plans and
subscribers (bench/billing.py) and the read scenarios of the payments pages."""

import json
import random
from io import StringIO

import pytest
import stripe
from django.core.management import call_command

from bench import billing, stripe_events
from bench.accounts import READER
from bench.checks import run_checks, subscription_grants, webhook_checks
from bench.run import auth_headers
from bench.scales import SCALES
from bench.scenarios import by_name
from community.models import AccessGrant, Tier
from payments.models import Customer, Invoice, Plan, Subscription, WebhookEvent
from tests.factories import UserFactory

SECRET = "whsec_bench_test_FAKE"
NOW = 1_800_000_000


def test_timelines_are_stripe_shaped_ordered_and_end_in_their_kind():
    timelines, deliveries = stripe_events.sample(random.Random(3), count=40, now=NOW)
    finals = {
        "renewed": "active",
        "trial-converted": "active",
        "past-due": "past_due",
        "canceled-unpaid": "canceled",
        "canceled-in-trial": "canceled",
    }
    assert {t.kind for t in timelines} == set(finals)
    for timeline in timelines:
        assert timeline.final_status == finals[timeline.kind]
        times = [e.created for e in timeline.events]
        assert times == sorted(set(times)), "Stripe times strictly increase"
        assert NOW - 7 * 86_400 < times[-1] < NOW  # around now: the newest within a week
        for event in timeline.events:
            payload = json.loads(event.body)
            obj = payload["data"]["object"]
            assert payload["object"] == "event" and payload["id"] == event.id
            assert payload["api_version"] == "2026-07-29.dahlia"
            assert obj["id"] == timeline.subscription_id
            assert obj["customer"] == timeline.customer_id
            item = obj["items"]["data"][0]
            assert item["price"]["id"].startswith("price_bench_t_")
            assert item["current_period_start"] < item["current_period_end"]
    # Every event delivered, a few twice, a few timelines out of order.
    sent = [d.event.id for d in deliveries]
    assert set(sent) == {e.id for t in timelines for e in t.events}
    repeats = [d for d in deliveries if d.repeat]
    assert repeats and len(sent) == len(set(sent)) + len(repeats)
    for repeat in repeats:
        assert sent.index(repeat.event.id) < deliveries.index(repeat)
    assert any(t.out_of_order for t in timelines)


def test_the_signature_is_the_stripe_packages_and_checks_out():
    _, deliveries = stripe_events.sample(count=2, now=NOW)
    body = deliveries[0].event.body
    header = stripe_events.signature(body, SECRET)
    event = stripe.Webhook.construct_event(body, header, SECRET)
    assert event.id == deliveries[0].event.id
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body + b" ", header, SECRET)


@pytest.mark.django_db
def test_timelines_posted_to_the_endpoint_pass_the_webhook_checks(
    client, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = "sk_test_bench_FAKE"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    tier = Tier.objects.create(name="Pro", slug="pro", listed=True)
    for price in billing.prices("t"):
        Plan.objects.create(
            tier=tier, name=price.nickname, amount=price.amount, interval=price.interval,
            stripe_price_id=price.id, stripe_product_id=price.product,
        )  # fmt: skip
    members = UserFactory.create_batch(6)
    customers = []
    for i, member in enumerate(members):
        Customer.objects.create(user=member, stripe_id=f"cus_bench_t_{i}")
        customers.append((f"cus_bench_t_{i}", member.pk))
    rng = random.Random(5)
    timelines = stripe_events.timelines(
        customers, billing.prices("t"), count=12, now=NOW, run_id="t", rng=rng
    )
    deliveries = stripe_events.deliveries(timelines, rng=rng, duplicate_share=0.2)
    duplicates = 0
    for delivery in deliveries:
        body = delivery.event.body
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/stripe/webhook/", data=body, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=stripe_events.signature(body, SECRET),
            )  # fmt: skip
        assert response.status_code == 200, response.content
        duplicates += response.json()["duplicate"]
    assert duplicates == sum(1 for d in deliveries if d.repeat)

    finals = {t.subscription_id: (t.final_status, t.final_created) for t in timelines}
    results = webhook_checks([d.event.id for d in deliveries], finals)
    assert [r.line() for r in results if not r.ok] == []
    assert [r.checked for r in results] == [
        len({d.event.id for d in deliveries}),
        len({d.event.id for d in deliveries}),
        12,
        12,
    ]
    assert AccessGrant.objects.active().filter(user__in=members).exists()

    # The checks catch what they are for: a lost event, a stale mirror, a wrong grant.
    lost = timelines[0].events[-1]
    WebhookEvent.objects.filter(stripe_id=lost.id).update(state="failed", last_error="boom")
    sub = Subscription.objects.get(stripe_id=timelines[1].subscription_id)
    Subscription.objects.filter(pk=sub.pk).update(status="incomplete")
    grant = AccessGrant.objects.filter(note=f"Stripe subscription {sub.stripe_id}").first()
    AccessGrant.objects.filter(pk=grant.pk).update(revoked_at=grant.starts_at)
    bad = {r.name: r.bad for r in webhook_checks([d.event.id for d in deliveries], finals)}
    assert bad["webhook event stored once"] == 0
    assert bad["webhook event processed"] == 1
    assert bad["subscription = newest event"] == 1
    assert bad["grants = desired_grants(sub)"] >= 1
    assert not subscription_grants().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_seed_loads_plans_and_subscribers_consistent_with_their_grants(bench_app):
    tiny = SCALES["tiny"]
    call_command("seed_bench", scale="tiny", no_progress=True, stdout=StringIO())
    assert Plan.objects.filter(tier__slug="bench-tiny-pro").count() == 2
    numbers = billing.customer_numbers(tiny)
    assert Customer.objects.count() == len(numbers) == tiny.customers + 1
    assert Subscription.objects.count() == tiny.subscribers + 1
    assert len(billing.webhook_customers(tiny)) == tiny.customers - tiny.subscribers
    statuses = set(Subscription.objects.values_list("status", flat=True))
    assert {"active", "trialing", "past_due", "canceled"} <= statuses
    assert [r.name for r in run_checks() if not r.ok] == []
    # The reader: a former subscriber with invoices and no active grant (paid spaces locked).
    reader = Customer.objects.get(stripe_id=billing.customer_id("tiny", READER)).user
    assert Invoice.objects.filter(user=reader).count() == billing.READER_INVOICES
    assert not AccessGrant.objects.active().filter(user=reader).exists()
    assert AccessGrant.objects.filter(user=reader, source="payment").exists()

    # Idempotent; and a scale loaded before payments existed gets them on the next run.
    counts = (Customer.objects.count(), Subscription.objects.count(), Invoice.objects.count())
    call_command("seed_bench", scale="tiny", no_progress=True, stdout=StringIO())
    assert (Customer.objects.count(), Subscription.objects.count(), Invoice.objects.count()) == (
        counts
    )
    Subscription.objects.all().delete()
    AccessGrant.objects.filter(note__startswith="Stripe subscription ").delete()
    for model in (Invoice, Customer, Plan):
        model.objects.all().delete()
    out = StringIO()
    call_command("seed_bench", scale="tiny", no_progress=True, stdout=out)
    assert "Added the paid tier's" in out.getvalue()
    assert (Customer.objects.count(), Subscription.objects.count(), Invoice.objects.count()) == (
        counts
    )


def test_the_payments_pages_are_registered_read_scenarios():
    scenarios = by_name()
    expected = {
        "pricing-anonymous": ("/pricing/", "anonymous"),
        "pricing-member": ("/pricing/", "session"),
        "billing": ("/billing/", "session"),
        "api-plans": ("/api/v1/payments/plans/", "token"),
        "api-my-invoices": ("/api/v1/payments/me/invoices/", "token"),
    }
    for name, (path, auth) in expected.items():
        assert scenarios[name].path(None) == path
        assert scenarios[name].auth == auth
    creds = {"reader": {"token": "t", "session": "s"}}  # by who signs in (Scenario.member)
    assert auth_headers(scenarios["pricing-anonymous"], creds) == {}
    assert auth_headers(scenarios["billing"], creds) == {"Cookie": "sessionid=s"}
    assert auth_headers(scenarios["api-plans"], creds) == {"Authorization": "Bearer t"}
