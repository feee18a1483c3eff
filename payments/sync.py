"""Stripe's objects into our mirror, and a subscription's state into the member's grants.

Order-independence comes from two rules:
1. A mirrored object keeps the Stripe time of the state it shows (`state_at`); an event whose
   `created` is older changes nothing (an old `updated` after `deleted` is a no-op).
2. The grants a subscription holds are a function of its current state alone
   (`desired_grants`), and `apply_grants` makes them so. So whatever order the events came
   in, the same final state gives the same grants, and applying twice changes nothing.

All writes to grants go through community's services with the system actor, so each is in
the audit log with the Stripe event that caused it.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import effects
from community import services as community_services
from community.actors import system
from community.models import AccessGrant, User

from . import signals
from .models import Coupon, Customer, Invoice, Plan, Subscription
from .stripe_api import from_timestamp

logger = logging.getLogger(__name__)

Source = AccessGrant.Source
Status = Subscription.Status


def grace_period():
    return timedelta(days=settings.PAYMENTS_PAST_DUE_GRACE_DAYS)


def _id(value):
    """An expandable Stripe field: an id string, or the object with its id."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _inserted(row):
    """Inserts a new mirror row in a savepoint; False when another worker inserted the same
    Stripe id first (the unique constraint), so the caller reads and locks that one."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        row.pk = None
        return False
    return True


def fetch_time():
    """The `state_at` of an object about to be read from Stripe's API. Events carry whole
    seconds, so one created in the same second as the read may show a later state than
    the read did: a second before the read lets such an event win."""
    return timezone.now().replace(microsecond=0) - timedelta(seconds=1)


def user_for_customer(customer_stripe_id):
    customer = Customer.objects.select_related("user").filter(stripe_id=customer_stripe_id).first()
    return customer.user if customer else None


# --- Subscriptions -----------------------------------------------------------------------


def sync_subscription(obj, *, state_at, cause, event=None):
    """Mirrors a Stripe subscription object seen at `state_at` (the event's `created`, or now
    for one retrieved from the API) unless a newer state is already here; then makes the
    member's grants match. Returns the Subscription."""
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().filter(stripe_id=obj["id"]).first()
        if sub is not None and _is_newer(sub, obj["status"], state_at):
            return sub  # a newer state was applied already
        previous_status = sub.status if sub else None
        sub = sub or Subscription(stripe_id=obj["id"])
        item = ((obj.get("items") or {}).get("data") or [{}])[0]
        price_id = _id(item.get("price"))
        sub.customer_stripe_id = _id(obj.get("customer"))
        sub.user = sub.user or user_for_customer(sub.customer_stripe_id)
        same_price = price_id == sub.stripe_price_id
        sub.stripe_price_id = price_id
        sub.plan = _plan_for(obj, item, price_id) or (sub.plan if same_price else None)
        sub.status = obj["status"]
        sub.started_at = from_timestamp(obj.get("start_date"))
        # Since API 2025-03-31.basil the period is on the subscription item.
        sub.current_period_start = from_timestamp(item.get("current_period_start"))
        sub.current_period_end = from_timestamp(item.get("current_period_end"))
        sub.trial_end = from_timestamp(obj.get("trial_end"))
        sub.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
        sub.canceled_at = from_timestamp(obj.get("canceled_at"))
        sub.ended_at = from_timestamp(obj.get("ended_at"))
        sub.coupon_stripe_id = _discount_coupon(obj) or sub.coupon_stripe_id
        sub.state_at = state_at
        sub.last_event = event
        sub.data = obj
        if sub.pk is not None:
            sub.save()
        elif not _inserted(sub):
            # Another worker stored this subscription a moment ago: compare with its state.
            return sync_subscription(obj, state_at=state_at, cause=cause, event=event)
        if sub.plan is None:
            logger.warning("Subscription %s is for price %r, which no plan sells", sub.pk, price_id)
        apply_grants(sub, cause)
        if sub.user_id and sub.status != previous_status:
            _announce_status(sub, previous_status)
    return sub


ENDED = (Status.CANCELED, Status.INCOMPLETE_EXPIRED)


def _is_newer(sub, incoming_status, state_at):
    """Whether the stored state is newer than one seen at `state_at`. Stripe's times are
    whole seconds, so two states of one second are told apart by the way a subscription
    moves: it never goes back to incomplete, and an ended one never starts again."""
    if sub.state_at != state_at:
        return sub.state_at > state_at
    if sub.status in ENDED:
        return incoming_status not in ENDED
    return incoming_status == Status.INCOMPLETE and sub.status != Status.INCOMPLETE


def _plan_for(obj, item, price_id):
    """The plan a subscription is on: the one selling its price, else the plan its price or
    the subscription itself names in metadata (an admin's new price retires the old one,
    and its subscribers keep the plan they bought)."""
    if price_id:
        plan = Plan.objects.filter(stripe_price_id=price_id).first()
        if plan is not None:
            return plan
    price = item.get("price") if isinstance(item.get("price"), dict) else {}
    for metadata in (price.get("metadata"), obj.get("metadata")):
        plan_id = str((metadata or {}).get("plan_id") or "")
        if plan_id.isdigit():
            plan = Plan.objects.filter(pk=int(plan_id)).first()
            if plan is not None:
                return plan
    return None


def _discount_coupon(obj):
    """The coupon of the subscription's first discount, when Stripe sent it expanded."""
    for discount in obj.get("discounts") or []:
        if isinstance(discount, dict):
            return _id((discount.get("source") or {}).get("coupon"))
    return ""


def _announce_status(sub, previous_status):
    if sub.status == Status.PAST_DUE:
        effects.send_signal_on_commit(
            signals.subscription_past_due,
            user_id=sub.user_id,
            subscription_id=sub.pk,
            grace_ends_at=past_due_end(sub).isoformat(),
        )
    elif sub.status in (Status.CANCELED, Status.UNPAID, Status.INCOMPLETE_EXPIRED):
        reason = (sub.data.get("cancellation_details") or {}).get("reason") or sub.status
        effects.send_signal_on_commit(
            signals.subscription_ended,
            user_id=sub.user_id,
            subscription_id=sub.pk,
            reason=reason,
        )


@dataclass(frozen=True)
class DesiredGrant:
    source: str
    starts_at: datetime
    ends_at: datetime | None


def past_due_end(sub):
    """When a past_due subscription's access ends: the invoice that opened the current
    period failed, and the grace period runs from there."""
    return (sub.current_period_start or sub.state_at) + grace_period()


def _canceled_end(sub):
    """Canceled for an unpaid period: access ended with the grace period, not at the
    (later) cancellation; otherwise when it ended."""
    reason = (sub.data.get("cancellation_details") or {}).get("reason")
    if reason == "payment_failed" and sub.ended_at:
        return min(sub.ended_at, past_due_end(sub))
    return sub.ended_at


def desired_grants(sub):
    """(trial, paid): what this subscription's state entitles its member to, each a
    DesiredGrant or None. A function of the mirrored state only."""
    if sub.plan is None or sub.status in (Status.INCOMPLETE, Status.INCOMPLETE_EXPIRED):
        return None, None
    start = sub.started_at or sub.current_period_start
    ended = sub.ended_at
    trial = paid = None
    if sub.trial_end and start and sub.trial_end > start:
        trial_end = min(sub.trial_end, ended) if ended else sub.trial_end
        trial = DesiredGrant(Source.TRIAL, start, trial_end)
        start = sub.trial_end
    paid_end = {
        Status.ACTIVE: sub.current_period_end,
        Status.PAST_DUE: past_due_end(sub),
        Status.CANCELED: _canceled_end(sub),
        # Retries exhausted: the period that opened unpaid is not granted.
        Status.UNPAID: sub.current_period_start,
        Status.PAUSED: sub.current_period_start,
    }.get(sub.status)
    if sub.status == Status.CANCELED and sub.trial_end and ended and ended <= sub.trial_end:
        paid_end = None  # canceled during the trial: it never became paid
    if paid_end and start and paid_end > start:
        source = Source.COUPON if _is_free_with_coupon(sub) else Source.PAYMENT
        paid = DesiredGrant(source, start, paid_end)
    return trial, paid


def _is_free_with_coupon(sub):
    if not sub.coupon_stripe_id:
        return False
    coupon = Coupon.objects.filter(stripe_id=sub.coupon_stripe_id).first()
    return coupon is not None and coupon.percent_off is not None and coupon.percent_off >= 100


def apply_grants(sub, cause):
    """Makes the subscription's grants what `desired_grants` says (idempotent)."""
    if sub.user_id is None:
        return  # the member is not known yet; checkout.session.completed will link them
    actor = system(cause)
    trial, paid = desired_grants(sub)
    tier = sub.plan.tier if sub.plan else None
    changed = False
    for field, desired in (("trial_grant", trial), ("paid_grant", paid)):
        current = getattr(sub, field)
        if current is not None and current.revoked_at is not None:
            current = None
        note = f"Stripe subscription {sub.stripe_id}"
        if desired is None:
            if current is not None:
                community_services.revoke_access(actor, grant=current, reason=note)
                setattr(sub, field, None)
                changed = True
            continue
        if current is not None and (
            current.tier_id != tier.pk
            or current.source != desired.source
            or current.starts_at != desired.starts_at
        ):
            community_services.revoke_access(actor, grant=current, reason=f"{note} changed")
            current = None
        if current is None:
            grant = community_services.grant_access(
                actor,
                member=sub.user,
                tier=tier,
                source=desired.source,
                starts_at=desired.starts_at,
                ends_at=desired.ends_at,
                note=note,
            )
            setattr(sub, field, grant)
            changed = True
            effects.send_signal_on_commit(
                signals.access_granted,
                user_id=sub.user_id,
                tier_id=tier.pk,
                grant_id=grant.pk,
                source=desired.source,
            )
        elif current.ends_at != desired.ends_at:
            community_services.change_grant_end(
                actor, grant=current, ends_at=desired.ends_at, reason=note
            )
    if changed:
        sub.save(update_fields=["trial_grant", "paid_grant", "updated_at"])


def link_customer(customer_stripe_id, user, cause):
    """Ties a Stripe customer to a member, then gives the member what that customer's
    subscriptions already entitle them to (their events may have come first)."""
    with transaction.atomic():
        Customer.objects.get_or_create(stripe_id=customer_stripe_id, defaults={"user": user})
        subs = Subscription.objects.select_for_update().filter(
            customer_stripe_id=customer_stripe_id, user__isnull=True
        )
        for sub in subs:
            sub.user = user
            sub.save(update_fields=["user", "updated_at"])
            apply_grants(sub, cause)
        Invoice.objects.filter(customer_stripe_id=customer_stripe_id, user__isnull=True).update(
            user=user
        )


# --- Invoices ----------------------------------------------------------------------------


def sync_invoice(obj, *, state_at):
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(stripe_id=obj["id"]).first()
        if invoice is not None and invoice.state_at > state_at:
            return invoice
        invoice = invoice or Invoice(stripe_id=obj["id"])
        parent = obj.get("parent") or {}
        details = parent.get("subscription_details") or {}
        invoice.customer_stripe_id = _id(obj.get("customer"))
        invoice.user = invoice.user or user_for_customer(invoice.customer_stripe_id)
        invoice.subscription_stripe_id = _id(details.get("subscription"))
        invoice.number = obj.get("number") or ""
        invoice.status = obj.get("status") or ""
        invoice.amount_due = obj.get("amount_due") or 0
        invoice.amount_paid = obj.get("amount_paid") or 0
        invoice.currency = obj.get("currency") or ""
        invoice.billing_reason = obj.get("billing_reason") or ""
        invoice.hosted_invoice_url = obj.get("hosted_invoice_url") or ""
        invoice.invoice_pdf = obj.get("invoice_pdf") or ""
        invoice.period_start = from_timestamp(obj.get("period_start"))
        invoice.period_end = from_timestamp(obj.get("period_end"))
        invoice.created = from_timestamp(obj.get("created")) or state_at
        invoice.state_at = state_at
        if invoice.pk is not None:
            invoice.save()
        elif not _inserted(invoice):
            return sync_invoice(obj, state_at=state_at)
    return invoice


# --- Members from Checkout ---------------------------------------------------------------


def member_for_checkout(session):
    """The member a completed Checkout Session is for: the signed-in member who started it
    (client_reference_id), else the member with its email, else a new account for that email
    (created with no password; they get an email to sign in). Returns (user, created)."""
    reference = session.get("client_reference_id") or ""
    if reference.isdigit():
        user = User.objects.filter(pk=int(reference)).first()
        if user is not None:
            return user, False
    email = (
        (session.get("customer_details") or {}).get("email") or session.get("customer_email") or ""
    ).strip()
    if not email:
        raise ValueError(f"Checkout session {session['id']} names no member and no email")
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        return user, False
    name = (session.get("customer_details") or {}).get("name") or email.split("@")[0]
    return User.objects.create_user(email, display_name=name[:100]), True
