"""The one way payments talks to Stripe: the official `stripe` package's StripeClient.

`is_configured()` says whether the STRIPE_* settings are there; without them the pages say
payments are not configured and nothing calls Stripe. Tests replace `http_client` (the
stripe package's own HTTP seam) with one that answers from Stripe's fixtures and records the
requests, so everything above it runs for real.
"""

import json
from datetime import UTC, datetime

import stripe
from django.conf import settings

# None: the stripe package picks its default HTTP client. Tests set a stripe.HTTPClient.
http_client = None


class NotConfigured(Exception):
    """Stripe keys are missing: payments are off on this site."""


def is_configured():
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def client():
    if not is_configured():
        raise NotConfigured("Payments are not configured (STRIPE_SECRET_KEY is empty).")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, http_client=http_client, max_network_retries=2
    )


def as_dict(obj):
    """A StripeObject (not a dict since stripe 15) as the plain JSON Stripe sent: stripe
    turns decimal strings (`unit_amount_decimal`) into Decimal, which go back to strings."""
    plain = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return json.loads(json.dumps(plain, default=str))


def from_timestamp(seconds):
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)
