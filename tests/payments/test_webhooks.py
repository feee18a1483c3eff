"""The webhook endpoint and event processing, with Stripe's real object shapes and real
signatures (the fixtures' timelines: member A subscribes and is canceled after a failed
renewal; member B has a trial that converts)."""

import json
import random
import time
from datetime import UTC, datetime, timedelta

import pytest

from community.models import AccessGrant, AuditEntry
from payments import processing, tasks
from payments.models import Customer, Invoice, Plan, Subscription, WebhookEvent
from tests.factories import TierFactory, UserFactory
from tests.helpers import run_at_once

from .stripe_fake import (
    FIXTURES,
    MEMBER_A_CUSTOMER,
    MEMBER_A_REFERENCE,
    MEMBER_A_SUBSCRIPTION,
    PRICE_ID,
    event_body,
    make_event,
    manifest,
    post_webhook,
    signature,
    stripe_object,
    timeline_bodies,
)

pytestmark = pytest.mark.django_db


def ts(seconds):
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.fixture
def members(db):
    """Member A (the Checkout's client_reference_id) and member B (whose Stripe customer the
    trial was made for through the API)."""
    a = UserFactory(id=MEMBER_A_REFERENCE, email="member@example.com")
    b = UserFactory(email="trial@example.com")
    Customer.objects.create(user=b, stripe_id=stripe_object("customer.trial_member")["id"])
    return a, b


def grants_of(*users):
    """What the members hold, comparable across runs."""
    return sorted(
        (g.user_id, g.tier_id, g.source, g.starts_at, g.ends_at, g.revoked_at is not None)
        for g in AccessGrant.objects.filter(user__in=users)
        if g.revoked_at is None
    )


# --- The endpoint ---------------------------------------------------------------------------


def test_a_valid_event_is_stored_acknowledged_and_processed(
    deliver, stripe_http, members, monthly_plan
):
    body = event_body("05.customer.subscription.created.trialing.json")
    response = deliver(body)
    assert response.status_code == 200
    assert response.json() == {"received": "evt_1tEUB7WZ01zgkWzGqNKKhAMn", "duplicate": False}
    event = WebhookEvent.objects.get()
    assert event.type == "customer.subscription.created"
    assert event.payload == json.loads(body)
    assert event.state == WebhookEvent.State.PROCESSED and event.attempts == 1
    sub = Subscription.objects.get()
    assert sub.status == "trialing" and sub.user == members[1] and sub.last_event == event


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body: body.replace(b'"livemode": false', b'"livemode": true', 1),
        lambda body: body + b"\n",
        lambda body: json.dumps(json.loads(body)).encode(),  # re-serialized: other bytes
    ],
)
def test_a_tampered_body_is_refused_and_nothing_stored(client, stripe_http, tamper):
    body = event_body("01.customer.subscription.created.json")
    response = post_webhook(client, tamper(body), header=signature(body))
    assert response.status_code == 400
    assert "No signatures found matching the expected signature" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_a_wrong_secret_is_refused(client, stripe_http):
    response = post_webhook(client, event_body("02.invoice.paid.json"), secret="whsec_other")
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_outside_the_tolerance_is_refused(client, stripe_http):
    body = event_body("02.invoice.paid.json")
    response = post_webhook(client, body, timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    assert "Timestamp outside the tolerance zone" in response.json()["error"]
    assert post_webhook(client, body, timestamp=int(time.time()) - 290).status_code == 200


def test_the_fixtures_signature_vectors_pass_only_without_the_age_check(
    client, stripe_http, settings
):
    vectors = json.loads((FIXTURES / "signature-vectors.json").read_text())["vectors"]
    for vector in vectors:
        body = (FIXTURES / vector["file"]).read_bytes()
        header = vector["stripe_signature_header"]
        assert post_webhook(client, body, header=header).status_code == 400  # years old
    settings.STRIPE_WEBHOOK_TOLERANCE = None
    for vector in vectors:
        body = (FIXTURES / vector["file"]).read_bytes()
        header = vector["stripe_signature_header"]
        assert post_webhook(client, body, header=header).status_code == 200
    assert WebhookEvent.objects.count() == len(vectors) == 13


@pytest.mark.parametrize("header", ["", "garbage", "t=1,v0=abc"])
def test_a_missing_or_unreadable_signature_is_refused(client, stripe_http, header):
    response = post_webhook(client, event_body("02.invoice.paid.json"), header=header)
    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_without_stripe_keys_the_endpoint_says_payments_are_off(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = post_webhook(client, event_body("02.invoice.paid.json"))
    assert response.status_code == 503
    assert response.json()["error"] == "Payments are not configured on this site."


def test_a_repeated_delivery_is_acknowledged_and_not_processed_again(
    deliver, stripe_http, members, monthly_plan
):
    body = event_body("05.customer.subscription.created.trialing.json")
    deliver(body)
    audit_entries = AuditEntry.objects.count()
    response = deliver(body)
    assert response.status_code == 200 and response.json()["duplicate"] is True
    assert WebhookEvent.objects.get().attempts == 1
    assert AuditEntry.objects.count() == audit_entries
    # And a task run twice for the same event does nothing the second time.
    tasks.process_webhook_event(WebhookEvent.objects.get().pk)
    assert WebhookEvent.objects.get().attempts == 1


def test_an_unknown_event_type_is_stored_and_ignored(deliver, stripe_http):
    body = make_event("customer.tax_id.created", {"id": "txi_1", "object": "tax_id"})
    assert deliver(body).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.IGNORED and event.processed_at is not None


# --- Processing -------------------------------------------------------------------------------


def test_grants_are_audited_with_the_system_actor_and_the_event_id(
    client, deliver, stripe_http, members, monthly_plan
):
    deliver(event_body("05.customer.subscription.created.trialing.json"))
    entry = AuditEntry.objects.get(action="community.grant")
    assert entry.actor is None
    assert entry.cause == "stripe event evt_1tEUB7WZ01zgkWzGqNKKhAMn"


def test_member_a_timeline_in_order(deliver, stripe_http, members, monthly_plan):
    a, _ = members
    files = [e["file"] for e in manifest() if e["file"][:2] in {"01", "02", "03", "04"}]
    for name in files:
        deliver(event_body(name))
    sub = Subscription.objects.get(stripe_id=MEMBER_A_SUBSCRIPTION)
    assert sub.user == a and sub.status == "active"
    grant = AccessGrant.objects.get(user=a)
    assert grant.source == "payment" and grant.tier == monthly_plan.tier
    assert grant.starts_at == ts(1721954054) and grant.ends_at == ts(1724632454)
    assert sub.paid_grant == grant
    invoice = Invoice.objects.get()
    assert invoice.user == a and invoice.status == "paid" and invoice.amount_paid == 2000


def test_updated_before_created_keeps_the_newer_state(
    client, deliver, stripe_http, members, monthly_plan
):
    deliver(event_body("04.checkout.session.completed.json"))
    deliver(event_body("03.customer.subscription.updated.incomplete_to_active.json"))
    deliver(event_body("01.customer.subscription.created.json"))  # older: no-op
    sub = Subscription.objects.get()
    assert sub.status == "active"
    assert AccessGrant.objects.active(at=ts(1721954060)).filter(user=members[0]).exists()


def test_deleted_before_updated_stays_canceled(deliver, stripe_http, members, monthly_plan):
    deliver(event_body("04.checkout.session.completed.json"))
    deliver(event_body("13.customer.subscription.deleted.json"))
    deliver(event_body("10.customer.subscription.updated.renewal_period.json"))
    assert Subscription.objects.get().status == "canceled"


def test_an_old_updated_after_a_newer_one_changes_nothing(
    client, deliver, stripe_http, members, monthly_plan
):
    deliver(event_body("04.checkout.session.completed.json"))
    deliver(event_body("12.customer.subscription.updated.active_to_past_due.json"))
    before = grants_of(*members)
    deliver(event_body("03.customer.subscription.updated.incomplete_to_active.json"))
    assert Subscription.objects.get().status == "past_due"
    assert grants_of(*members) == before


def _replay(deliver, bodies):
    for body in bodies:
        deliver(body)
    return grants_of(*Customer.objects.values_list("user", flat=True))


def test_the_13_events_in_any_order_end_in_the_same_grants(
    deliver, stripe_http, members, monthly_plan
):
    bodies = timeline_bodies()
    orders = [bodies, bodies[::-1]]
    shuffled = bodies[:]
    random.Random(13).shuffle(shuffled)
    orders.append(shuffled)
    results = []
    for order in orders:
        results.append(_replay(deliver, order))
        # Start the next order from nothing but the members and their known customers.
        WebhookEvent.objects.all().delete()
        Subscription.objects.all().delete()
        Invoice.objects.all().delete()
        AccessGrant.objects.all().delete()
        Customer.objects.filter(stripe_id=MEMBER_A_CUSTOMER).delete()
    assert results[0] == results[1] == results[2]
    a, b = members
    # A: paid from signup until the grace after the failed renewal; B: trial, then paid.
    grace = timedelta(days=7)
    assert results[0] == sorted(
        [
            (a.pk, monthly_plan.tier_id, "payment", ts(1721954054), ts(1724632454) + grace, False),
            (b.pk, monthly_plan.tier_id, "trial", ts(1722126854), ts(1723336454), False),
            (b.pk, monthly_plan.tier_id, "payment", ts(1723336454), ts(1726014854), False),
        ]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_event_processed_at_once_by_several_workers_runs_once(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    tier = TierFactory(name="Pro", slug="pro")
    Plan.objects.create(tier=tier, name="Monthly", amount=2000, stripe_price_id=PRICE_ID)
    member = UserFactory()
    Customer.objects.create(user=member, stripe_id=stripe_object("customer.trial_member")["id"])
    body = json.loads(event_body("05.customer.subscription.created.trialing.json"))
    event = WebhookEvent.objects.create(
        stripe_id=body["id"], type=body["type"], created=ts(body["created"]), payload=body
    )
    run_at_once(6, lambda _i: processing.process_event(event.pk))
    event.refresh_from_db()
    assert event.state == "processed" and event.attempts == 1
    assert AccessGrant.objects.filter(user=member).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_events_of_a_new_subscription_processed_at_once_all_succeed(settings):
    """Two workers meeting a subscription nobody stored yet: one inserts it, the other
    finds it and compares states instead of failing on the unique Stripe id."""
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    tier = TierFactory(name="Pro", slug="pro")
    Plan.objects.create(tier=tier, name="Monthly", amount=2000, stripe_price_id=PRICE_ID)
    member = UserFactory(id=MEMBER_A_REFERENCE)
    Customer.objects.create(user=member, stripe_id=MEMBER_A_CUSTOMER)
    events = []
    for name in ("01.customer.subscription.created.json",
                 "03.customer.subscription.updated.incomplete_to_active.json",
                 "02.invoice.paid.json"):  # fmt: skip
        body = json.loads(event_body(name))
        events.append(WebhookEvent.objects.create(
            stripe_id=body["id"], type=body["type"], created=ts(body["created"]), payload=body
        ))  # fmt: skip
    run_at_once(len(events), lambda i: processing.process_event(events[i].pk))
    assert set(WebhookEvent.objects.values_list("state", flat=True)) == {"processed"}
    assert Subscription.objects.get().status == "active"
    assert AccessGrant.objects.filter(user=member).count() == 1
