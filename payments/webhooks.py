"""Stripe webhooks, in the request: verify, store, acknowledge (processing.py does the rest).

The signature is checked by the stripe package (`Webhook.construct_event`), the event is
stored under its unique Stripe id (a repeated delivery finds it and is acknowledged without
queueing work again), and the processing task is queued after commit.
"""

import json

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import effects

from .models import WebhookEvent
from .stripe_api import from_timestamp
from .tasks import process_webhook_event


class InvalidWebhook(Exception):
    """Bad signature, stale timestamp or a body that is not an event: answer 400."""


def receive(body, signature_header):
    """Verifies and stores one delivery. Returns (WebhookEvent, created)."""
    try:
        stripe.Webhook.construct_event(
            body,
            signature_header or "",
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE,
        )
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(str(exc)) from exc
    except ValueError as exc:
        raise InvalidWebhook(f"The body is not a Stripe event: {exc}") from exc
    # Stored as Stripe sent it (the SDK object turns some numbers into Decimal).
    payload = json.loads(body)
    if not isinstance(payload, dict) or not payload.get("id") or not payload.get("type"):
        raise InvalidWebhook("The body is not a Stripe event (no id or type).")
    try:
        with transaction.atomic():
            stored, created = WebhookEvent.objects.get_or_create(
                stripe_id=payload["id"],
                defaults={
                    "type": payload["type"],
                    "api_version": payload.get("api_version") or "",
                    "livemode": bool(payload.get("livemode")),
                    "created": from_timestamp(payload.get("created")) or timezone.now(),
                    "payload": payload,
                },
            )
    except IntegrityError:  # the same event delivered twice at the same moment
        return WebhookEvent.objects.get(stripe_id=payload["id"]), False
    if created:
        effects.enqueue_on_commit(process_webhook_event, stored.pk)
    return stored, created
