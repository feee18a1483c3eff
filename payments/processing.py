"""Processing of stored Stripe events, in Celery: exactly once per event id.

`process_event` locks the event's row, skips one already done, runs its handler in a
savepoint and records the outcome; a failure keeps its error and is retried with backoff
by `tasks.retry_due_events`, and an admin can re-run it. Handlers mirror the objects and
make grants match (sync.py), so they are safe in any order.
"""

import logging
from datetime import timedelta

import stripe
from django.db import transaction
from django.utils import timezone

from community import effects
from community import services as community_services
from community.actors import system
from community.models import AccessGrant

from . import mail, signals, stripe_api, sync
from .models import Plan, Purchase, Subscription, WebhookEvent

logger = logging.getLogger(__name__)

State = WebhookEvent.State
MAX_ATTEMPTS = 8


def process_event(event_pk):
    """Runs the event's handler once. Safe to call again: a processed event is skipped."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
        if event.state in (State.PROCESSED, State.IGNORED):
            return event
        handler = HANDLERS.get(event.type)
        event.attempts += 1
        if handler is None:
            event.state = State.IGNORED
            event.processed_at = timezone.now()
            event.next_attempt_at = None
            event.save()
            return event
        try:
            with transaction.atomic():
                handler(event)
        except Exception as exc:
            logger.exception("Stripe event %s (%s) failed", event.stripe_id, event.type)
            event.last_error = f"{type(exc).__name__}: {exc}"[:4000]
            if event.attempts >= MAX_ATTEMPTS:
                event.state, event.next_attempt_at = State.GAVE_UP, None
            else:
                event.state = State.FAILED
                event.next_attempt_at = timezone.now() + retry_delay(event.attempts)
        else:
            event.state = State.PROCESSED
            event.processed_at = timezone.now()
            event.last_error = ""
            event.next_attempt_at = None
        event.save()
    return event


def retry_delay(attempts):
    """1, 2, 4 … minutes after each failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


# --- Handlers: each takes the stored event and runs inside its transaction ----------------


def _cause(event):
    return f"stripe event {event.stripe_id}"


def _object(event):
    return event.payload["data"]["object"]


def handle_subscription(event):
    sync.sync_subscription(_object(event), state_at=event.created, cause=_cause(event), event=event)


def handle_trial_will_end(event):
    sub = sync.sync_subscription(
        _object(event), state_at=event.created, cause=_cause(event), event=event
    )
    if sub.user_id and sub.trial_end:
        effects.send_signal_on_commit(
            signals.trial_will_end,
            user_id=sub.user_id,
            subscription_id=sub.pk,
            trial_end=sub.trial_end.isoformat(),
        )


def handle_invoice(event):
    invoice = sync.sync_invoice(_object(event), state_at=event.created)
    if event.type == "invoice.paid" and invoice.user_id and invoice.amount_paid > 0:
        effects.send_signal_on_commit(
            signals.payment_received, user_id=invoice.user_id, kind="invoice", object_id=invoice.pk
        )
    if event.type == "invoice.payment_failed" and invoice.user_id:
        effects.send_signal_on_commit(
            signals.payment_failed,
            user_id=invoice.user_id,
            invoice_id=invoice.pk,
            hosted_invoice_url=invoice.hosted_invoice_url,
        )


def handle_checkout_completed(event):
    session = _object(event)
    user, created = sync.member_for_checkout(session)
    customer = sync._id(session.get("customer"))
    if customer:
        sync.link_customer(customer, user, _cause(event))
    if created:
        effects.on_commit(lambda: mail.send_purchase_sign_in(user.pk))
    # "unpaid" is a delayed payment method still clearing: async_payment_succeeded follows.
    if session.get("mode") == "payment" and session.get("payment_status") in PAID:
        _grant_one_time_purchase(event, session, user)
    elif session.get("mode") == "subscription":
        _fetch_unseen_subscription(event, session)
        _note_checkout_coupon(session)


PAID = ("paid", "no_payment_required")


def _fetch_unseen_subscription(event, session):
    """Checkout often completes before the subscription's own events arrive: read it from
    Stripe so the member's access opens now. Not being able to is no failure of this event
    (linking the customer was its job): the subscription's events and the reconcile task
    bring the same state."""
    subscription_id = sync._id(session.get("subscription"))
    if not subscription_id or not stripe_api.is_configured():
        return
    if Subscription.objects.filter(stripe_id=subscription_id).exists():
        return
    state_at = sync.fetch_time()
    try:
        fresh = stripe_api.client().v1.subscriptions.retrieve(subscription_id)
    except stripe.StripeError as exc:
        logger.warning(
            "Subscription %s of %s not read from Stripe: %s", subscription_id, event.stripe_id, exc
        )
        return
    sync.sync_subscription(
        stripe_api.as_dict(fresh), state_at=state_at, cause=_cause(event), event=event
    )


def _grant_one_time_purchase(event, session, user):
    plan_id = str((session.get("metadata") or {}).get("plan_id") or "")
    plan = (
        Plan.objects.select_related("tier").filter(pk=int(plan_id)).first()
        if (plan_id.isdigit())
        else None
    )
    if plan is None:
        raise ValueError(f"Checkout session {session['id']} names no plan of ours")
    purchase, created = Purchase.objects.get_or_create(
        checkout_session_id=session["id"],
        defaults={
            "user": user,
            "plan": plan,
            "amount_total": session.get("amount_total") or 0,
            "currency": session.get("currency") or plan.currency,
            "event": event,
        },
    )
    if created:
        purchase.grant = community_services.grant_access(
            system(_cause(event)),
            member=user,
            tier=plan.tier,
            source=AccessGrant.Source.PAYMENT,
            note=f"Stripe checkout {session['id']}",
        )
        purchase.save(update_fields=["grant"])
        if purchase.amount_total > 0:
            effects.send_signal_on_commit(
                signals.payment_received, user_id=user.pk, kind="purchase", object_id=purchase.pk
            )


def _note_checkout_coupon(session):
    """Checkout names the coupon a subscription was bought with; keep it on the mirror."""
    coupon = next(
        (sync._id(d.get("coupon")) for d in session.get("discounts") or [] if d.get("coupon")),
        "",
    )
    subscription_id = sync._id(session.get("subscription"))
    if coupon and subscription_id:
        sub = Subscription.objects.filter(stripe_id=subscription_id).first()
        if sub is not None and sub.coupon_stripe_id != coupon:
            sub.coupon_stripe_id = coupon
            sub.save(update_fields=["coupon_stripe_id", "updated_at"])
            sync.apply_grants(sub, f"stripe checkout {session['id']}")


HANDLERS = {
    "checkout.session.completed": handle_checkout_completed,
    "checkout.session.async_payment_succeeded": handle_checkout_completed,
    "customer.subscription.created": handle_subscription,
    "customer.subscription.updated": handle_subscription,
    "customer.subscription.deleted": handle_subscription,
    "customer.subscription.paused": handle_subscription,
    "customer.subscription.resumed": handle_subscription,
    "customer.subscription.trial_will_end": handle_trial_will_end,
    "invoice.paid": handle_invoice,
    "invoice.payment_failed": handle_invoice,
    "invoice.finalized": handle_invoice,
    "invoice.voided": handle_invoice,
    "invoice.marked_uncollectible": handle_invoice,
}
