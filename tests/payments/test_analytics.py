"""Payments' analytics series: monthly recurring revenue now and the invoices paid per
month, per currency, in minor units (community.analytics)."""

import itertools
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from community import analytics
from community.analytics import Period
from payments.models import Invoice, Plan, Subscription

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
PERIOD = Period(date(2026, 2, 15), date(2026, 4, 30))


def figures(key):
    return analytics.figures(analytics.series_by_key(key), PERIOD)


def subscription(plan, status=Subscription.Status.ACTIVE, data=None):
    n = next(_seq)
    return Subscription.objects.create(
        stripe_id=f"sub_an{n}", customer_stripe_id=f"cus_an{n}", plan=plan, status=status,
        state_at=timezone.now(), data=data or {},
    )  # fmt: skip


def invoice(created, amount, currency="usd", status="paid"):
    n = next(_seq)
    return Invoice.objects.create(
        stripe_id=f"in_an{n}", customer_stripe_id="cus_an", status=status, amount_due=amount,
        amount_paid=amount if status == "paid" else 0, currency=currency, created=created,
        state_at=created,
    )  # fmt: skip


def test_mrr_brings_each_billed_subscription_to_a_month(pro):
    monthly = Plan.objects.create(tier=pro, name="Monthly", amount=2000, interval="month")
    yearly = Plan.objects.create(tier=pro, name="Yearly", amount=12000, interval="year")
    subscription(monthly)
    subscription(yearly, status=Subscription.Status.PAST_DUE)
    subscription(monthly, status=Subscription.Status.TRIALING)
    subscription(monthly, status=Subscription.Status.CANCELED)
    # A subscriber kept the price they bought before the plan's amount changed: Stripe's
    # price counts, two seats of it.
    price = {"unit_amount": 1500, "currency": "usd", "recurring": {"interval": "month",
             "interval_count": 1}}  # fmt: skip
    subscription(monthly, data={"items": {"data": [{"price": price, "quantity": 2}]}})
    result = figures("mrr")
    assert result.columns == ["usd"] and result.rows == [("now", [2000 + 1000 + 3000])]
    assert result.series.format_value("usd", 6000) == "$60.00"


def test_invoices_paid_are_summed_per_month_and_currency():
    invoice(datetime(2026, 3, 2, tzinfo=UTC), 2000)
    invoice(datetime(2026, 3, 30, tzinfo=UTC), 2000)
    invoice(datetime(2026, 4, 1, tzinfo=UTC), 990, currency="eur")
    invoice(datetime(2026, 3, 5, tzinfo=UTC), 5000, status="open")
    invoice(datetime(2026, 1, 5, tzinfo=UTC), 7000)  # before the period
    result = figures("invoices_paid")
    assert result.columns == ["eur", "usd"]
    assert result.rows == [(date(2026, 2, 1), [0, 0]), (date(2026, 3, 1), [0, 4000]),
                           (date(2026, 4, 1), [990, 0])]  # fmt: skip


def test_the_page_and_the_csv_show_money_as_people_read_it_and_as_minor_units(admin):
    invoice(datetime(2026, 3, 2, tzinfo=UTC), 2000)
    client = Client()
    client.force_login(admin)
    query = {"from": "2026-02-15", "to": "2026-04-30"}
    html = client.get("/manage/analytics/", query).content.decode()
    section = html.split('id="invoices_paid"', 1)[1].split("</section>")[0]
    assert '<th scope="row">2026-03</th><td>$20.00</td>' in section
    response = client.get("/manage/analytics/invoices_paid.csv", query)
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines() == ["month,usd (minor units)", "2026-02,0", "2026-03,2000",
                                 "2026-04,0"]  # fmt: skip


def test_each_currency_gets_its_own_chart(admin):
    invoice(datetime(2026, 3, 2, tzinfo=UTC), 2000)
    invoice(datetime(2026, 3, 3, tzinfo=UTC), 99000, currency="jpy")
    client = Client()
    client.force_login(admin)
    html = client.get("/manage/analytics/", {"from": "2026-02-15", "to": "2026-04-30"})
    section = html.content.decode().split('id="invoices_paid"', 1)[1].split("</section>")[0]
    assert section.count('<svg class="chart"') == 2
    jpy, usd = section.split("</svg>")[:2]
    # Each on its own scale: the top grid line is the currency's own.
    assert ">Invoices paid per month (jpy)</title>" in jpy and ">¥100,000</text>" in jpy
    assert ">Invoices paid per month (usd)</title>" in usd and ">$20.00</text>" in usd
