"""The admins' payments services: plans, coupons and promotion codes are made on Stripe
first (what is sent is asserted on the fake HTTP API), then mirrored and audited; a Stripe
refusal saves nothing; re-running a failed webhook event."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community.models import AuditEntry
from payments import services
from payments.models import Coupon, Plan, PromotionCode, WebhookEvent
from tests.factories import UserFactory

from .stripe_fake import event_body, make_event

pytestmark = pytest.mark.django_db

REFUSED = (400, {"type": "invalid_request_error", "message": "Invalid currency: zzz"})


def posts(stripe_http, path):
    """The params of the POSTs to exactly `path` (calls() matches a prefix)."""
    return [params for method, p, params in stripe_http.requests if method == "POST" and p == path]


def actions():
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


def make_plan(admin, tier, **kwargs):
    values = {"name": "Monthly", "amount": 2000, "currency": "usd", "interval": "month"}
    return services.create_plan(admin, tier=tier, **{**values, **kwargs})


# --- Plans -----------------------------------------------------------------------------------


def test_the_first_plan_of_a_tier_makes_its_product_and_price(admin, pro, stripe_http):
    plan = make_plan(admin, pro, trial_days=14)

    [product] = posts(stripe_http, "/v1/products")
    assert product["name"] == pro.name and product["metadata[tier_id]"] == str(pro.pk)
    [price] = posts(stripe_http, "/v1/prices")
    assert price["unit_amount"] == "2000"
    assert price["currency"] == "usd"
    assert price["recurring[interval]"] == "month"
    assert price["metadata[plan_id]"] == str(plan.pk)
    plan.refresh_from_db()
    assert plan.stripe_product_id.startswith("prod_test")
    assert price["product"] == plan.stripe_product_id
    assert plan.stripe_price_id.startswith("price_test")
    assert actions() == ["payments.plan_create"]


def test_a_second_plan_of_the_tier_reuses_its_product(admin, pro, stripe_http):
    monthly = make_plan(admin, pro)
    yearly = make_plan(admin, pro, name="Yearly", amount=20000, interval="year")

    assert len(posts(stripe_http, "/v1/products")) == 1
    prices = posts(stripe_http, "/v1/prices")
    assert [p["recurring[interval]"] for p in prices] == ["month", "year"]
    assert prices[1]["product"] == monthly.stripe_product_id == yearly.stripe_product_id
    assert yearly.stripe_price_id != monthly.stripe_price_id


def test_a_one_time_plan_sends_no_recurring_interval(admin, pro, stripe_http):
    plan = make_plan(admin, pro, name="Lifetime", amount=50000, interval="one_time")
    [price] = posts(stripe_http, "/v1/prices")
    assert not any(key.startswith("recurring") for key in price)
    assert Plan.objects.get(pk=plan.pk).stripe_price_id


def test_a_new_amount_makes_a_new_price_and_retires_the_old_one(admin, pro, stripe_http):
    plan = make_plan(admin, pro)
    old_price = plan.stripe_price_id
    stripe_http.requests.clear()

    plan = services.update_plan(admin, plan=plan, amount=2500)

    [price] = posts(stripe_http, "/v1/prices")
    assert price["unit_amount"] == "2500" and price["product"] == plan.stripe_product_id
    assert posts(stripe_http, f"/v1/prices/{old_price}") == [{"active": "false"}]
    plan.refresh_from_db()
    assert plan.amount == 2500 and plan.stripe_price_id not in ("", old_price)
    assert actions()[-1] == "payments.plan_update"


def test_a_new_name_calls_stripe_not_at_all(admin, pro, stripe_http):
    plan = make_plan(admin, pro)
    price_id = plan.stripe_price_id
    stripe_http.requests.clear()

    services.update_plan(admin, plan=plan, name="Every month", active=False)

    assert stripe_http.requests == []
    plan.refresh_from_db()
    assert (plan.name, plan.active, plan.stripe_price_id) == ("Every month", False, price_id)


def test_a_stripe_refusal_saves_no_plan(admin, pro, stripe_http):
    stripe_http.fail_with = REFUSED  # the product
    with pytest.raises(services.PaymentsUnavailable, match="Invalid currency"):
        make_plan(admin, pro)
    assert not Plan.objects.exists() and actions() == []


def test_a_refused_price_saves_no_plan_either(admin, pro, stripe_http):
    make_plan(admin, pro)  # the tier has its product: the next call is the price
    stripe_http.fail_with = REFUSED
    with pytest.raises(services.PaymentsUnavailable):
        make_plan(admin, pro, name="Yearly", interval="year")
    assert list(Plan.objects.values_list("name", flat=True)) == ["Monthly"]


def test_a_refused_new_price_leaves_the_plan_as_it_was(admin, pro, stripe_http):
    plan = make_plan(admin, pro)
    stripe_http.fail_with = REFUSED
    with pytest.raises(services.PaymentsUnavailable):
        services.update_plan(admin, plan=plan, amount=3000, name="Pricier")
    fresh = Plan.objects.get(pk=plan.pk)
    assert (fresh.amount, fresh.name, fresh.stripe_price_id) == (
        2000,
        "Monthly",
        plan.stripe_price_id,
    )


def test_without_stripe_no_plan_is_made(admin, pro, no_stripe):
    with pytest.raises(services.PaymentsUnavailable, match="not configured"):
        make_plan(admin, pro)
    assert not Plan.objects.exists()


def test_a_bad_plan_is_refused_by_field_before_stripe(admin, pro, stripe_http):
    with pytest.raises(ValidationError) as refused:
        make_plan(admin, pro, currency="dollars", interval="one_time", trial_days=7)
    assert "currency" in refused.value.message_dict
    assert stripe_http.requests == [] and not Plan.objects.exists()


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_only_admins_make_plans(request, persona, pro, stripe_http):
    with pytest.raises(PermissionDenied):
        make_plan(request.getfixturevalue(persona), pro)
    assert stripe_http.requests == []


# --- Coupons and promotion codes --------------------------------------------------------------


def test_a_percent_coupon_for_some_months(admin, stripe_http):
    redeem_by = datetime(2030, 1, 1, tzinfo=UTC)
    coupon = services.create_coupon(
        admin,
        name="Launch",
        duration="repeating",
        duration_in_months=3,
        percent_off=Decimal("25"),
        max_redemptions=100,
        redeem_by=redeem_by,
    )
    [sent] = stripe_http.calls("POST", "/v1/coupons")
    assert sent == {
        "name": "Launch",
        "duration": "repeating",
        "duration_in_months": "3",
        "percent_off": "25.0",
        "max_redemptions": "100",
        "redeem_by": str(int(redeem_by.timestamp())),
    }
    assert coupon.stripe_id.startswith("co_test") and coupon.describe == "25% off for 3 months"
    assert actions() == ["payments.coupon_create"]


def test_an_amount_coupon_sends_its_currency(admin, stripe_http):
    coupon = services.create_coupon(
        admin, name="Five off", duration="once", amount_off=500, currency="EUR"
    )
    [sent] = stripe_http.calls("POST", "/v1/coupons")
    assert sent == {"name": "Five off", "duration": "once", "amount_off": "500", "currency": "eur"}
    assert Coupon.objects.get(pk=coupon.pk).describe == "€5.00 off once"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"duration": "repeating", "percent_off": Decimal(10)}, "duration_in_months"),
        ({"duration": "once", "percent_off": Decimal(10), "amount_off": 500, "currency": "usd"},
         None),
        ({"duration": "once"}, None),
        ({"duration": "once", "amount_off": 500}, "currency"),
        ({"duration": "once", "percent_off": Decimal(120)}, "percent_off"),
    ],
)  # fmt: skip
def test_a_bad_coupon_is_refused_and_stripe_not_called(admin, stripe_http, values, field):
    with pytest.raises(ValidationError) as refused:
        services.create_coupon(admin, name="Bad", **values)
    if field:
        assert field in refused.value.message_dict
    assert stripe_http.requests == [] and not Coupon.objects.exists()


def test_a_promotion_code_for_a_coupon(admin, stripe_http):
    coupon = services.create_coupon(admin, name="Launch", duration="once", percent_off=10)
    expires = datetime(2030, 6, 1, tzinfo=UTC)
    promo = services.create_promotion_code(
        admin, coupon=coupon, code="SPRING-25", max_redemptions=50, expires_at=expires
    )
    [sent] = stripe_http.calls("POST", "/v1/promotion_codes")
    assert sent == {
        "promotion[type]": "coupon",
        "promotion[coupon]": coupon.stripe_id,
        "code": "SPRING-25",
        "max_redemptions": "50",
        "expires_at": str(int(expires.timestamp())),
    }
    assert promo.code == "SPRING-25" and promo.coupon == coupon and promo.active
    assert actions()[-1] == "payments.promo_create"


def test_a_taken_or_malformed_code_is_refused(admin, stripe_http):
    coupon = services.create_coupon(admin, name="Launch", duration="once", percent_off=10)
    services.create_promotion_code(admin, coupon=coupon, code="SPRING")
    for code in ("spring", "two words"):
        with pytest.raises(ValidationError) as refused:
            services.create_promotion_code(admin, coupon=coupon, code=code)
        assert "code" in refused.value.message_dict
    assert len(stripe_http.calls("POST", "/v1/promotion_codes")) == 1


def test_deactivating_a_coupon_deletes_it_on_stripe_with_its_codes(admin, stripe_http):
    coupon = services.create_coupon(admin, name="Launch", duration="once", percent_off=10)
    promo = services.create_promotion_code(admin, coupon=coupon, code="SPRING")

    services.deactivate_coupon(admin, coupon=coupon)

    assert [p for m, p, _ in stripe_http.requests if m == "DELETE"] == [
        f"/v1/coupons/{coupon.stripe_id}"
    ]
    assert not Coupon.objects.get(pk=coupon.pk).active
    assert not PromotionCode.objects.get(pk=promo.pk).active
    assert actions()[-1] == "payments.coupon_deactivate"


def test_deactivating_a_promotion_code(admin, stripe_http):
    coupon = services.create_coupon(admin, name="Launch", duration="once", percent_off=10)
    promo = services.create_promotion_code(admin, coupon=coupon, code="SPRING")

    services.deactivate_promotion_code(admin, promotion_code=promo)

    assert posts(stripe_http, f"/v1/promotion_codes/{promo.stripe_id}") == [{"active": "false"}]
    assert not PromotionCode.objects.get(pk=promo.pk).active
    assert Coupon.objects.get(pk=coupon.pk).active
    assert actions()[-1] == "payments.promo_deactivate"


# --- Re-running a webhook event ----------------------------------------------------------------

MISSING_MEMBER = 4242


def orphan_checkout_body():
    """A completed Checkout naming a member who does not exist and no email: it fails."""
    session = json.loads(event_body("04.checkout.session.completed.json"))["data"]["object"]
    session.update(client_reference_id=str(MISSING_MEMBER), customer_email=None, customer=None)
    session["customer_details"]["email"] = None
    return make_event("checkout.session.completed", session)


@pytest.fixture
def failed_event(deliver, stripe_http):
    deliver(orphan_checkout_body())
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.FAILED
    assert "names no member and no email" in event.last_error
    return event


def test_a_failed_event_runs_again_once_its_cause_is_fixed(
    admin, failed_event, django_capture_on_commit_callbacks
):
    UserFactory(id=MISSING_MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        services.rerun_event(admin, event=failed_event)
    failed_event.refresh_from_db()
    assert failed_event.state == WebhookEvent.State.PROCESSED and failed_event.attempts == 2
    assert failed_event.last_error == ""
    entry = AuditEntry.objects.get(action="payments.event_rerun")
    assert entry.actor == admin and entry.target_id == failed_event.pk


def test_a_processed_event_does_not_run_again(admin, deliver, stripe_http, monthly_plan):
    deliver(event_body("01.customer.subscription.created.json"))
    event = WebhookEvent.objects.get()
    with pytest.raises(ValidationError):
        services.rerun_event(admin, event=event)
    assert not AuditEntry.objects.filter(action="payments.event_rerun").exists()


def test_only_admins_run_an_event_again(moderator, failed_event):
    with pytest.raises(PermissionDenied):
        services.rerun_event(moderator, event=failed_event)
