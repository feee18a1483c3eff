"""Payments' analytics series (community.analytics): monthly recurring revenue now, and the
invoices paid per month. Amounts are in the minor unit of the currency each column names."""

from django.db.models import CharField, F, IntegerField, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Lower

from community.analytics import CATEGORY, MONEY, MONTHLY, Series, per_period

from .models import Invoice, Subscription
from .money import format_money

# A subscription's price as Stripe bills it (its first item, in the object last applied).
ITEM = "data__items__data__0__"
PRICE = f"{ITEM}price__"
# Months per billing interval, to bring each price to a month.
MONTHS = {"day": 12 / 365, "week": 12 / 52, "month": 1, "year": 12}
BILLED = (Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE)


def _integer(path, fallback):
    return Coalesce(Cast(KT(path), IntegerField()), fallback, output_field=IntegerField())


def _text(path, fallback):
    return Coalesce(KT(path), F(fallback), output_field=CharField())


def mrr_now(period):
    """The active and past-due subscriptions' prices brought to a month, per currency, now
    (whatever the period): Stripe's price of the subscription (its amount, quantity and
    interval), else its plan's; trials and coupons are not counted. One GROUP BY currency
    and interval on sub_status_idx; the few groups are brought to a month here."""
    groups = (
        Subscription.objects.filter(status__in=BILLED)
        .annotate(
            price=_integer(f"{PRICE}unit_amount", F("plan__amount")),
            quantity=_integer(f"{ITEM}quantity", Value(1)),
            money=Lower(_text(f"{PRICE}currency", "plan__currency")),
            every=_text(f"{PRICE}recurring__interval", "plan__interval"),
            every_n=_integer(f"{PRICE}recurring__interval_count", Value(1)),
        )
        .filter(price__isnull=False, every__in=list(MONTHS))
        .order_by()
        .values("money", "every", "every_n")
        .annotate(total=Sum(F("price") * F("quantity")))
    )
    mrr = {}
    for group in groups:
        monthly = group["total"] / (MONTHS[group["every"]] * max(group["every_n"], 1))
        mrr[group["money"]] = mrr.get(group["money"], 0) + monthly
    return {currency: {"now": round(amount)} for currency, amount in sorted(mrr.items())}


def invoices_paid_per_month(period):
    """Paid invoices' amounts per month of their creation and currency: one GROUP BY on
    invoice_status_created_idx."""
    invoices = Invoice.objects.filter(status="paid")
    by_currency = per_period(
        invoices, "created", period, kind=MONTHLY, aggregate=Sum("amount_paid"), by="currency"
    )
    return {currency.lower(): months for currency, months in sorted(by_currency.items())}


def _format(currency, amount):
    return format_money(round(amount), currency)


SERIES = [
    Series(
        key="mrr",
        label="Monthly recurring revenue",
        description="Now, whatever the period: the prices of the active and past-due "
        "subscriptions, yearly ones divided by 12, before coupons; trials are not counted.",
        kind=CATEGORY,
        compute=mrr_now,
        unit=MONEY,
        format_value=_format,
    ),
    Series(
        key="invoices_paid",
        label="Invoices paid per month",
        description="What paid invoices brought in, by the month Stripe issued them.",
        kind=MONTHLY,
        compute=invoices_paid_per_month,
        unit=MONEY,
        format_value=_format,
    ),
]
