"""Payments' test fixtures: Stripe configured with fake keys, its HTTP API answered by
FakeStripeHTTP, and the plan the timelines' price belongs to."""

import pytest

from payments import stripe_api
from payments.models import Plan

from .stripe_fake import PRICE_ID, SECRET_KEY, WEBHOOK_SECRET, FakeStripeHTTP, post_webhook


@pytest.fixture
def stripe_http(settings, monkeypatch):
    """Stripe configured; its HTTP API is this fake (read `.requests` to see what was sent)."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_agora_FAKE"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    fake = FakeStripeHTTP()
    monkeypatch.setattr(stripe_api, "http_client", fake)
    return fake


@pytest.fixture
def monthly_plan(db, pro):
    """The timelines' $20/month price, sold as a plan of the `pro` tier."""
    return Plan.objects.create(
        tier=pro,
        name="Monthly",
        amount=2000,
        currency="usd",
        interval="month",
        trial_days=14,
        stripe_product_id="prod_QXg1hqf4jFNsqG",
        stripe_price_id=PRICE_ID,
    )


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Posts a signed event to the webhook endpoint and runs what its commit would run (the
    processing task, eager here, and the signals and live events processing sends)."""

    def deliver(body, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_webhook(client, body, **kwargs)

    return deliver
