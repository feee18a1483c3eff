"""The admins' payments pages: plans, coupons and promotion codes (through the services, with
what reaches Stripe asserted on the fake HTTP API), why a member has access (with granting
and revoking by hand), the webhook events with "Process again", the Django admin, and the
404 everyone else gets."""

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from community.models import AccessGrant, AuditEntry
from payments import services
from payments.models import Coupon, Customer, Plan, PromotionCode, WebhookEvent
from tests.factories import AccessGrantFactory, PaidSpaceFactory, UserFactory
from tests.helpers import assert_constant_queries

from .stripe_fake import event_body, make_event, stripe_object
from .test_services import MISSING_MEMBER, REFUSED, orphan_checkout_body, posts

pytestmark = pytest.mark.django_db

PLANS = reverse("payments:manage_plans")
NEW_PLAN = reverse("payments:new_plan")
COUPONS = reverse("payments:manage_coupons")
NEW_COUPON = reverse("payments:new_coupon")
MEMBERS = reverse("payments:manage_members")
EVENTS = reverse("payments:manage_events")
NOT_CONFIGURED = "Payments are not configured on this site."


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


def text(response):
    return response.content.decode()


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def plan_data(tier, **changes):
    data = {"tier": tier.pk, "name": "Monthly", "amount": "20.00", "currency": "usd",
            "interval": "month", "trial_days": "0", "position": "0", "active": "on"}  # fmt: skip
    data.update(changes)
    return data


def edit_data(plan, **changes):
    data = plan_data(plan.tier, amount=f"{plan.amount / 100:.2f}", trial_days=plan.trial_days)
    del data["tier"]
    data.update(changes)
    return data


# --- Plans ----------------------------------------------------------------------------------------


def test_the_plans_list_shows_each_plan(admin_client, stripe_http, monthly_plan):
    response = admin_client.get(PLANS)
    assert response.status_code == 200
    page = text(response)
    for shown in ("Pro", "Monthly", "$20.00", "14 days", monthly_plan.stripe_price_id,
                  reverse("payments:edit_plan", args=[monthly_plan.pk])):  # fmt: skip
        assert shown in page
    assert NOT_CONFIGURED not in page and f'href="{NEW_PLAN}"' in page


def test_a_plan_is_created_in_major_units(admin_client, stripe_http, pro):
    response = admin_client.post(NEW_PLAN, plan_data(pro, amount="19.99", trial_days="7"))

    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == f"{PLANS}#plan-{plan.pk}"
    assert (plan.amount, plan.trial_days, plan.active) == (1999, 7, True)
    assert len(posts(stripe_http, "/v1/products")) == 1
    [price] = posts(stripe_http, "/v1/prices")
    assert price["unit_amount"] == "1999" and price["recurring[interval]"] == "month"
    assert plan.stripe_product_id == price["product"] and plan.stripe_price_id.startswith("price_")
    assert flash(response) == ["“Monthly” is created, with its Stripe price."]


def test_a_second_plan_of_the_tier_reuses_the_product(admin_client, stripe_http, monthly_plan):
    admin_client.post(NEW_PLAN, plan_data(monthly_plan.tier, name="Yearly", amount="200",
                                          interval="year"))  # fmt: skip
    assert posts(stripe_http, "/v1/products") == []
    [price] = posts(stripe_http, "/v1/prices")
    assert price["product"] == monthly_plan.stripe_product_id and price["unit_amount"] == "20000"
    assert Plan.objects.get(name="Yearly").stripe_product_id == monthly_plan.stripe_product_id


def test_a_stripe_refusal_is_shown_and_nothing_saved(admin_client, stripe_http, pro):
    stripe_http.fail_with = REFUSED
    response = admin_client.post(NEW_PLAN, plan_data(pro))
    assert response.status_code == 400
    assert "Stripe refused: Invalid currency: zzz" in text(response)
    assert "Nothing was saved" in text(response)
    assert not Plan.objects.exists()


def test_bad_input_is_refused_by_field(admin_client, stripe_http, pro):
    response = admin_client.post(NEW_PLAN, plan_data(pro, amount="0", currency="dollars"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"amount", "currency"}
    assert stripe_http.requests == [] and not Plan.objects.exists()


def test_a_service_refusal_goes_under_its_field(admin_client, stripe_http, pro):
    response = admin_client.post(NEW_PLAN, plan_data(pro, interval="one_time", trial_days="7"))
    assert response.status_code == 400
    assert "A one-time plan has no trial." in text(response)
    assert not Plan.objects.exists()


def test_without_stripe_the_pages_say_so(admin_client, no_stripe, pro, monthly_plan):
    page = text(admin_client.get(PLANS))
    assert NOT_CONFIGURED.removesuffix(".") in page
    assert 'disabled aria-describedby="stripe-off"' in page and f'href="{NEW_PLAN}"' not in page
    assert 'type="submit" disabled' in text(admin_client.get(NEW_PLAN))

    response = admin_client.post(NEW_PLAN, plan_data(pro, name="Yearly"))
    assert response.status_code == 400 and NOT_CONFIGURED in text(response)
    assert list(Plan.objects.values_list("name", flat=True)) == ["Monthly"]


def test_the_edit_form_warns_about_new_prices(admin_client, stripe_http, monthly_plan):
    response = admin_client.get(reverse("payments:edit_plan", args=[monthly_plan.pk]))
    page = text(response)
    assert "creates a new Stripe price" in page and "Existing subscribers keep" in page
    assert response.context["form"]["amount"].value() == monthly_plan.amount / 100
    assert 'name="tier"' not in page


def test_editing_the_amount_makes_a_new_price(admin_client, stripe_http, monthly_plan):
    old_price = monthly_plan.stripe_price_id
    url = reverse("payments:edit_plan", args=[monthly_plan.pk])

    response = admin_client.post(url, edit_data(monthly_plan, amount="25.00"))

    assert response.status_code == 302
    [price] = posts(stripe_http, "/v1/prices")
    assert price["unit_amount"] == "2500" and price["product"] == monthly_plan.stripe_product_id
    assert posts(stripe_http, f"/v1/prices/{old_price}") == [{"active": "false"}]
    monthly_plan.refresh_from_db()
    assert monthly_plan.amount == 2500 and monthly_plan.stripe_price_id not in ("", old_price)
    entry = AuditEntry.objects.get(action="payments.plan_update")
    assert entry.reason == "changed amount"


def test_editing_only_the_name_calls_stripe_not_at_all(admin_client, stripe_http, monthly_plan):
    url = reverse("payments:edit_plan", args=[monthly_plan.pk])
    response = admin_client.post(url, edit_data(monthly_plan, name="Every month"))
    assert response.status_code == 302
    assert stripe_http.requests == []
    monthly_plan.refresh_from_db()
    assert monthly_plan.name == "Every month" and monthly_plan.amount == 2000


def test_renaming_works_without_stripe(admin_client, no_stripe, monthly_plan):
    url = reverse("payments:edit_plan", args=[monthly_plan.pk])
    response = admin_client.post(url, edit_data(monthly_plan, name="Renamed", active=""))
    assert response.status_code == 302
    monthly_plan.refresh_from_db()
    assert (monthly_plan.name, monthly_plan.active) == ("Renamed", False)


def test_a_refused_new_price_keeps_the_plan(admin_client, stripe_http, monthly_plan):
    stripe_http.fail_with = REFUSED
    url = reverse("payments:edit_plan", args=[monthly_plan.pk])
    response = admin_client.post(url, edit_data(monthly_plan, amount="30.00", name="Pricier"))
    assert response.status_code == 400 and "Stripe refused" in text(response)
    fresh = Plan.objects.get(pk=monthly_plan.pk)
    assert (fresh.amount, fresh.name) == (2000, "Monthly")
    assert fresh.stripe_price_id == monthly_plan.stripe_price_id


# --- Coupons and promotion codes ------------------------------------------------------------------


def coupon_data(**changes):
    data = {"name": "Launch", "percent_off": "", "amount_off": "", "currency": "",
            "duration": "once", "duration_in_months": "", "max_redemptions": "",
            "redeem_by": ""}  # fmt: skip
    data.update(changes)
    return data


def test_a_percent_coupon_through_the_page(admin_client, stripe_http):
    response = admin_client.post(
        NEW_COUPON,
        coupon_data(percent_off="25", duration="repeating", duration_in_months="3",
                    max_redemptions="100", redeem_by="2030-01-31"),
    )  # fmt: skip
    coupon = Coupon.objects.get()
    assert response.status_code == 302 and response.url == f"{COUPONS}#coupon-{coupon.pk}"
    [sent] = stripe_http.calls("POST", "/v1/coupons")
    assert sent["percent_off"] == "25.0" and sent["duration_in_months"] == "3"
    assert sent["max_redemptions"] == "100"
    # Through the last day named, in the admin's time zone (UTC here).
    assert coupon.redeem_by.isoformat() == "2030-02-01T00:00:00+00:00"
    assert sent["redeem_by"] == str(int(coupon.redeem_by.timestamp()))


def test_an_amount_coupon_through_the_page(admin_client, stripe_http):
    admin_client.post(NEW_COUPON, coupon_data(amount_off="5.00", currency="USD"))
    [sent] = stripe_http.calls("POST", "/v1/coupons")
    assert (sent["amount_off"], sent["currency"], sent["duration"]) == ("500", "usd", "once")
    assert Coupon.objects.get().describe == "$5.00 off once"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"percent_off": "10", "duration": "repeating"}, "How many months the discount repeats."),
        ({"percent_off": "10", "amount_off": "5", "currency": "usd"}, "not both"),
        ({}, "Give a percent off, or an amount off with its currency."),
    ],
)
def test_a_bad_coupon_is_refused_on_the_page(admin_client, stripe_http, changes, error):
    response = admin_client.post(NEW_COUPON, coupon_data(**changes))
    assert response.status_code == 400 and error in text(response)
    assert stripe_http.requests == [] and not Coupon.objects.exists()


@pytest.fixture
def coupon(admin, stripe_http):
    coupon = services.create_coupon(admin, name="Launch", duration="once", percent_off=25)
    stripe_http.requests.clear()
    return coupon


def test_the_coupons_list_shows_coupons_and_codes(admin_client, admin, coupon, stripe_http):
    services.create_promotion_code(admin, coupon=coupon, code="SPRING", max_redemptions=10)
    page = text(admin_client.get(COUPONS))
    for shown in ("Launch", "25% off once", "SPRING", "0 of 10", "Deactivate coupon",
                  reverse("payments:new_promotion_code", args=[coupon.pk])):  # fmt: skip
        assert shown in page


def test_coupons_are_described_plainly(admin_client, admin, stripe_http):
    services.create_coupon(admin, name="Twenty", duration="once", percent_off=20)
    services.create_coupon(admin, name="Yen", duration="forever", amount_off=500, currency="jpy")
    page = text(admin_client.get(COUPONS))
    assert "20% off once" in page and "¥500 off forever" in page


def test_a_promotion_code_through_the_page(admin_client, coupon, stripe_http):
    url = reverse("payments:new_promotion_code", args=[coupon.pk])
    response = admin_client.post(url, {"code": "SPRING-25", "max_redemptions": "50",
                                       "expires_at": ""})  # fmt: skip
    assert response.status_code == 302
    [sent] = stripe_http.calls("POST", "/v1/promotion_codes")
    assert sent == {"promotion[type]": "coupon", "promotion[coupon]": coupon.stripe_id,
                    "code": "SPRING-25", "max_redemptions": "50"}  # fmt: skip
    assert PromotionCode.objects.get().code == "SPRING-25"


def test_a_malformed_code_is_refused_by_field(admin_client, coupon, stripe_http):
    url = reverse("payments:new_promotion_code", args=[coupon.pk])
    response = admin_client.post(url, {"code": "two words"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "Letters, digits and dashes, e.g. SPRING-25."
    ]
    assert stripe_http.requests == []


def test_deactivating_a_coupon_asks_first(admin_client, admin, coupon, stripe_http):
    promo = services.create_promotion_code(admin, coupon=coupon, code="SPRING")
    url = reverse("payments:deactivate_coupon", args=[coupon.pk])

    asked = admin_client.post(url)
    assert asked.status_code == 200 and "promotion codes stop working" in text(asked)
    assert Coupon.objects.get(pk=coupon.pk).active
    assert not [r for r in stripe_http.requests if r[0] == "DELETE"]

    done = admin_client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    assert [p for m, p, _ in stripe_http.requests if m == "DELETE"] == [
        f"/v1/coupons/{coupon.stripe_id}"
    ]
    assert not Coupon.objects.get(pk=coupon.pk).active
    assert not PromotionCode.objects.get(pk=promo.pk).active
    assert AuditEntry.objects.filter(action="payments.coupon_deactivate").count() == 1


def test_deactivating_a_promotion_code(admin_client, admin, coupon, stripe_http):
    promo = services.create_promotion_code(admin, coupon=coupon, code="SPRING")
    url = reverse("payments:deactivate_promotion_code", args=[promo.pk])
    assert "can no longer type" in text(admin_client.post(url))
    assert PromotionCode.objects.get(pk=promo.pk).active

    admin_client.post(url, {"confirm": "yes"})
    assert posts(stripe_http, f"/v1/promotion_codes/{promo.stripe_id}") == [{"active": "false"}]
    assert not PromotionCode.objects.get(pk=promo.pk).active


def test_a_refused_deactivation_says_so(admin_client, coupon, stripe_http):
    stripe_http.fail_with = REFUSED
    url = reverse("payments:deactivate_coupon", args=[coupon.pk])
    response = admin_client.post(url, {"confirm": "yes"})
    assert response.status_code == 400 and "It was not deactivated" in text(response)
    assert Coupon.objects.get(pk=coupon.pk).active


# --- Member access --------------------------------------------------------------------------------


def access_url(member):
    return reverse("payments:member_access", args=[member.pk])


def test_a_manual_grant_is_explained(admin_client, admin, member, pro):
    PaidSpaceFactory(name="Pro lounge", required_tier=pro)
    AccessGrantFactory(user=member, tier=pro, granted_by=admin, note="Partner")
    response = admin_client.get(access_url(member))
    page = text(response)
    assert f"Granted by {admin.display_name}" in page and "Partner" in page
    assert "No end" in page and "Pro lounge" in page and "Active" in page
    assert reverse("payments:revoke_grant", args=[member.pk, member.access_grants.get().pk]) in page


def test_a_trial_then_paid_subscription_is_explained(
    admin_client, member, stripe_http, monthly_plan, deliver
):
    Customer.objects.create(user=member, stripe_id=stripe_object("customer.trial_member")["id"])
    deliver(event_body("05.customer.subscription.created.trialing.json"))
    deliver(event_body("08.customer.subscription.updated.trialing_to_active.json"))
    last_event = json.loads(event_body("08.customer.subscription.updated.trialing_to_active.json"))
    subscription = last_event["data"]["object"]["id"]

    response = admin_client.get(access_url(member))

    explained = response.context["explanations"]
    assert sorted(x.grant.source for x in explained) == ["payment", "trial"]
    page = text(response)
    assert page.count(f"https://dashboard.stripe.com/test/subscriptions/{subscription}") == 2
    assert last_event["id"] in page and "customer.subscription.updated" in page
    assert f"{EVENTS}?q={last_event['id']}" in page
    assert "Revoke" not in page  # Stripe's grants change through Stripe


def test_the_access_page_costs_the_same_for_more_grants(admin_client, admin, member, pro):
    PaidSpaceFactory(required_tier=pro)

    def add_grants(n):
        for _ in range(n):
            AccessGrantFactory(user=member, tier=pro, granted_by=admin)

    add_grants(2)
    # Session and admin (2), the member (1); explain_access: grants with tier and admin,
    # subscriptions, purchases, the active ones (4; no coupon to read), one per gated model
    # for what the tier unlocks (4 here: spaces, courses, events, the test suite's
    # workshops); the header's open reports (1) and score (1), the sidebar's spaces (1), the
    # form's tiers (1).
    assert_constant_queries(
        lambda: admin_client.get(access_url(member)), grow=lambda: add_grants(3), bound=15
    )


def test_an_admin_grants_a_tier_through_the_page(admin_client, admin, member, pro):
    response = admin_client.post(
        access_url(member), {"tier": pro.pk, "ends_at": "2031-03-31", "note": "Scholarship"}
    )
    assert response.status_code == 302 and response.url == access_url(member)
    grant = AccessGrant.objects.get(user=member)
    assert (grant.source, grant.granted_by, grant.note) == ("manual", admin, "Scholarship")
    assert grant.ends_at.isoformat() == "2031-04-01T00:00:00+00:00"
    entry = AuditEntry.objects.get(action="community.grant")
    assert entry.actor == admin and entry.target_id == grant.pk


def test_a_grant_needs_a_tier(admin_client, member):
    response = admin_client.post(access_url(member), {"tier": "", "note": "x"})
    assert response.status_code == 400 and not AccessGrant.objects.exists()


def test_an_admin_revokes_a_manual_grant_through_the_page(admin_client, admin, member, pro):
    grant = AccessGrantFactory(user=member, tier=pro, granted_by=admin)
    url = reverse("payments:revoke_grant", args=[member.pk, grant.pk])

    asked = admin_client.post(url)
    assert asked.status_code == 200 and "Revoke Pro from" in text(asked)
    grant.refresh_from_db()
    assert grant.revoked_at is None

    done = admin_client.post(url, {"confirm": "yes", "reason": "Left the team"})
    assert done.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    entry = AuditEntry.objects.get(action="community.revoke")
    assert (entry.actor, entry.target_id, entry.reason) == (admin, grant.pk, "Left the team")
    assert "Revoked" in text(admin_client.get(access_url(member)))


def test_a_paid_grant_is_not_revoked_here(admin_client, member, pro):
    grant = AccessGrantFactory(user=member, tier=pro, source="payment")
    url = reverse("payments:revoke_grant", args=[member.pk, grant.pk])
    assert admin_client.post(url, {"confirm": "yes"}).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_the_member_search_finds_by_email_or_name(admin_client):
    ada = UserFactory(email="ada@example.org", display_name="Ada Lovelace")
    UserFactory(email="grace@example.org", display_name="Grace Hopper")
    for q in ("ada@exa", "lovelace"):
        response = admin_client.get(MEMBERS, {"q": q})
        assert [m.pk for m in response.context["members"]] == [ada.pk]
        assert access_url(ada) in text(response)


# --- Webhook events -------------------------------------------------------------------------------


def add_events(count, **fields):
    now = timezone.now()
    body = json.loads(event_body("01.customer.subscription.created.json"))
    WebhookEvent.objects.bulk_create(
        WebhookEvent(
            stripe_id=f"evt_page_{WebhookEvent.objects.count()}_{i}",
            type="customer.subscription.created",
            created=now,
            received_at=now - timedelta(seconds=i),
            payload=body,
            **fields,
        )
        for i in range(count)
    )


def test_the_events_list_costs_the_same_for_more_events(admin_client):
    add_events(5)
    # Session and member (2), the page of events (1), the header's open reports (1), the
    # sidebar's spaces (1).
    _, more = assert_constant_queries(
        lambda: admin_client.get(EVENTS), grow=lambda: add_events(5), bound=5
    )
    assert len(more.context["events"]) == 10


def test_the_events_list_pages_newest_first(admin_client):
    add_events(60)
    first = admin_client.get(EVENTS)
    events = first.context["events"]
    assert len(events) == 50
    assert [e.received_at for e in events] == sorted((e.received_at for e in events), reverse=True)
    second = admin_client.get(first.context["next_url"])
    assert len(second.context["events"]) == 10 and second.context["next_url"] is None
    seen = {e.pk for e in events} | {e.pk for e in second.context["events"]}
    assert len(seen) == 60
    assert admin_client.get(EVENTS, {"cursor": "forged"}).status_code == 404


def test_the_events_list_filters_by_state_and_id(admin_client):
    add_events(3)
    add_events(2, state=WebhookEvent.State.FAILED, last_error="ValueError: " + "x" * 200)
    failed = admin_client.get(EVENTS, {"state": "failed"})
    assert len(failed.context["events"]) == 2
    assert "ValueError: xxx" in text(failed) and "x" * 100 not in text(failed)  # shortened
    one = WebhookEvent.objects.first()
    assert [e.pk for e in admin_client.get(EVENTS, {"q": one.stripe_id}).context["events"]] == [
        one.pk
    ]
    about = admin_client.get(EVENTS, {"q": one.object_id}).context["events"]
    assert len(about) == 5  # every event here is about the same subscription


def test_the_event_page_shows_the_payload(admin_client):
    add_events(1, state=WebhookEvent.State.GAVE_UP, last_error="ValueError: " + "y" * 200)
    event = WebhookEvent.objects.get()
    page = text(admin_client.get(reverse("payments:event_detail", args=[event.pk])))
    assert "y" * 200 in page and "Process again" in page
    assert "\n  &quot;id&quot;: &quot;evt_" in page  # pretty-printed, escaped


def test_a_failed_event_is_processed_again_from_its_page(
    admin_client, admin, deliver, stripe_http, django_capture_on_commit_callbacks
):
    deliver(orphan_checkout_body())
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.FAILED
    assert "Process again" in text(admin_client.get(reverse("payments:event_detail",
                                                            args=[event.pk])))  # fmt: skip

    UserFactory(id=MISSING_MEMBER)  # the cause, fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("payments:rerun_event", args=[event.pk]))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == WebhookEvent.State.PROCESSED and event.attempts == 2
    assert AuditEntry.objects.get(action="payments.event_rerun").actor == admin
    assert "Process again" not in text(admin_client.get(response.url))


def test_a_processed_event_is_not_run_again(admin_client):
    add_events(1, state=WebhookEvent.State.PROCESSED)
    event = WebhookEvent.objects.get()
    response = admin_client.post(reverse("payments:rerun_event", args=[event.pk]))
    assert flash(response) == ["Only a failed or waiting event is run again."]
    assert not AuditEntry.objects.exists()


# --- The Django admin and the way in --------------------------------------------------------------


def test_the_django_admin_lists_payments_read_only(admin_client, stripe_http, monthly_plan):
    add_events(2)
    for model in ("plan", "coupon", "promotioncode", "customer", "subscription", "invoice",
                  "purchase", "webhookevent"):  # fmt: skip
        assert admin_client.get(f"/admin/payments/{model}/").status_code == 200
    assert admin_client.get("/admin/payments/plan/add/").status_code == 403
    change = text(admin_client.get(f"/admin/payments/plan/{monthly_plan.pk}/change/"))
    assert reverse("payments:edit_plan", args=[monthly_plan.pk]) in change
    assert 'name="_save"' not in change


def test_the_django_admin_processes_events_again(
    admin_client, admin, deliver, stripe_http, django_capture_on_commit_callbacks
):
    deliver(orphan_checkout_body())
    event = WebhookEvent.objects.get()
    UserFactory(id=MISSING_MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/payments/webhookevent/",
                          {"action": "process_again", "_selected_action": [event.pk]})  # fmt: skip
    event.refresh_from_db()
    assert event.state == WebhookEvent.State.PROCESSED
    assert AuditEntry.objects.filter(action="payments.event_rerun", actor=admin).exists()


def test_the_user_admin_links_to_the_access_page(admin_client, member):
    page = text(admin_client.get(f"/admin/community/user/{member.pk}/change/"))
    assert access_url(member) in page


def test_admins_find_the_pages_in_the_sidebar(admin_client, client, member):
    assert f'href="{PLANS}"' in text(admin_client.get(EVENTS))
    client.force_login(member)
    assert PLANS not in text(client.get("/"))


# --- Everyone else --------------------------------------------------------------------------------


@pytest.fixture
def every_page(admin, member, pro, stripe_http, monthly_plan):
    coupon = services.create_coupon(admin, name="Launch", duration="once", percent_off=20)
    promo = services.create_promotion_code(admin, coupon=coupon, code="SPRING")
    grant = AccessGrantFactory(user=member, tier=pro, granted_by=admin)
    add_events(1, state=WebhookEvent.State.FAILED)
    event = WebhookEvent.objects.get()
    gets = [
        *(PLANS, NEW_PLAN, reverse("payments:edit_plan", args=[monthly_plan.pk])),
        *(COUPONS, NEW_COUPON, reverse("payments:new_promotion_code", args=[coupon.pk])),
        *(MEMBERS, access_url(member), EVENTS),
        reverse("payments:event_detail", args=[event.pk]),
    ]
    posts_ = [
        (NEW_PLAN, plan_data(pro, name="Sneaky")),
        (reverse("payments:edit_plan", args=[monthly_plan.pk]), edit_data(monthly_plan, name="X")),
        (NEW_COUPON, coupon_data(percent_off="100")),
        (reverse("payments:new_promotion_code", args=[coupon.pk]), {"code": "FREE"}),
        (reverse("payments:deactivate_coupon", args=[coupon.pk]), {"confirm": "yes"}),
        (reverse("payments:deactivate_promotion_code", args=[promo.pk]), {"confirm": "yes"}),
        (access_url(member), {"tier": pro.pk}),
        (reverse("payments:revoke_grant", args=[member.pk, grant.pk]), {"confirm": "yes"}),
        (reverse("payments:rerun_event", args=[event.pk]), {}),
    ]
    stripe_http.requests.clear()
    return gets, posts_


@pytest.mark.parametrize("persona", ["anonymous", "member", "moderator"])
def test_everyone_but_admins_gets_a_404(client, request, persona, every_page, stripe_http):
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    audited = AuditEntry.objects.count()
    gets, posts_ = every_page
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts_:
        assert client.post(url, data).status_code == 404, url
    assert stripe_http.requests == []
    assert AuditEntry.objects.count() == audited
    assert not Plan.objects.exclude(name="Monthly").exists()
    assert Coupon.objects.get().active and PromotionCode.objects.get().active
    assert AccessGrant.objects.filter(revoked_at__isnull=True).count() == 1
    assert WebhookEvent.objects.get().state == WebhookEvent.State.FAILED


def test_events_made_elsewhere_show_the_object_they_are_about(admin_client):
    obj = {"id": "in_test_1", "object": "invoice"}
    WebhookEvent.objects.create(stripe_id="evt_x", type="invoice.paid", created=timezone.now(),
                                payload=json.loads(make_event("invoice.paid", obj)))  # fmt: skip
    assert "in_test_1" in text(admin_client.get(EVENTS))


@pytest.mark.parametrize(
    ("url_name", "data", "field_error"),
    [
        ("grant", {"ends_at": "9999-12-31", "note": ""}, "before the year 9999 ends"),
        ("promo", {"code": "BIG-1", "max_redemptions": "99999999999"}, "less than or equal"),
        ("promo", {"code": "LATE-1", "expires_at": "9999-12-31"}, "before the year 9999 ends"),
        ("coupon", {"redeem_by": "9999-12-31"}, "before the year 9999 ends"),
        ("coupon", {"max_redemptions": "2147483648"}, "less than or equal"),
    ],
)
def test_out_of_range_limits_are_refused_by_field_not_a_500(
    admin_client, stripe_http, member, pro, coupon, url_name, data, field_error
):
    url, base = {
        "grant": (access_url(member), {"tier": pro.pk}),
        "promo": (reverse("payments:new_promotion_code", args=[coupon.pk]), {}),
        "coupon": (NEW_COUPON, coupon_data()),
    }[url_name]
    response = admin_client.post(url, {**base, **data})
    assert response.status_code == 400 and field_error in text(response)
    assert stripe_http.requests == []
