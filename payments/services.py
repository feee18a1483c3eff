"""Every write payments makes from a person's request: plans, coupons and promotion codes
(admins; each made on Stripe first, then mirrored), and Checkout / Customer Portal sessions
(members and visitors). Webhook processing is in webhooks.py and sync.py.

A Stripe call that fails raises PaymentsUnavailable with Stripe's message, and nothing is
saved here; the pages and the API show it as an error, not a 500.
"""

from datetime import UTC

import stripe
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from community import access, audit, effects

from .models import Coupon, Customer, Plan, PromotionCode, WebhookEvent
from .selectors import subscribed_tier_ids
from .stripe_api import as_dict, client, is_configured

PLAN_CREATE = audit.register_action("payments.plan_create", "Created a plan")
PLAN_UPDATE = audit.register_action("payments.plan_update", "Edited a plan")
COUPON_CREATE = audit.register_action("payments.coupon_create", "Created a coupon")
COUPON_DEACTIVATE = audit.register_action("payments.coupon_deactivate", "Deactivated a coupon")
PROMO_CREATE = audit.register_action("payments.promo_create", "Created a promotion code")
PROMO_DEACTIVATE = audit.register_action(
    "payments.promo_deactivate", "Deactivated a promotion code"
)
EVENT_RERUN = audit.register_action("payments.event_rerun", "Re-ran a Stripe event")


class PaymentsUnavailable(Exception):
    """Stripe is not configured, or refused or failed a call; the message says which."""


def _stripe(call, *args, **kwargs):
    if not is_configured():
        raise PaymentsUnavailable("Payments are not configured on this site.")
    try:
        return as_dict(call(client())(*args, **kwargs))
    except stripe.StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc) or type(exc).__name__
        raise PaymentsUnavailable(f"Stripe refused: {message}") from exc


# --- Plans ---------------------------------------------------------------------------------

PRICE_FIELDS = ("amount", "currency", "interval")


def _price_params(plan):
    params = {
        "product": plan.stripe_product_id,
        "unit_amount": plan.amount,
        "currency": plan.currency,
        "nickname": plan.name,
        "metadata": {"plan_id": str(plan.pk), "tier_id": str(plan.tier_id)},
    }
    if plan.is_recurring:
        params["recurring"] = {"interval": plan.interval}
    return params


def _product_for(tier):
    """The Stripe product of a tier: the one its plans already use, or a new one."""
    existing = (
        Plan.objects.filter(tier=tier)
        .exclude(stripe_product_id="")
        .values_list("stripe_product_id", flat=True)
        .first()
    )
    if existing:
        return existing
    product = _stripe(
        lambda c: c.v1.products.create,
        params={
            "name": tier.name,
            "description": tier.description or None,
            "metadata": {"tier_id": str(tier.pk)},
        },
    )
    return product["id"]


def create_plan(
    actor,
    *,
    tier,
    name,
    amount,
    currency="usd",
    interval=Plan.Interval.MONTH,
    trial_days=0,
    active=True,
    position=0,
):
    """Creates the plan, its Stripe product (one per tier) and price."""
    access.check_can_administer(actor)
    plan = Plan(
        tier=tier,
        name=name,
        amount=amount,
        currency=currency,
        interval=interval,
        trial_days=trial_days or 0,
        active=active,
        position=position,
    )
    plan.full_clean()
    plan.stripe_product_id = _product_for(tier)
    with transaction.atomic():
        plan.save()
        price = _stripe(lambda c: c.v1.prices.create, params=_price_params(plan))
        plan.stripe_price_id = price["id"]
        plan.save(update_fields=["stripe_product_id", "stripe_price_id"])
        audit.record(actor, PLAN_CREATE, plan, f"{plan.name}: {price['id']}")
    return plan


def update_plan(actor, *, plan, **changes):
    """Edits a plan. A new amount, currency or interval makes a new Stripe price (prices are
    immutable) and retires the old one; subscribers keep what they signed up for."""
    access.check_can_administer(actor)
    editable = {"name", "amount", "currency", "interval", "trial_days", "active", "position"}
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    plan = Plan.objects.get(pk=plan.pk)
    before = {field: getattr(plan, field) for field in PRICE_FIELDS}
    for field, value in changes.items():
        setattr(plan, field, value)
    plan.full_clean()
    # A plan made without Stripe (the demo's) gets its price once keys are configured.
    reprice = any(getattr(plan, field) != before[field] for field in PRICE_FIELDS) or (
        not plan.stripe_price_id and is_configured()
    )
    with transaction.atomic():
        if reprice:
            old_price = plan.stripe_price_id
            plan.stripe_product_id = plan.stripe_product_id or _product_for(plan.tier)
            plan.stripe_price_id = _stripe(
                lambda c: c.v1.prices.create, params=_price_params(plan)
            )["id"]
            if old_price:
                _stripe(lambda c: c.v1.prices.update, old_price, params={"active": False})
        plan.save()
        changed = ", ".join(sorted(changes)) or "nothing"
        audit.record(actor, PLAN_UPDATE, plan, f"changed {changed}")
    return plan


# --- Coupons and promotion codes ------------------------------------------------------------


def create_coupon(
    actor,
    *,
    name,
    duration,
    percent_off=None,
    amount_off=None,
    currency="",
    duration_in_months=None,
    max_redemptions=None,
    redeem_by=None,
):
    access.check_can_administer(actor)
    coupon = Coupon(
        name=name,
        duration=duration,
        percent_off=percent_off,
        amount_off=amount_off,
        currency=(currency or "").lower(),
        duration_in_months=duration_in_months,
        max_redemptions=max_redemptions,
        redeem_by=redeem_by,
        stripe_id="pending",
    )
    _check_coupon(coupon)  # first: its messages name the field, the model's the row
    coupon.full_clean()
    params = {"name": name, "duration": duration}
    if percent_off is not None:
        params["percent_off"] = float(percent_off)
    else:
        params.update(amount_off=amount_off, currency=coupon.currency)
    if duration == Coupon.Duration.REPEATING:
        params["duration_in_months"] = duration_in_months
    if max_redemptions:
        params["max_redemptions"] = max_redemptions
    if redeem_by:
        params["redeem_by"] = int(redeem_by.astimezone(UTC).timestamp())
    created = _stripe(lambda c: c.v1.coupons.create, params=params)
    with transaction.atomic():
        coupon.stripe_id = created["id"]
        coupon.save()
        audit.record(actor, COUPON_CREATE, coupon, coupon.describe)
    return coupon


def _check_coupon(coupon):
    errors = {}
    if (coupon.percent_off is None) == (coupon.amount_off is None):
        errors["percent_off"] = "Give a percent off or an amount off, not both."
    if coupon.percent_off is not None and not 0 < coupon.percent_off <= 100:
        errors["percent_off"] = "A percent between 0 and 100."
    if coupon.amount_off is not None and len(coupon.currency) != 3:
        errors["currency"] = "An amount off needs its three-letter currency, e.g. usd."
    if coupon.duration == Coupon.Duration.REPEATING and not coupon.duration_in_months:
        errors["duration_in_months"] = "How many months the discount repeats."
    if coupon.duration != Coupon.Duration.REPEATING and coupon.duration_in_months:
        errors["duration_in_months"] = "Only a repeating coupon lasts some months."
    if errors:
        raise ValidationError(errors)


def deactivate_coupon(actor, *, coupon):
    """Stripe coupons cannot be switched off, only deleted: no new redemptions, and the
    discounts already applied stay. Its promotion codes stop working with it."""
    access.check_can_administer(actor)
    if coupon.active:
        _stripe(lambda c: c.v1.coupons.delete, coupon.stripe_id)
    with transaction.atomic():
        coupon.active = False
        coupon.save(update_fields=["active"])
        coupon.promotion_codes.update(active=False)
        audit.record(actor, COUPON_DEACTIVATE, coupon)
    return coupon


def create_promotion_code(actor, *, coupon, code, max_redemptions=None, expires_at=None):
    access.check_can_administer(actor)
    code = (code or "").strip()
    if not code or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in code):
        raise ValidationError({"code": "Letters, digits and dashes, e.g. SPRING-25."})
    if not coupon.active:
        raise ValidationError({"coupon": "This coupon is deactivated."})
    if PromotionCode.objects.filter(code__iexact=code, active=True).exists():
        raise ValidationError({"code": "An active promotion code already uses this code."})
    params = {"promotion": {"type": "coupon", "coupon": coupon.stripe_id}, "code": code}
    if max_redemptions:
        params["max_redemptions"] = max_redemptions
    if expires_at:
        params["expires_at"] = int(expires_at.astimezone(UTC).timestamp())
    created = _stripe(lambda c: c.v1.promotion_codes.create, params=params)
    with transaction.atomic():
        promo = PromotionCode.objects.create(
            stripe_id=created["id"],
            code=created.get("code") or code,
            coupon=coupon,
            max_redemptions=max_redemptions,
            expires_at=expires_at,
        )
        audit.record(actor, PROMO_CREATE, promo, promo.code)
    return promo


def deactivate_promotion_code(actor, *, promotion_code):
    access.check_can_administer(actor)
    if promotion_code.active:
        _stripe(
            lambda c: c.v1.promotion_codes.update,
            promotion_code.stripe_id,
            params={"active": False},
        )
    with transaction.atomic():
        promotion_code.active = False
        promotion_code.save(update_fields=["active"])
        audit.record(actor, PROMO_DEACTIVATE, promotion_code)
    return promotion_code


# --- Checkout and the Customer Portal ------------------------------------------------------


def trial_allowed(user, plan, *, subscribed_tiers=None):
    """One trial per member and tier: not for someone who ever subscribed to it, and only
    for a signed-in member (a visitor's email is known only after Checkout, too late to
    check it). A page asking for several plans passes `subscribed_tiers`
    (selectors.subscribed_tier_ids)."""
    if not plan.trial_days or not plan.is_recurring:
        return False
    if user is None or not user.is_authenticated:
        return False
    if subscribed_tiers is None:
        subscribed_tiers = subscribed_tier_ids(user)
    return plan.tier_id not in subscribed_tiers


def customer_for(user):
    """The member's Stripe customer id, created on Stripe the first time."""
    existing = Customer.objects.filter(user=user).values_list("stripe_id", flat=True).first()
    if existing:
        return existing
    created = _stripe(
        lambda c: c.v1.customers.create,
        params={
            "email": user.email,
            "name": user.display_name,
            "metadata": {"user_id": str(user.pk)},
        },
    )
    Customer.objects.get_or_create(stripe_id=created["id"], defaults={"user": user})
    return created["id"]


def start_checkout(user, *, plan, success_url, cancel_url):
    """A Checkout Session for `plan`, for a member (`user`) or a visitor (None: Stripe asks
    for the email and an account is made for it when the payment completes). Returns the
    Checkout URL to redirect to."""
    if not plan.active or not plan.stripe_price_id:
        raise ValidationError({"plan": "This plan is not for sale."})
    member = user if user is not None and user.is_authenticated else None
    if member is not None and plan.tier_id in access.held_tier_ids(member):
        raise ValidationError({"plan": f"You already have {plan.tier.name}."})
    params = {
        "mode": "subscription" if plan.is_recurring else "payment",
        "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "allow_promotion_codes": True,
        "metadata": {"plan_id": str(plan.pk), "tier_id": str(plan.tier_id)},
    }
    if member is not None:
        params["client_reference_id"] = str(member.pk)
        params["customer"] = customer_for(member)
    elif not plan.is_recurring:
        params["customer_creation"] = "always"  # a customer to tie the visitor's account to
    if plan.is_recurring:
        params["subscription_data"] = {"metadata": {"plan_id": str(plan.pk)}}
        if trial_allowed(member, plan):
            params["subscription_data"]["trial_period_days"] = plan.trial_days
    else:
        params["invoice_creation"] = {"enabled": True}  # so it shows in billing history
    session = _stripe(lambda c: c.v1.checkout.sessions.create, params=params)
    return session["url"]


def open_portal(user, *, return_url):
    """A Customer Portal session URL where the member manages subscription and card."""
    customer = (
        Customer.objects.filter(user=user)
        .filter(~Q(stripe_id=""))
        .values_list("stripe_id", flat=True)
        .first()
    )
    if customer is None:
        raise ValidationError("You have no billing account yet: buy a plan first.")
    session = _stripe(
        lambda c: c.v1.billing_portal.sessions.create,
        params={"customer": customer, "return_url": return_url},
    )
    return session["url"]


# --- Webhook events ----------------------------------------------------------------------


def rerun_event(actor, *, event):
    """An admin has a failed (or given-up) event processed again now."""
    from .tasks import process_webhook_event

    access.check_can_administer(actor)
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event.pk)
        if event.state not in (
            WebhookEvent.State.FAILED,
            WebhookEvent.State.GAVE_UP,
            WebhookEvent.State.PENDING,
        ):
            raise ValidationError({"event": "Only a failed or waiting event is run again."})
        event.state, event.next_attempt_at = WebhookEvent.State.PENDING, None
        event.save(update_fields=["state", "next_attempt_at"])
        audit.record(actor, EVENT_RERUN, event, event.type)
        effects.enqueue_on_commit(process_webhook_event, event.pk)
    return event
