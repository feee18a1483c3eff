import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from community.models import AccessGrant

from . import processing, stripe_api, sync
from .models import Subscription, WebhookEvent

logger = logging.getLogger(__name__)


@shared_task
def process_webhook_event(event_pk):
    """Processes one stored Stripe event (a processed one is skipped: safe to run twice)."""
    processing.process_event(event_pk)


@shared_task
def retry_due_events():
    """Periodic: processes the events whose retry time has come, and any left waiting (a
    broker that refused the first task)."""
    now = timezone.now()
    stale = now - processing.retry_delay(1)
    due = WebhookEvent.objects.filter(
        Q(state=WebhookEvent.State.FAILED, next_attempt_at__lte=now)
        | Q(state=WebhookEvent.State.PENDING, received_at__lte=stale)
    ).values_list("pk", flat=True)[:500]
    for event_pk in due:
        processing.process_event(event_pk)


LIVE_STATUSES = ("active", "trialing", "past_due", "incomplete", "unpaid", "paused")


@shared_task
def reconcile_subscriptions():
    """Periodic: each subscription that may still hold access is read again from Stripe
    (when configured) and its grants are made to match its state, repairing drift from a
    lost event or a grant edited by hand. Idempotent."""
    now = timezone.now()
    open_ended = Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    holding = AccessGrant.objects.filter(open_ended, revoked_at__isnull=True)
    subs = Subscription.objects.filter(
        Q(status__in=LIVE_STATUSES)
        | Q(paid_grant__in=holding.values("pk"))
        | Q(trial_grant__in=holding.values("pk"))
    ).select_related("plan__tier", "user", "paid_grant", "trial_grant")
    client = stripe_api.client() if stripe_api.is_configured() else None
    for sub in subs.iterator(chunk_size=200):
        cause = f"reconcile {sub.stripe_id}"
        try:
            if client is not None and sub.status in LIVE_STATUSES:
                state_at = sync.fetch_time()
                fresh = client.v1.subscriptions.retrieve(sub.stripe_id)
                sync.sync_subscription(stripe_api.as_dict(fresh), state_at=state_at, cause=cause)
            else:
                sync.apply_grants(sub, cause)
        except Exception:
            logger.exception("Reconciling subscription %s failed", sub.stripe_id)
