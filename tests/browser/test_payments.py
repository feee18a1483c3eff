"""A member finds the plans, pays (Stripe's side played by a signed webhook, since Checkout
itself cannot be reached offline), reloads and is in the paid space; the admin's "why has
access" page names the Stripe subscription."""

import http.client
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community import services
from community.models import Tier
from payments import stripe_api
from payments.models import Plan
from tests.factories import AdminFactory, UserFactory
from tests.payments.stripe_fake import (
    PRICE_ID,
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripeHTTP,
    make_event,
    signature,
    stripe_object,
)

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

SUB = "sub_BrowserTest0001"
CUSTOMER = "cus_BrowserTest0001"


def post_signed(base, body):
    """Stripe's delivery: a real HTTP POST of the raw body with its signature."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature(body)}
    connection.request("POST", "/stripe/webhook/", body=body, headers=headers)
    response = connection.getresponse()
    try:
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_member_buys_a_plan_and_the_paid_space_opens(
    live_server, page, browser, console, screenshot, settings, monkeypatch
):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = SECRET_KEY, WEBHOOK_SECRET
    stripe_http = FakeStripeHTTP()
    monkeypatch.setattr(stripe_api, "http_client", stripe_http)
    admin = AdminFactory(display_name="Ada Admin")
    pro = Tier.objects.create(name="Pro", slug="pro", listed=True,
                              description="Office hours and deep dives.")  # fmt: skip
    Plan.objects.create(
        tier=pro, name="Monthly", amount=2000, interval="month", trial_days=14,
        stripe_price_id=PRICE_ID, stripe_product_id="prod_QXg1hqf4jFNsqG",
    )  # fmt: skip
    services.create_space(admin, name="General", visibility="members")
    lounge = services.create_space(admin, name="Pro lounge", icon="⭐", visibility="paid",
                                   required_tier=pro)  # fmt: skip
    services.create_post(admin, space=lounge, body="The secret plan")
    member = UserFactory(display_name="Mia Member")
    console.attach(page)

    sign_in(page, live_server.url, member)
    page.goto(f"{live_server.url}/spaces/{lounge.slug}/")
    expect(page.locator("main")).not_to_contain_text("The secret plan")
    page.get_by_role("link", name="See plans").click()
    expect(page).to_have_url(re.compile(r"/pricing/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Pro")
    expect(main).to_contain_text("$20.00")
    expect(main).to_contain_text("Pro lounge")  # what the tier unlocks
    screenshot(page, "payments-pricing-01")
    page.set_viewport_size(PHONE)
    screenshot(page, "payments-pricing-01-phone")
    page.set_viewport_size(DESKTOP)

    # Checkout completes on Stripe; Stripe tells the site.
    now = timezone.now()
    active = stripe_object("subscription.active")
    active.update(id=SUB, customer=CUSTOMER, start_date=int(now.timestamp()))
    item = active["items"]["data"][0]
    item.update(current_period_start=int(now.timestamp()),
                current_period_end=int((now + timedelta(days=30)).timestamp()))  # fmt: skip
    stripe_http.subscriptions[SUB] = active
    session = stripe_object("checkout.session.completed.subscription_mode")
    session.update(client_reference_id=str(member.pk), customer=CUSTOMER, subscription=SUB)
    status, answer = post_signed(live_server.url, make_event("checkout.session.completed", session))
    assert status == 200 and answer["duplicate"] is False

    page.goto(f"{live_server.url}/spaces/{lounge.slug}/")
    expect(page.locator("main")).to_contain_text("The secret plan")
    screenshot(page, "payments-space-unlocked-02")
    page.goto(f"{live_server.url}/billing/")
    expect(page.locator("main")).to_contain_text("Monthly")
    screenshot(page, "payments-billing-03")
    console.assert_clean()

    admin_page = browser.new_page(viewport=DESKTOP)
    console.attach(admin_page)
    sign_in(admin_page, live_server.url, admin)
    admin_page.goto(f"{live_server.url}/payments/manage/members/{member.pk}/access/")
    expect(admin_page.locator("main")).to_contain_text(SUB)
    expect(admin_page.locator("main")).to_contain_text("Pro lounge")
    screenshot(admin_page, "payments-why-access-04")
    admin_page.set_viewport_size(PHONE)
    screenshot(admin_page, "payments-why-access-04-phone")
    console.assert_clean()
    admin_page.close()
