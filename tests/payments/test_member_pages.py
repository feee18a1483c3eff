"""The member-facing payments pages: the plans, Checkout (what is sent to Stripe and where
the buyer goes), its return pages, the billing page with its invoices, and the Customer
Portal; with Stripe configured (the fake HTTP API) and without."""

import io
import re
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from payments.models import Customer, Invoice, Plan, Purchase, Subscription
from payments.money import format_money
from tests.factories import AccessGrantFactory, PaidSpaceFactory, UserFactory
from tests.helpers import assert_constant_queries

from .stripe_fake import PRICE_ID

pytestmark = pytest.mark.django_db

PRICING = "/pricing/"
BILLING = "/billing/"
_seq = count(1)


@pytest.fixture
def listed(pro):
    pro.listed = True
    pro.save(update_fields=["listed"])
    return pro


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


@pytest.fixture
def lifetime_plan(listed):
    return Plan.objects.create(
        tier=listed,
        name="Lifetime",
        amount=15000,
        currency="usd",
        interval="one_time",
        stripe_product_id="prod_QXg1hqf4jFNsqG",
        stripe_price_id="price_lifetime_test",
    )


def signed_in(client, user):
    if user is not None and user.is_authenticated:
        client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def checkout_forms(html):
    return re.findall(r'<form method="post" action="(/pricing/\d+/checkout/)"', html)


def subscription(user, plan, **fields):
    n = next(_seq)
    values = {
        "stripe_id": f"sub_test{n}",
        "customer_stripe_id": f"cus_test{n}",
        "user": user,
        "plan": plan,
        "stripe_price_id": plan.stripe_price_id if plan else "",
        "status": Subscription.Status.ACTIVE,
        "state_at": timezone.now(),
    }
    return Subscription.objects.create(**{**values, **fields})


def invoice(user, *, created=None, **fields):
    n = next(_seq)
    values = {
        "stripe_id": f"in_test{n}",
        "customer_stripe_id": "cus_test",
        "user": user,
        "number": f"AGORA-{n:04d}",
        "status": "paid",
        "amount_due": 2000,
        "amount_paid": 2000,
        "currency": "usd",
        "hosted_invoice_url": f"https://invoice.stripe.com/i/test_{n}",
        "invoice_pdf": f"https://pay.stripe.com/invoice/test_{n}/pdf",
        "created": created or timezone.now() - timedelta(days=n),
        "state_at": timezone.now(),
    }
    return Invoice.objects.create(**{**values, **fields})


# --- Money in words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, currency, shown",
    [
        (2000, "usd", "$20.00"),
        (123456, "eur", "€1,234.56"),
        (5, "gbp", "£0.05"),
        (500, "jpy", "¥500"),
        (990, "sek", "9.90 SEK"),
        (-1500, "usd", "-$15.00"),
    ],
)
def test_amounts_are_shown_in_major_units_with_the_currency(amount, currency, shown):
    assert format_money(amount, currency) == shown


# --- The pricing page ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anonymous", "member", "admin"])
def test_pricing_lists_the_plans_with_price_trial_and_a_buy_form(
    client, request, persona, stripe_http, monthly_plan, lifetime_plan
):
    viewer = request.getfixturevalue(persona)
    PaidSpaceFactory(name="Masterclass", required_tier=monthly_plan.tier)
    html = signed_in(client, viewer).get(PRICING).content.decode()
    assert "$20.00 / month" in html and "$150.00 one-time" in html
    assert "14-day free trial" in html
    assert "Spaces:</strong> Masterclass" in html  # what the tier unlocks
    assert checkout_forms(html) == [
        f"/pricing/{monthly_plan.pk}/checkout/",
        f"/pricing/{lifetime_plan.pk}/checkout/",
    ]
    assert "csrfmiddlewaretoken" in html
    assert "Free" in html
    if persona == "anonymous":
        assert "No account needed to buy" in html and ">Join<" in html
        # One trial per member and tier, checked before Checkout: a visitor signs in first.
        assert "14-day free trial for members" in html and "Start free trial" not in html
        assert f'href="/accounts/login/?next={PRICING}"' in html
    else:
        assert "Start free trial" in html and "for members" not in html
        assert "You're a member" in html and "No account needed" not in html
    assert "not configured" not in html
    assert stripe_http.requests == []  # the page never calls Stripe


def test_a_tier_the_member_holds_shows_you_have_this_and_no_buy_form(
    client, paid_member, stripe_http, monthly_plan, listed
):
    html = signed_in(client, paid_member).get(PRICING).content.decode()
    assert "You have this" in html and "$20.00 / month" in html
    assert checkout_forms(html) == []
    assert "free trial" not in html


def test_the_trial_is_not_offered_to_a_member_who_subscribed_to_the_tier_before(
    client, member, stripe_http, monthly_plan, listed
):
    subscription(member, monthly_plan, status=Subscription.Status.CANCELED)
    html = signed_in(client, member).get(PRICING).content.decode()
    assert "free trial" not in html
    assert checkout_forms(html) == [f"/pricing/{monthly_plan.pk}/checkout/"]


@pytest.mark.parametrize("persona", ["anonymous", "member", "paid_member"])
def test_without_stripe_the_plans_are_listed_and_nothing_can_be_bought(
    client, request, persona, no_stripe, monthly_plan, listed
):
    viewer = request.getfixturevalue(persona)
    response = signed_in(client, viewer).get(PRICING)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Payments are not configured on this site yet" in html
    assert "$20.00 / month" in html
    assert checkout_forms(html) == []


def test_an_unlisted_tier_stays_off_the_pricing_page(client, stripe_http, monthly_plan):
    html = client.get(PRICING).content.decode()
    assert "$20.00" not in html and "No paid plans yet" in html


def test_the_navigation_links_to_the_plans_and_members_to_billing(client, member, stripe_http):
    assert 'href="/pricing/"' in client.get(PRICING).content.decode()
    assert 'href="/billing/"' not in client.get(PRICING).content.decode()
    html = signed_in(client, member).get(PRICING).content.decode()
    assert 'href="/billing/"' in html


def test_a_locked_space_links_to_the_plans(client, member, listed):
    PaidSpaceFactory(name="Masterclass", slug="masterclass", required_tier=listed)
    html = signed_in(client, member).get("/spaces/masterclass/").content.decode()
    assert 'href="/pricing/"' in html and "See plans" in html


# --- Checkout -----------------------------------------------------------------------------------


def test_a_member_is_sent_to_stripe_checkout_with_a_first_trial(
    client, member, stripe_http, monthly_plan
):
    response = signed_in(client, member).post(f"/pricing/{monthly_plan.pk}/checkout/")
    [customer] = stripe_http.calls("POST", "/v1/customers")
    assert customer["email"] == member.email
    [params] = stripe_http.calls("POST", "/v1/checkout/sessions")
    assert params["mode"] == "subscription"
    assert params["line_items[0][price]"] == PRICE_ID
    assert params["client_reference_id"] == str(member.pk)
    assert params["customer"] == Customer.objects.get(user=member).stripe_id
    assert params["subscription_data[trial_period_days]"] == "14"
    assert params["allow_promotion_codes"] == "true"
    assert params["success_url"] == (
        "http://testserver/pricing/thanks/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert params["cancel_url"] == "http://testserver/pricing/canceled/"
    assert response.status_code == 303
    assert re.fullmatch(r"https://checkout\.stripe\.com/c/pay/cs_test\w+", response["Location"])


def test_a_member_who_subscribed_to_the_tier_before_gets_no_second_trial(
    client, member, stripe_http, monthly_plan
):
    subscription(member, monthly_plan, status=Subscription.Status.CANCELED)
    response = signed_in(client, member).post(f"/pricing/{monthly_plan.pk}/checkout/")
    [params] = stripe_http.calls("POST", "/v1/checkout/sessions")
    assert "subscription_data[trial_period_days]" not in params
    assert params["subscription_data[metadata][plan_id]"] == str(monthly_plan.pk)
    assert response.status_code == 303


def test_a_visitor_checks_out_without_an_account_and_without_a_trial(
    client, stripe_http, monthly_plan
):
    response = client.post(f"/pricing/{monthly_plan.pk}/checkout/")
    [params] = stripe_http.calls("POST", "/v1/checkout/sessions")
    assert "client_reference_id" not in params and "customer" not in params
    # Whether this email had the tier's trial before is known only after Checkout.
    assert "subscription_data[trial_period_days]" not in params
    assert stripe_http.calls("POST", "/v1/customers") == []
    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/")


def test_a_one_time_plan_is_a_payment_checkout(client, member, stripe_http, lifetime_plan):
    response = signed_in(client, member).post(f"/pricing/{lifetime_plan.pk}/checkout/")
    [params] = stripe_http.calls("POST", "/v1/checkout/sessions")
    assert params["mode"] == "payment"
    assert params["line_items[0][price]"] == "price_lifetime_test"
    assert params["invoice_creation[enabled]"] == "true"
    assert not any(key.startswith("subscription_data") for key in params)
    assert response.status_code == 303


def test_a_member_who_holds_the_tier_is_refused_without_calling_stripe(
    client, paid_member, stripe_http, monthly_plan
):
    response = signed_in(client, paid_member).post(f"/pricing/{monthly_plan.pk}/checkout/")
    assert response.status_code == 302 and response["Location"] == PRICING
    assert messages_of(response) == ["Pro (Monthly) could not be bought: You already have Pro."]
    assert stripe_http.requests == []


@pytest.mark.parametrize(
    "status, error, shown",
    [
        (402, {"type": "card_error", "message": "Your card was declined."}, "card was declined"),
        (400, {"type": "invalid_request_error", "message": "No such price"}, "No such price"),
    ],
)
def test_a_stripe_refusal_comes_back_as_a_message(
    client, stripe_http, monthly_plan, status, error, shown
):
    stripe_http.fail_with = (status, error)
    response = client.post(f"/pricing/{monthly_plan.pk}/checkout/")
    assert response.status_code == 302 and response["Location"] == PRICING
    [message] = messages_of(response)
    assert message.startswith("Pro (Monthly) could not be bought: Stripe refused")
    assert shown in message
    assert "could not be bought: Stripe refused" in client.get(PRICING).content.decode()


def test_stripe_down_comes_back_as_a_message_not_a_500(
    client, member, stripe_http, monthly_plan, monkeypatch
):
    """Stripe answers 500 to every try (the client retries twice): a message, no 500."""
    answer = stripe_http.request

    def failing(*args, **kwargs):
        stripe_http.fail_with = (500, {"type": "api_error", "message": "Stripe is down."})
        return answer(*args, **kwargs)

    monkeypatch.setattr(stripe_http, "request", failing)
    monkeypatch.setattr("stripe._http_client.HTTPClient._sleep_time_seconds", lambda *a: 0)
    response = signed_in(client, member).post(f"/pricing/{monthly_plan.pk}/checkout/")
    assert response.status_code == 302 and response["Location"] == PRICING
    assert "Stripe is down." in messages_of(response)[0]
    follow = client.get(PRICING)
    assert follow.status_code == 200


def test_checkout_without_stripe_configured_says_so(client, member, no_stripe, monthly_plan):
    response = signed_in(client, member).post(f"/pricing/{monthly_plan.pk}/checkout/")
    assert response.status_code == 302
    assert messages_of(response) == [
        "Pro (Monthly) could not be bought: Payments are not configured on this site."
    ]


def test_an_unknown_inactive_or_unpriced_plan_is_a_404(client, stripe_http, monthly_plan):
    unpriced = Plan.objects.create(tier=monthly_plan.tier, name="Yearly", amount=15000,
                                   interval="year")  # fmt: skip
    inactive = Plan.objects.create(tier=monthly_plan.tier, name="Old", amount=900,
                                   stripe_price_id="price_old", active=False)  # fmt: skip
    for plan_id in (999_999, unpriced.pk, inactive.pk):
        assert client.post(f"/pricing/{plan_id}/checkout/").status_code == 404
    assert client.get(f"/pricing/{monthly_plan.pk}/checkout/").status_code == 405
    assert stripe_http.requests == []


# --- The return pages ---------------------------------------------------------------------------


def test_the_thank_you_page_lists_the_member_access(client, member, pro):
    ends = datetime(2031, 3, 4, 12, tzinfo=UTC)
    AccessGrantFactory(user=member, tier=pro, source="trial", ends_at=ends)
    html = signed_in(client, member).get("/pricing/thanks/?session_id=cs_test_1").content.decode()
    assert "Your access opens as soon as Stripe confirms the payment" in html
    assert "Pro" in html and "Trial" in html and 'datetime="2031-03-04T12:00:00+00:00"' in html
    assert "set your password" not in html


def test_the_thank_you_page_tells_a_visitor_to_check_their_email(client):
    html = client.get("/pricing/thanks/?session_id=cs_test_1").content.decode()
    assert "Check your email to set your password" in html


def test_the_cancel_page_says_nothing_was_charged(client):
    html = client.get("/pricing/canceled/").content.decode()
    assert "Nothing was charged" in html and 'href="/pricing/"' in html


# --- The billing page ---------------------------------------------------------------------------


def test_billing_needs_a_signed_in_member(client):
    response = client.get(BILLING)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/billing/portal/").status_code == 302


def test_billing_without_anything_bought(client, member, stripe_http):
    response = signed_in(client, member).get(BILLING)
    html = response.content.decode()
    assert response.status_code == 200
    assert "No subscriptions" in html and "No invoices yet" in html
    assert 'action="/billing/portal/"' in html
    assert "not configured" not in html


def test_billing_shows_subscriptions_in_words(client, member, stripe_http, monthly_plan, settings):
    settings.PAYMENTS_PAST_DUE_GRACE_DAYS = 7
    start = datetime(2030, 5, 1, tzinfo=UTC)
    trial_end = datetime(2030, 5, 15, tzinfo=UTC)
    subscription(member, monthly_plan, status="trialing", trial_end=trial_end)
    subscription(member, monthly_plan, current_period_end=datetime(2030, 6, 1, tzinfo=UTC))
    subscription(member, monthly_plan, current_period_end=datetime(2030, 7, 1, tzinfo=UTC),
                 cancel_at_period_end=True)  # fmt: skip
    subscription(member, monthly_plan, status="past_due", current_period_start=start)
    subscription(member, monthly_plan, status="canceled", ended_at=datetime(2030, 1, 2, tzinfo=UTC))
    html = signed_in(client, member).get(BILLING).content.decode()
    assert "Pro · Monthly" in html and "$20.00 / month" in html
    assert "Trialing until May 15, 2030" in html
    assert "Renews on June 1, 2030" in html
    assert "ends on July 1, 2030" in html
    assert "Your last payment failed; access continues until May 8, 2030" in html
    assert "Canceled on Jan. 2, 2030" in html


def test_billing_shows_dates_in_the_member_time_zone(client, stripe_http, monthly_plan):
    member = UserFactory(time_zone="Pacific/Auckland")
    subscription(member, monthly_plan, current_period_end=datetime(2030, 6, 1, 20, tzinfo=UTC))
    html = signed_in(client, member).get(BILLING).content.decode()
    assert "Renews on June 2, 2030" in html


def test_billing_lists_purchases_access_and_invoices(client, member, stripe_http, lifetime_plan):
    grant = AccessGrantFactory(user=member, tier=lifetime_plan.tier, source="payment")
    Purchase.objects.create(checkout_session_id="cs_test_bought", user=member, plan=lifetime_plan,
                            amount_total=15000, currency="usd", grant=grant)  # fmt: skip
    paid = invoice(member, number="AGORA-0042", amount_paid=15000, amount_due=15000)
    invoice(member, number="AGORA-0043", status="open", amount_due=2000, amount_paid=0,
            invoice_pdf="")  # fmt: skip
    invoice(UserFactory(), number="SOMEONE-ELSE")
    html = signed_in(client, member).get(BILLING).content.decode()
    assert "One-time purchases" in html and "Pro · Lifetime" in html and "$150.00" in html
    assert "Your access" in html and "Payment" in html and "no end date" in html
    assert "AGORA-0042" in html and "AGORA-0043" in html and "SOMEONE-ELSE" not in html
    assert "Paid" in html and "Due" in html
    assert f'<a href="{paid.hosted_invoice_url}" target="_blank" rel="noopener">View' in html
    assert f'<a href="{paid.invoice_pdf}" target="_blank" rel="noopener">PDF' in html
    assert html.count(">PDF<") == 1  # the open invoice has no PDF yet


def test_billing_without_stripe_still_shows_history_and_says_so(
    client, member, no_stripe, monthly_plan
):
    subscription(member, monthly_plan)
    invoice(member, number="AGORA-0001")
    response = signed_in(client, member).get(BILLING)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Payments are not configured on this site yet" in html
    assert "AGORA-0001" in html and "Pro · Monthly" in html
    assert 'action="/billing/portal/"' not in html


def test_invoices_are_paged_newest_first_with_a_signed_cursor(client, member, stripe_http):
    def numbers_on(html):
        return re.findall(r'<th scope="row" class="invoice-table__number">(INV-\d\d)<', html)

    base = timezone.now()
    for i in range(25):
        invoice(member, number=f"INV-{i:02d}", created=base - timedelta(hours=i))
    signed_in(client, member)
    first = client.get(BILLING).content.decode()
    assert numbers_on(first) == [f"INV-{i:02d}" for i in range(20)]
    [older] = re.findall(r'href="(/billing/\?cursor=[^"#]+)#invoices"', first)
    second = client.get(older.replace("&amp;", "&")).content.decode()
    assert numbers_on(second) == [f"INV-{i:02d}" for i in range(20, 25)]
    assert "Older invoices" not in second and "Newest invoices" in second
    forged = client.get(BILLING, {"cursor": "WyIyMDMwIiwgMV0.forged"})
    assert forged.status_code == 400
    assert "This link to older invoices is not valid." in forged.content.decode()


def test_the_billing_page_costs_the_same_for_more_invoices(
    client, member, stripe_http, monthly_plan
):
    signed_in(client, member)
    subscription(member, monthly_plan)
    AccessGrantFactory(user=member, tier=monthly_plan.tier, source="payment")

    def add_invoices(n):
        for _ in range(n):
            invoice(member)

    add_invoices(5)
    # Session and member (2), subscriptions with plan and tier (1), purchases (1), active
    # grants with tier (1), the page of invoices (1), the header's score (1); the sidebar is
    # not on this page.
    assert_constant_queries(lambda: client.get(BILLING), grow=lambda: add_invoices(25), bound=7)


def test_the_pricing_page_costs_a_fixed_number_of_queries(client, member, stripe_http, listed):
    signed_in(client, member)

    def add_tier_plan():
        Plan.objects.create(tier=listed, name=f"Plan {next(_seq)}", amount=1000, trial_days=7,
                            stripe_price_id=f"price_extra_{next(_seq)}")  # fmt: skip
        PaidSpaceFactory(required_tier=listed)

    add_tier_plan()
    # Session and member (2), plans with their tiers (1), what each tier opens (1 per gated
    # model: spaces, courses, events, the test suite's workshops), the member's tiers (1), the
    # tiers they ever subscribed to (1: trials), the header's score (1).
    assert_constant_queries(lambda: client.get(PRICING), grow=add_tier_plan, bound=10)


# --- The Customer Portal -----------------------------------------------------------------------


def test_the_portal_opens_for_the_member_stripe_customer(client, member, stripe_http):
    Customer.objects.create(user=member, stripe_id="cus_QXg1o8vcGmoR32")
    response = signed_in(client, member).post("/billing/portal/")
    [params] = stripe_http.calls("POST", "/v1/billing_portal/sessions")
    assert params == {"customer": "cus_QXg1o8vcGmoR32", "return_url": "http://testserver/billing/"}
    assert response.status_code == 303
    assert response["Location"].startswith("https://billing.stripe.com/p/session/")


def test_the_portal_without_a_stripe_customer_explains(client, member, stripe_http):
    response = signed_in(client, member).post("/billing/portal/")
    assert response.status_code == 302 and response["Location"] == BILLING
    assert messages_of(response) == ["You have no billing account yet: buy a plan first."]
    assert stripe_http.requests == []
    assert "You have no billing account yet" in client.get(BILLING).content.decode()


def test_a_stripe_refusal_of_the_portal_comes_back_as_a_message(client, member, stripe_http):
    Customer.objects.create(user=member, stripe_id="cus_QXg1o8vcGmoR32")
    stripe_http.fail_with = (400, {"type": "invalid_request_error",
                                   "message": "No configuration provided."})  # fmt: skip
    response = signed_in(client, member).post("/billing/portal/")
    assert response.status_code == 302 and response["Location"] == BILLING
    assert "No configuration provided." in messages_of(response)[0]


def test_the_demo_shows_plans_and_gating_without_stripe_keys(client, settings):
    """seed_demo: the Pro tier sold three ways, and Lena's manual grant opening its space."""
    from django.core.management import call_command

    from community.models import AccessGrant

    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # twice: nothing doubles
    assert sorted(Plan.objects.values_list("name", "interval")) == [
        ("Lifetime", "one_time"), ("Monthly", "month"), ("Yearly", "year")
    ]  # fmt: skip
    assert AccessGrant.objects.active().filter(user__handle="lena-okafor", source="manual")
    page = client.get(PRICING).content.decode()
    assert "Payments are not configured on this site yet" in page
    assert "$20.00 / month" in page and "$490.00 one-time" in page
