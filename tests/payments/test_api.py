"""The payments REST API: the pricing (public), the member's billing (subscriptions, grants,
invoices), Checkout and Customer Portal sessions, and the admins' plans, coupons, grants,
"why has access" and webhook events; with session and token, JSON errors by field, Stripe's
failures as a JSON 503, and every answer as the OpenAPI schema documents it."""

import itertools
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.utils import timezone
from rest_framework.test import APIClient

from community import services as community_services
from community.models import AccessGrant, AuditEntry
from payments.models import (
    Coupon,
    Customer,
    Invoice,
    Plan,
    PromotionCode,
    Subscription,
    WebhookEvent,
)
from tests.community.test_api_schema import load_schema
from tests.factories import AccessGrantFactory, PaidSpaceFactory, TierFactory
from tests.helpers import api_as, assert_constant_queries

from .stripe_fake import PRICE_ID, event_body, stripe_object

pytestmark = pytest.mark.django_db

API = "/api/v1/payments"
_seq = itertools.count(1)


# --- Scenery -------------------------------------------------------------------------------


def token_client(member):
    _token, raw_key = community_services.create_api_token(member, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def session_client(member):
    client = APIClient()
    client.force_login(member)
    return client


@pytest.fixture(params=["session", "token"])
def as_member(request, member):
    """The member's client, signed in by the browser's session or by an API token."""
    return {"session": session_client, "token": token_client}[request.param](member)


@pytest.fixture
def listed_pro(pro):
    pro.listed = True
    pro.save(update_fields=["listed"])
    return pro


def invoice(user, **fields):
    n = next(_seq)
    values = {
        "stripe_id": f"in_api{n}",
        "customer_stripe_id": "cus_api",
        "user": user,
        "number": f"API-{n:04d}",
        "status": "paid",
        "amount_due": 2000,
        "amount_paid": 2000,
        "currency": "usd",
        "hosted_invoice_url": f"https://invoice.stripe.com/i/api_{n}",
        "invoice_pdf": "",
        "created": timezone.now() - timedelta(days=n),
        "state_at": timezone.now(),
    }
    return Invoice.objects.create(**{**values, **fields})


def subscription(user, plan, **fields):
    n = next(_seq)
    values = {
        "stripe_id": f"sub_api{n}",
        "customer_stripe_id": f"cus_api{n}",
        "user": user,
        "plan": plan,
        "stripe_price_id": plan.stripe_price_id,
        "status": Subscription.Status.ACTIVE,
        "state_at": timezone.now(),
    }
    return Subscription.objects.create(**{**values, **fields})


def webhook_event(state=WebhookEvent.State.PROCESSED, **fields):
    n = next(_seq)
    values = {
        "stripe_id": f"evt_api{n}",
        "type": "invoice.paid",
        "created": timezone.now(),
        "payload": {"data": {"object": {"id": f"in_api{n}"}}},
        "state": state,
    }
    return WebhookEvent.objects.create(**{**values, **fields})


def stripe_is_down(stripe_http, monkeypatch):
    def unreachable(*args, **kwargs):
        raise stripe.APIConnectionError("Could not connect to Stripe.", should_retry=False)

    monkeypatch.setattr(stripe_http, "request", unreachable)


def not_configured(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


# --- The plans on sale (public) --------------------------------------------------------------


def test_anyone_sees_the_plans_of_listed_tiers_with_what_they_unlock(
    stripe_http, listed_pro, monthly_plan
):
    PaidSpaceFactory(name="Masterclass", required_tier=listed_pro)
    hidden = TierFactory(name="Staff", slug="staff")
    Plan.objects.create(tier=hidden, name="Secret", amount=100, stripe_price_id="price_x")
    Plan.objects.create(tier=listed_pro, name="Old", amount=500, active=False)
    response = APIClient().get(f"{API}/plans/")
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "id": monthly_plan.pk,
                "name": "Monthly",
                "tier": {"id": listed_pro.pk, "name": "Pro", "slug": "pro"},
                "amount": 2000,
                "currency": "usd",
                "interval": "month",
                "trial_days": 14,
                "purchasable": True,
                "held": False,
                "unlocks": [{"label": "Spaces", "names": ["Masterclass"]}],
            }
        ],
        "next_cursor": None,
    }


def test_plans_are_not_purchasable_without_stripe_or_a_price(settings, listed_pro, monthly_plan):
    not_configured(settings)
    Plan.objects.create(tier=listed_pro, name="Yearly", amount=20000, interval="year")
    plans = APIClient().get(f"{API}/plans/").json()["results"]
    assert [(p["name"], p["purchasable"]) for p in plans] == [
        ("Monthly", False),
        ("Yearly", False),
    ]


def test_a_member_sees_which_tiers_they_hold(stripe_http, listed_pro, monthly_plan, paid_member):
    plans = token_client(paid_member).get(f"{API}/plans/").json()["results"]
    assert plans[0]["held"] is True


def test_plans_are_a_cursor_page_costing_the_same_for_more_plans(stripe_http, listed_pro):
    def add_plans(count):
        for _ in range(count):
            Plan.objects.create(tier=listed_pro, name="P", amount=100 + next(_seq))

    add_plans(3)
    client = APIClient()
    first = client.get(f"{API}/plans/", {"size": 2}).json()
    second = client.get(f"{API}/plans/", {"size": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next_cursor"] is None
    # The page of plans with their tiers (1), what the tiers unlock (1 per gated model:
    # spaces, courses, events, the test suite's workshops).
    assert_constant_queries(lambda: client.get(f"{API}/plans/"), grow=lambda: add_plans(6), bound=5)


# --- The member's own billing -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["me/subscriptions/", "me/grants/", "me/invoices/"])
def test_the_members_billing_needs_a_member(path):
    response = APIClient().get(f"{API}/{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_member_reads_their_subscriptions(as_member, member, other_member, monthly_plan):
    mine = subscription(member, monthly_plan, status="trialing", cancel_at_period_end=True)
    subscription(other_member, monthly_plan)
    results = as_member.get(f"{API}/me/subscriptions/").json()["results"]
    assert len(results) == 1
    assert results[0]["stripe_id"] == mine.stripe_id
    assert results[0]["status"] == "trialing" and results[0]["cancel_at_period_end"] is True
    assert results[0]["plan"]["tier"]["slug"] == "pro"
    assert results[0]["plan"]["amount"] == 2000


def test_a_member_reads_the_tiers_they_hold_now(as_member, member, pro):
    ends = timezone.now() + timedelta(days=3)
    held = AccessGrantFactory(user=member, tier=pro, source="trial", ends_at=ends)
    AccessGrantFactory(user=member, tier=pro, expired=True)
    AccessGrantFactory(user=member, tier=pro, revoked=True)
    results = as_member.get(f"{API}/me/grants/").json()["results"]
    assert [(g["id"], g["source"], g["tier"]["slug"]) for g in results] == [
        (held.pk, "trial", "pro")
    ]
    assert results[0]["ends_at"] == ends.isoformat().replace("+00:00", "Z")


def test_a_member_reads_their_invoices_newest_first(as_member, member, other_member):
    old = invoice(member, created=timezone.now() - timedelta(days=60))
    new = invoice(member, created=timezone.now() - timedelta(days=1), status="open")
    invoice(other_member)
    results = as_member.get(f"{API}/me/invoices/").json()["results"]
    assert [i["number"] for i in results] == [new.number, old.number]
    assert results[0]["status"] == "open"
    assert results[0]["hosted_invoice_url"] == new.hosted_invoice_url
    assert results[0]["invoice_pdf"] is None  # Stripe gave none: null, not ""
    assert set(results[0]) == {
        "id", "number", "status", "amount_due", "amount_paid", "currency",
        "hosted_invoice_url", "invoice_pdf", "period_start", "period_end", "created",
    }  # fmt: skip


def test_invoices_page_with_a_cursor_and_cost_the_same_for_more(member):
    def add_invoices(count):
        for _ in range(count):
            invoice(member)

    add_invoices(5)
    client = api_as(member)
    first = client.get(f"{API}/me/invoices/", {"size": 3}).json()
    second = client.get(f"{API}/me/invoices/", {"size": 3, "cursor": first["next_cursor"]}).json()
    listed = [i["id"] for i in first["results"] + second["results"]]
    assert len(set(listed)) == 5 and second["next_cursor"] is None
    assert client.get(f"{API}/me/invoices/", {"cursor": "nope"}).json()["fields"] == {
        "cursor": ["This cursor is not valid."]
    }
    # The page of invoices (1): forced authentication reads nothing else.
    assert_constant_queries(
        lambda: client.get(f"{API}/me/invoices/"), grow=lambda: add_invoices(5), bound=1
    )


# --- Checkout and the Customer Portal --------------------------------------------------------


def checkout(client, plan, **fields):
    body = {"plan": plan.pk, "success_url": "/billing/?paid=1", "cancel_url": "/pricing/"}
    return client.post(f"{API}/checkout-sessions/", {**body, **fields}, format="json")


def test_a_member_starts_a_checkout_and_stripe_gets_the_right_request(
    as_member, member, stripe_http, monthly_plan
):
    response = checkout(as_member, monthly_plan)
    assert response.status_code == 201
    (sent,) = stripe_http.calls("POST", "/v1/checkout/sessions")
    assert response.json() == {"url": response.json()["url"]}
    assert response.json()["url"].startswith("https://checkout.stripe.com/c/pay/cs_test")
    assert sent["mode"] == "subscription"
    assert sent["line_items[0][price]"] == PRICE_ID
    assert sent["success_url"] == "http://testserver/billing/?paid=1"
    assert sent["cancel_url"] == "http://testserver/pricing/"
    assert sent["client_reference_id"] == str(member.pk)
    assert sent["customer"] == Customer.objects.get(user=member).stripe_id
    assert sent["subscription_data[trial_period_days]"] == "14"


def test_a_full_url_on_an_allowed_host_is_kept(member, stripe_http, monthly_plan):
    url = "http://localhost/billing/?session={CHECKOUT_SESSION_ID}"
    assert checkout(api_as(member), monthly_plan, success_url=url).status_code == 201
    assert stripe_http.calls("POST", "/v1/checkout/sessions")[0]["success_url"] == url


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "http://testserver.evil.example/",
        "http://evil.example@/",
        "javascript:alert(1)",
        "ftp://testserver/",
        "billing/",
    ],
)
def test_a_return_url_to_another_site_is_refused(member, stripe_http, monthly_plan, url):
    response = checkout(api_as(member), monthly_plan, cancel_url=url)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    (message,) = response.json()["fields"]["cancel_url"]
    assert "Stripe must not send members to another site" in message
    assert stripe_http.requests == []


def test_checkout_refuses_unknown_fields_and_plans_not_for_sale(
    member, stripe_http, monthly_plan, pro
):
    client = api_as(member)
    unknown = checkout(client, monthly_plan, coupon="SPRING")
    assert unknown.status_code == 400 and list(unknown.json()["fields"]) == ["coupon"]
    hidden = Plan.objects.create(tier=pro, name="Draft", amount=100, active=False)
    for plan_id in (hidden.pk, 999_999):
        response = client.post(f"{API}/checkout-sessions/", {
            "plan": plan_id, "success_url": "/", "cancel_url": "/"}, format="json")  # fmt: skip
        assert response.json()["fields"] == {"plan": ["No plan for sale has this id."]}
    missing = client.post(f"{API}/checkout-sessions/", {}, format="json")
    assert set(missing.json()["fields"]) == {"plan", "success_url", "cancel_url"}
    assert stripe_http.requests == []


def test_a_member_who_holds_the_tier_is_told_so(paid_member, stripe_http, monthly_plan):
    response = checkout(api_as(paid_member), monthly_plan)
    assert response.status_code == 400
    assert response.json()["fields"] == {"plan": ["You already have Pro."]}


def test_checkout_needs_a_member(stripe_http, monthly_plan):
    response = checkout(APIClient(), monthly_plan)
    assert response.status_code == 401 and stripe_http.requests == []


def test_stripe_down_is_a_json_503(member, stripe_http, monthly_plan, monkeypatch):
    stripe_is_down(stripe_http, monkeypatch)
    response = checkout(api_as(member), monthly_plan)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "payments_unavailable"
    assert body["detail"].startswith("Stripe refused: ") and "connect" in body["detail"]


def test_stripe_refusing_is_a_json_503_with_its_message(member, stripe_http, monthly_plan):
    stripe_http.fail_with = (400, {"type": "invalid_request_error", "message": "No such price"})
    response = checkout(api_as(member), monthly_plan)
    assert response.status_code == 503
    assert response.json() == {
        "code": "payments_unavailable",
        "detail": "Stripe refused: No such price",
    }


def test_payments_not_configured_is_a_json_503(settings, member, monthly_plan):
    not_configured(settings)
    response = checkout(api_as(member), monthly_plan)
    assert response.status_code == 503
    assert response.json() == {
        "code": "payments_unavailable",
        "detail": "Payments are not configured on this site.",
    }


def test_a_member_opens_the_customer_portal(as_member, member, stripe_http):
    Customer.objects.create(user=member, stripe_id="cus_portal")
    response = as_member.post(f"{API}/portal-sessions/", {"return_url": "/billing/"},
                              format="json")  # fmt: skip
    assert response.status_code == 201
    assert response.json()["url"].startswith("https://billing.stripe.com/p/session/")
    assert stripe_http.calls("POST", "/v1/billing_portal/sessions") == [
        {"customer": "cus_portal", "return_url": "http://testserver/billing/"}
    ]


def test_the_portal_refuses_a_member_without_billing_and_a_foreign_return_url(member, stripe_http):
    client = api_as(member)
    none_yet = client.post(f"{API}/portal-sessions/", {"return_url": "/"}, format="json")
    assert none_yet.status_code == 400
    assert none_yet.json()["fields"] == {
        "non_field_errors": ["You have no billing account yet: buy a plan first."]
    }
    Customer.objects.create(user=member, stripe_id="cus_portal")
    foreign = client.post(f"{API}/portal-sessions/", {"return_url": "https://evil.example/"},
                          format="json")  # fmt: skip
    assert list(foreign.json()["fields"]) == ["return_url"]
    assert stripe_http.requests == []


def test_the_portal_when_stripe_is_down_is_a_json_503(member, stripe_http, monkeypatch):
    Customer.objects.create(user=member, stripe_id="cus_portal")
    stripe_is_down(stripe_http, monkeypatch)
    response = api_as(member).post(f"{API}/portal-sessions/", {"return_url": "/"}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "payments_unavailable"


# --- Admins: who may ---------------------------------------------------------------------------

ADMIN_CALLS = [
    ("get", "admin/plans/", None),
    ("post", "admin/plans/", {"tier": "pro", "name": "Yearly", "amount": 20000}),
    ("patch", "admin/plans/{plan}/", {"name": "Renamed"}),
    ("get", "admin/coupons/", None),
    ("post", "admin/coupons/", {"name": "Spring", "duration": "once", "percent_off": 25}),
    ("post", "admin/coupons/{coupon}/deactivate/", None),
    ("post", "admin/coupons/{coupon}/promotion-codes/", {"code": "SPRING-25"}),
    ("post", "admin/promotion-codes/{promo}/deactivate/", None),
    ("get", "admin/grants/", None),
    ("post", "admin/grants/", {"member": "{member}", "tier": "pro"}),
    ("post", "admin/grants/{grant}/revoke/", {}),
    ("get", "admin/members/{member}/access/", None),
    ("get", "admin/events/", None),
    ("post", "admin/events/{event}/rerun/", None),
]


@pytest.fixture
def admin_scene(member, pro, monthly_plan):
    coupon = Coupon.objects.create(
        stripe_id="co_scene", name="Scene", percent_off=Decimal("10"), duration="forever"
    )
    promo = PromotionCode.objects.create(stripe_id="promo_scene", code="SCENE", coupon=coupon)
    grant = AccessGrantFactory(user=member, tier=pro)
    event = webhook_event(state=WebhookEvent.State.FAILED, last_error="boom")
    return {"plan": monthly_plan.pk, "coupon": coupon.pk, "promo": promo.pk,
            "grant": grant.pk, "member": member.pk, "event": event.pk}  # fmt: skip


def _send_admin_call(client, method, path, body, ids):
    url = f"{API}/{path.format(**ids)}"
    if body is None:
        return getattr(client, method)(url)
    body = {k: int(v.format(**ids)) if v == "{member}" else v for k, v in body.items()}
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("member", 403), ("paid_member", 403),
                        ("moderator", 403)]
)  # fmt: skip
def test_only_admins_reach_the_admin_endpoints(
    request, stripe_http, admin_scene, method, path, body, who, status
):
    client = APIClient() if who == "anonymous" else token_client(request.getfixturevalue(who))
    audit_before = AuditEntry.objects.count()
    grants_before = list(AccessGrant.objects.values_list("pk", "revoked_at"))
    response = _send_admin_call(client, method, path, body, admin_scene)
    assert response.status_code == status
    expected = "not_authenticated" if who == "anonymous" else "permission_denied"
    assert response.json()["code"] == expected
    assert stripe_http.requests == []
    assert AuditEntry.objects.count() == audit_before
    assert list(AccessGrant.objects.values_list("pk", "revoked_at")) == grants_before


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_admins_reach_every_admin_endpoint(admin, stripe_http, admin_scene, method, path, body):
    response = _send_admin_call(token_client(admin), method, path, body, admin_scene)
    assert response.status_code in (200, 201), response.json()


# --- Admins: plans ---------------------------------------------------------------------------


def test_an_admin_creates_a_plan_on_stripe(admin, stripe_http, pro):
    response = session_client(admin).post(f"{API}/admin/plans/", {
        "tier": "pro", "name": "Yearly", "amount": 20000, "interval": "year",
        "trial_days": 7}, format="json")  # fmt: skip
    assert response.status_code == 201
    plan = Plan.objects.get(name="Yearly")
    assert response.json()["id"] == plan.pk
    assert response.json()["stripe_price_id"] == plan.stripe_price_id != ""
    (price,) = stripe_http.calls("POST", "/v1/prices")
    assert price["unit_amount"] == "20000" and price["recurring[interval]"] == "year"
    assert len(stripe_http.calls("POST", "/v1/products")) == 1
    listed = api_as(admin).get(f"{API}/admin/plans/").json()["results"]
    assert [p["name"] for p in listed] == ["Yearly"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"tier": "pro", "name": "Free", "amount": 0}, ["amount"]),
        ({"tier": "gold", "name": "X", "amount": 100}, ["tier"]),
        ({"tier": "pro", "name": "X", "amount": 100, "price": 1}, ["price"]),
        ({"tier": "pro", "name": "X", "amount": 100, "interval": "one_time", "trial_days": 3},
         ["non_field_errors"]),
        ({"tier": "pro", "name": "X", "amount": 100, "currency": "u$"}, ["currency"]),
    ],
)  # fmt: skip
def test_a_bad_plan_is_refused_by_field(admin, stripe_http, pro, body, fields):
    response = api_as(admin).post(f"{API}/admin/plans/", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == fields
    assert not Plan.objects.exists()
    assert stripe_http.calls("POST", "/v1/prices") == []


def test_a_new_amount_makes_a_new_price_and_retires_the_old(admin, stripe_http, monthly_plan):
    response = token_client(admin).patch(
        f"{API}/admin/plans/{monthly_plan.pk}/", {"amount": 2500}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["amount"] == 2500
    assert response.json()["stripe_price_id"] not in ("", PRICE_ID)
    assert stripe_http.calls("POST", f"/v1/prices/{PRICE_ID}") == [{"active": "false"}]


def test_editing_a_plan_refuses_its_tier_and_a_missing_plan_is_404(admin, monthly_plan):
    client = api_as(admin)
    response = client.patch(f"{API}/admin/plans/{monthly_plan.pk}/", {"tier": "x"}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["tier"]
    missing = client.patch(f"{API}/admin/plans/999999/", {"name": "x"}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_creating_a_plan_without_stripe_is_a_json_503(admin, settings, pro):
    not_configured(settings)
    response = api_as(admin).post(
        f"{API}/admin/plans/", {"tier": "pro", "name": "M", "amount": 900}, format="json"
    )
    assert response.status_code == 503 and response.json()["code"] == "payments_unavailable"
    assert not Plan.objects.exists()


# --- Admins: coupons and promotion codes -----------------------------------------------------


def test_an_admin_creates_a_coupon_and_a_promotion_code_then_deactivates_them(admin, stripe_http):
    client = token_client(admin)
    created = client.post(f"{API}/admin/coupons/", {
        "name": "Spring", "duration": "repeating", "duration_in_months": 3,
        "amount_off": 500, "currency": "usd"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    coupon = created.json()
    assert coupon["description"] == "$5.00 off for 3 months" and coupon["active"] is True
    assert stripe_http.calls("POST", "/v1/coupons")[0]["amount_off"] == "500"

    promo = client.post(f"{API}/admin/coupons/{coupon['id']}/promotion-codes/",
                        {"code": "SPRING-25", "max_redemptions": 10}, format="json")  # fmt: skip
    assert promo.status_code == 201 and promo.json()["code"] == "SPRING-25"
    listed = client.get(f"{API}/admin/coupons/").json()["results"]
    assert [p["code"] for p in listed[0]["promotion_codes"]] == ["SPRING-25"]

    off = client.post(f"{API}/admin/promotion-codes/{promo.json()['id']}/deactivate/")
    assert off.status_code == 200 and off.json()["active"] is False
    gone = client.post(f"{API}/admin/coupons/{coupon['id']}/deactivate/")
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert stripe_http.calls("DELETE", f"/v1/coupons/{coupon['stripe_id']}") != []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "Both", "duration": "once", "percent_off": 10, "amount_off": 100,
          "currency": "usd"}, ["percent_off"]),
        ({"name": "None", "duration": "once"}, ["percent_off"]),
        ({"name": "Much", "duration": "once", "percent_off": 150}, ["percent_off"]),
        ({"name": "Months", "duration": "repeating", "percent_off": 10}, ["duration_in_months"]),
        ({"name": "Odd", "duration": "weekly", "percent_off": 10}, ["duration"]),
        ({"name": "Extra", "duration": "once", "percent_off": 10, "applies_to": "x"},
         ["applies_to"]),
    ],
)  # fmt: skip
def test_a_bad_coupon_is_refused_by_field(admin, stripe_http, body, fields):
    response = api_as(admin).post(f"{API}/admin/coupons/", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == fields
    assert not Coupon.objects.exists() and stripe_http.requests == []


def test_a_bad_promotion_code_is_refused_by_field(admin, stripe_http, admin_scene):
    url = f"{API}/admin/coupons/{admin_scene['coupon']}/promotion-codes/"
    response = api_as(admin).post(url, {"code": "two words"}, format="json")
    assert response.json()["fields"] == {"code": ["Letters, digits and dashes, e.g. SPRING-25."]}
    taken = api_as(admin).post(url, {"code": "scene"}, format="json")
    assert list(taken.json()["fields"]) == ["code"]
    assert stripe_http.requests == []


# --- Admins: access grants -------------------------------------------------------------------


@pytest.mark.parametrize("source", ["payment", "trial", "coupon"])
def test_grants_that_follow_stripe_are_not_revoked_by_hand(admin, member, pro, source):
    grant = AccessGrantFactory(user=member, tier=pro, source=source)
    response = api_as(admin).post(f"{API}/admin/grants/{grant.pk}/revoke/", {}, format="json")
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_an_admin_grants_a_tier_by_hand_and_revokes_it(admin, member, pro):
    client = token_client(admin)
    ends = timezone.now() + timedelta(days=30)
    body = {"member": member.pk, "tier": "pro", "ends_at": ends.isoformat(), "note": "Speaker"}
    response = client.post(f"{API}/admin/grants/", body, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["member"]["id"] == member.pk and body["tier"]["slug"] == "pro"
    assert body["source"] == "manual" and body["granted_by"]["id"] == admin.pk
    assert body["is_active"] is True and body["note"] == "Speaker"
    grant = AccessGrant.objects.get(pk=body["id"])
    assert AccessGrant.objects.active().filter(pk=grant.pk).exists()

    listed = client.get(f"{API}/admin/grants/", {"member": member.pk, "active": "true"}).json()
    assert [g["id"] for g in listed["results"]] == [grant.pk]

    revoked = client.post(f"{API}/admin/grants/{grant.pk}/revoke/", {"reason": "Left"},
                          format="json")  # fmt: skip
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False and revoked.json()["revoked_at"] is not None
    assert not AccessGrant.objects.active().filter(pk=grant.pk).exists()
    after = client.get(f"{API}/admin/grants/", {"member": member.pk, "active": "true"}).json()
    assert after["results"] == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"member": 999_999, "tier": "pro"}, ["member"]),
        ({"member": "{member}", "tier": "gold"}, ["tier"]),
        ({"member": "{member}", "tier": "pro", "ends_at": "2000-01-01T00:00:00Z"}, ["ends_at"]),
        ({"member": "{member}", "tier": "pro", "source": "payment"}, ["source"]),
    ],
)
def test_a_bad_grant_is_refused_by_field(admin, member, pro, body, fields):
    body = {k: member.pk if v == "{member}" else v for k, v in body.items()}
    response = api_as(admin).post(f"{API}/admin/grants/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == fields
    assert not AccessGrant.objects.exists()


def test_the_grants_list_costs_the_same_for_more_grants(admin, pro):
    def add_grants(count):
        for _ in range(count):
            AccessGrantFactory(tier=pro, granted_by=admin)

    add_grants(4)
    client = api_as(admin)
    # The page of grants with member, tier and granting admin joined (1).
    assert_constant_queries(
        lambda: client.get(f"{API}/admin/grants/"), grow=lambda: add_grants(4), bound=1
    )


# --- Admins: why a member has access --------------------------------------------------------


def test_why_has_access_names_the_subscription_and_the_event(
    admin, member, deliver, stripe_http, monthly_plan
):
    Customer.objects.create(user=member, stripe_id=stripe_object("customer.trial_member")["id"])
    deliver(event_body("05.customer.subscription.created.trialing.json"))
    deliver(event_body("08.customer.subscription.updated.trialing_to_active.json"))
    sub = Subscription.objects.get(user=member)
    event_08 = json.loads(event_body("08.customer.subscription.updated.trialing_to_active.json"))
    assert sub.last_event.stripe_id == event_08["id"]

    response = token_client(admin).get(f"{API}/admin/members/{member.pk}/access/")
    assert response.status_code == 200
    body = response.json()
    assert body["member"]["id"] == member.pk
    grants = body["grants"]
    assert sorted(g["source"] for g in grants) == ["payment", "trial"]
    for grant in grants:
        assert grant["tier"]["slug"] == "pro"
        assert grant["subscription"] == {
            "stripe_id": sub.stripe_id,
            "status": "active",
            "last_event": {"stripe_id": event_08["id"], "type": "customer.subscription.updated"},
        }
        assert grant["source_detail"] == (
            f"Stripe subscription {sub.stripe_id}, last changed by {event_08['id']} "
            "(customer.subscription.updated)"
        )
        assert grant["purchase"] is None and grant["granted_by"] is None
    trial = next(g for g in grants if g["source"] == "trial")
    paid = next(g for g in grants if g["source"] == "payment")
    assert trial["ends_at"] <= paid["starts_at"] or trial["revoked_at"] is not None


def test_why_has_access_names_the_admin_of_a_manual_grant(admin, member, pro):
    PaidSpaceFactory(name="Vault", required_tier=pro)
    community_services.grant_access(admin, member=member, tier=pro, note="Speaker")
    grants = api_as(admin).get(f"{API}/admin/members/{member.pk}/access/").json()["grants"]
    assert len(grants) == 1
    assert grants[0]["source"] == "manual" and grants[0]["is_active"] is True
    assert grants[0]["source_detail"] == f"Granted by {admin.display_name}"
    assert grants[0]["granted_by"]["id"] == admin.pk and grants[0]["subscription"] is None
    assert grants[0]["unlocks"] == [{"label": "Spaces", "names": ["Vault"]}]


def test_why_has_access_of_a_missing_member_is_404(admin):
    response = api_as(admin).get(f"{API}/admin/members/999999/access/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- Admins: webhook events ----------------------------------------------------------------


def test_admins_list_events_by_state_newest_first(admin):
    processed = webhook_event()
    failed_old = webhook_event(state="failed", received_at=timezone.now() - timedelta(hours=2))
    failed_new = webhook_event(state="failed", last_error="Stripe timeout")
    client = token_client(admin)
    every = client.get(f"{API}/admin/events/").json()["results"]
    assert {e["id"] for e in every} == {processed.pk, failed_old.pk, failed_new.pk}
    failed = client.get(f"{API}/admin/events/", {"state": "failed"}).json()["results"]
    assert [e["id"] for e in failed] == [failed_new.pk, failed_old.pk]
    assert failed[0]["last_error"] == "Stripe timeout"
    assert failed[0]["object_id"] == failed_new.object_id
    bad = client.get(f"{API}/admin/events/", {"state": "lost"})
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["state"]


def test_the_events_list_costs_the_same_for_more_events(admin):
    def add_events(count):
        for _ in range(count):
            webhook_event()

    add_events(3)
    client = api_as(admin)
    # The page of events (1).
    assert_constant_queries(
        lambda: client.get(f"{API}/admin/events/"), grow=lambda: add_events(3), bound=1
    )


def test_an_admin_reruns_a_failed_event_and_not_a_processed_one(
    admin, django_capture_on_commit_callbacks
):
    failed = webhook_event(state="failed", last_error="boom")
    done = webhook_event()
    client = token_client(admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{API}/admin/events/{failed.pk}/rerun/")
    assert response.status_code == 200 and response.json()["state"] == "pending"
    assert len(callbacks) == 1  # the processing task, enqueued on commit
    refused = client.post(f"{API}/admin/events/{done.pk}/rerun/")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"event": ["Only a failed or waiting event is run again."]}


# --- The schema documents every payments answer -----------------------------------------------


@pytest.fixture
def payments_schema(client):
    return load_schema(client)


def test_every_payments_operation_answers_what_the_schema_documents(
    payments_schema, request, stripe_http, admin_scene, listed_pro, member, monkeypatch
):
    """tests/community/test_api_schema.py calls community's operations; these are payments'
    (as admin, member and anonymously), each answer checked against the served schema."""
    ids = admin_scene
    invoice(member)
    subscription(member, Plan.objects.get(pk=ids["plan"]))
    checkout_body = {"plan": ids["plan"], "success_url": "/", "cancel_url": "/"}
    coupon_body = {"name": "C", "duration": "once", "percent_off": "12.5"}
    calls = [
        ("anonymous", "get", "/plans/", None, 200),
        ("member", "get", "/plans/", None, 200),
        ("member", "get", "/plans/", {"size": "0"}, 400),
        ("member", "get", "/me/subscriptions/", None, 200),
        ("anonymous", "get", "/me/subscriptions/", None, 401),
        ("member", "get", "/me/grants/", None, 200),
        ("member", "get", "/me/invoices/", None, 200),
        ("member", "get", "/me/invoices/", {"cursor": "!"}, 400),
        ("member", "post", "/portal-sessions/", {"return_url": "/"}, 400),
        ("buyer", "post", "/checkout-sessions/", {**checkout_body, "cancel_url": "//x.io"}, 400),
        ("buyer", "post", "/checkout-sessions/", checkout_body, 201),
        ("buyer", "post", "/portal-sessions/", {"return_url": "/billing/"}, 201),
        ("admin", "get", "/admin/plans/", None, 200),
        ("admin", "post", "/admin/plans/", {"tier": "pro", "name": "Y", "amount": 9000}, 201),
        ("admin", "patch", "/admin/plans/{plan_id}/", {"position": 3}, 200),
        ("admin", "patch", "/admin/plans/{plan_id}/", {"amount": -1}, 400),
        ("admin", "get", "/admin/coupons/", None, 200),
        ("admin", "post", "/admin/coupons/", coupon_body, 201),
        ("admin", "post", "/admin/coupons/{coupon_id}/promotion-codes/", {"code": "C-1"}, 201),
        ("admin", "post", "/admin/promotion-codes/{promotion_code_id}/deactivate/", None, 200),
        ("admin", "post", "/admin/coupons/{coupon_id}/deactivate/", None, 200),
        ("admin", "get", "/admin/grants/", None, 200),
        ("admin", "post", "/admin/grants/", {"member": ids["member"], "tier": "pro"}, 201),
        ("admin", "post", "/admin/grants/{grant_id}/revoke/", {"reason": "x"}, 200),
        ("admin", "get", "/admin/members/{member_id}/access/", None, 200),
        ("admin", "get", "/admin/members/{member_id}/access/", "missing", 404),
        ("admin", "get", "/admin/events/", None, 200),
        ("admin", "post", "/admin/events/{event_id}/rerun/", None, 200),
        ("member", "get", "/admin/events/", None, 403),
        ("member", "post", "/admin/plans/", {"tier": "pro", "name": "Y", "amount": 1}, 403),
    ]
    params = {"plan_id": ids["plan"], "coupon_id": ids["coupon"], "member_id": ids["member"],
              "promotion_code_id": ids["promo"], "grant_id": ids["grant"],
              "event_id": ids["event"]}  # fmt: skip
    clients = {"anonymous": APIClient(), "member": api_as(member),
               "buyer": api_as(request.getfixturevalue("other_member")),
               "admin": api_as(request.getfixturevalue("admin"))}  # fmt: skip
    for who, method, tail, data, expect in calls:
        path = f"{API}{tail}"
        url = path.format(**{**params, "member_id": 999_999} if data == "missing" else params)
        if method == "get":
            query = data if isinstance(data, dict) else None
            response = clients[who].get(url, query)
        else:
            response = getattr(clients[who], method)(url, data, format="json")
        assert response.status_code == expect, (who, method, url, response.content[:300])
        payments_schema.check(method, path, response)

    # A Stripe that is down answers a documented 503.
    stripe_is_down(stripe_http, monkeypatch)
    response = clients["buyer"].post(f"{API}/checkout-sessions/", {
        **checkout_body, "plan": Plan.objects.get(name="Y").pk}, format="json")  # fmt: skip
    assert response.status_code == 503
    payments_schema.check("post", f"{API}/checkout-sessions/", response)

    ours = {op for op in payments_schema.operations if op[1].startswith(f"{API}/")}
    called = {(method, f"{API}{tail}") for _who, method, tail, _data, _expect in calls}
    assert ours - called == set(), "payments operations this test never calls"
