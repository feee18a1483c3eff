"""The member-facing payments pages: the plans and their prices, Stripe Checkout and the
pages it returns to, and a member's billing (subscriptions, purchases, access, invoices and
the Customer Portal). Thin: selectors read, services write (and only services call Stripe).

What the templates print is worked out here once (prices, dates in the member's time zone,
a subscription's state in words), so the templates only loop and print
(docs/rendering.md, rule 3)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST

from community.views.common import page_url
from payments import selectors, services, stripe_api, sync
from payments.models import Plan, Subscription
from payments.money import format_money

NOT_CONFIGURED = "Payments are not configured on this site yet."
Status = Subscription.Status

# --- Words and numbers ------------------------------------------------------------------------

INTERVAL_WORDS = {Plan.Interval.MONTH: "month", Plan.Interval.YEAR: "year"}
INVOICE_STATUS = {"paid": "Paid", "open": "Due", "draft": "Draft", "void": "Void",
                  "uncollectible": "Uncollectible"}  # fmt: skip


def price_label(plan):
    """ "$20.00 / month", "$150.00 one-time"."""
    money = format_money(plan.amount, plan.currency)
    if plan.is_recurring:
        return f"{money} / {INTERVAL_WORDS.get(plan.interval, plan.interval)}"
    return f"{money} one-time"


@dataclass
class When:
    """A moment as the page shows it: in the member's time zone, and as ISO 8601 for
    <time datetime>."""

    iso: str
    text: str


def _when(moment):
    if moment is None:
        return None
    return When(moment.isoformat(), formats.date_format(timezone.localtime(moment), "DATE_FORMAT"))


def _date(moment):
    return _when(moment).text if moment else "a date Stripe has not sent yet"


def _problem(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _see_other(url):
    """Off to Stripe after a POST: 303 says "GET this next"."""
    return HttpResponseRedirect(url, status=303)


# --- The pricing page ---------------------------------------------------------------------------


@dataclass
class Offer:
    plan: Plan
    price: str
    trial: str
    trial_on_sign_in: str  # a visitor is told that signing in starts with a trial
    for_sale: bool
    checkout_url: str


@dataclass
class TierColumn:
    tier: object
    offers: list
    unlocks: list  # [(label, "name, name")]
    held: bool


def _offer(viewer, plan, *, held, configured, subscribed_tiers):
    # A trial is offered once per member and tier (services.trial_allowed decides).
    trial_ok = not held and services.trial_allowed(viewer, plan, subscribed_tiers=subscribed_tiers)
    return Offer(
        plan=plan,
        price=price_label(plan),
        trial=f"{plan.trial_days}-day free trial" if trial_ok else "",
        trial_on_sign_in=(
            f"{plan.trial_days}-day free trial for members"
            if plan.trial_days and plan.is_recurring and not viewer.is_authenticated
            else ""
        ),
        for_sale=configured and bool(plan.stripe_price_id) and not held,
        checkout_url=reverse("payments:checkout", args=[plan.pk]),
    )


def pricing(request):
    """The plans by tier, what each unlocks, and a buy button per plan when Stripe is set
    up. Visitors may buy too: Stripe asks their email and the account is made for it."""
    viewer = request.user
    configured = stripe_api.is_configured()
    used = selectors.subscribed_tier_ids(viewer)
    columns = [
        TierColumn(
            tier=entry.tier,
            offers=[
                _offer(viewer, p, held=entry.held, configured=configured, subscribed_tiers=used)
                for p in entry.plans
            ],
            unlocks=[(label, ", ".join(names)) for label, names in entry.unlocks],
            held=entry.held,
        )
        for entry in selectors.pricing(viewer)
    ]
    context = {"columns": columns, "configured": configured, "not_configured": NOT_CONFIGURED}
    return render(request, "payments/pricing.html", context)


@require_POST
def checkout(request, plan_id):
    """Starts a Stripe Checkout for the plan and sends the buyer there; a refusal (the tier
    already held, Stripe down or not set up) comes back to the plans as a message."""
    plan = selectors.plan_for_sale(plan_id)
    if plan is None:
        raise Http404("No such plan is for sale.")
    buyer = request.user if request.user.is_authenticated else None
    # Stripe fills in {CHECKOUT_SESSION_ID}: added after build_absolute_uri, which would
    # percent-encode the braces and so hide the placeholder from Stripe.
    success = request.build_absolute_uri(reverse("payments:checkout_success"))
    try:
        url = services.start_checkout(
            buyer,
            plan=plan,
            success_url=success + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("payments:checkout_cancel")),
        )
    except (ValidationError, services.PaymentsUnavailable) as error:
        messages.error(request, f"{plan.tier.name} ({plan.name}) could not be bought: "
                                f"{_problem(error)}")  # fmt: skip
        return redirect("payments:pricing")
    return _see_other(url)


@dataclass
class GrantRow:
    tier: str
    source: str
    ends: When | None


def _grant_rows(grants):
    return [
        GrantRow(tier=g.tier.name, source=g.get_source_display(), ends=_when(g.ends_at))
        for g in sorted(grants, key=lambda g: g.tier.name)
    ]


def checkout_success(request):
    """Where Stripe sends the buyer back. Access opens with the webhook, usually seconds
    later, so a member sees their access as it is now (a reload shows the new tier)."""
    grants = []
    if request.user.is_authenticated:
        grants = _grant_rows(selectors.active_grants_of(request.user))
    return render(request, "payments/checkout_success.html", {"grants": grants})


def checkout_cancel(request):
    return render(request, "payments/checkout_cancel.html")


# --- The billing page ---------------------------------------------------------------------------


@dataclass
class SubscriptionRow:
    name: str
    price: str
    status: str
    tone: str  # ok, warn or ended: the badge's colour
    label: str  # the status in one word, for the badge


def _plan_name(plan, fallback):
    return f"{plan.tier.name} · {plan.name}" if plan is not None else fallback


def subscription_status(sub):
    """(badge label, tone, sentence): the subscription's state as the member reads it."""
    if sub.status == Status.TRIALING:
        if sub.cancel_at_period_end:
            end = sub.current_period_end or sub.trial_end
            return "Trial", "warn", f"Free trial, ends on {_date(end)}: nothing will be charged."
        until = _date(sub.trial_end)
        return "Trial", "ok", f"Trialing until {until}; the first payment is taken then."
    if sub.status == Status.ACTIVE:
        if sub.cancel_at_period_end:
            return "Ending", "warn", f"Will not renew: ends on {_date(sub.current_period_end)}."
        return "Active", "ok", f"Renews on {_date(sub.current_period_end)}."
    if sub.status == Status.PAST_DUE:
        until = _date(sync.past_due_end(sub))
        return (
            "Past due",
            "warn",
            (
                f"Your last payment failed; access continues until {until}. "
                "Update your card in Manage subscription to keep it."
            ),
        )
    if sub.status == Status.CANCELED:
        ended = sub.ended_at or sub.canceled_at
        return "Canceled", "ended", f"Canceled{f' on {_date(ended)}' if ended else ''}."
    words = {
        Status.UNPAID: "Unpaid: the payments failed and access has stopped. "
        "Update your card in Manage subscription to resume.",
        Status.INCOMPLETE: "Waiting for the first payment to go through.",
        Status.INCOMPLETE_EXPIRED: "Expired: the first payment never went through; "
        "nothing was charged.",
        Status.PAUSED: "Paused: access is stopped until the subscription resumes.",
    }
    tone = "ended" if sub.status == Status.INCOMPLETE_EXPIRED else "warn"
    return sub.get_status_display(), tone, words.get(sub.status, sub.get_status_display())


def _subscription_row(sub):
    label, tone, sentence = subscription_status(sub)
    return SubscriptionRow(
        name=_plan_name(sub.plan, "A plan no longer sold"),
        price=price_label(sub.plan) if sub.plan is not None else "",
        status=sentence,
        tone=tone,
        label=label,
    )


@dataclass
class PurchaseRow:
    name: str
    amount: str
    bought: When


@dataclass
class InvoiceRow:
    number: str
    date: When
    amount: str
    status: str
    view_url: str
    pdf_url: str


def _invoice_row(invoice):
    amount = invoice.amount_paid if invoice.status == "paid" else invoice.amount_due
    return InvoiceRow(
        number=invoice.number or invoice.stripe_id,
        date=_when(invoice.created),
        amount=format_money(amount, invoice.currency),
        status=INVOICE_STATUS.get(invoice.status, invoice.status.capitalize()),
        view_url=invoice.hosted_invoice_url,
        pdf_url=invoice.invoice_pdf,
    )


@login_required
def billing(request):
    """The member's subscriptions, one-time purchases, access and invoices (20 a page,
    newest first), and the button to Stripe's Customer Portal."""
    member = request.user
    cursor = request.GET.get("cursor")
    context = {
        "configured": stripe_api.is_configured(),
        "not_configured": NOT_CONFIGURED,
        "subscriptions": [_subscription_row(s) for s in selectors.subscriptions_of(member)],
        "purchases": [
            PurchaseRow(
                name=_plan_name(p.plan, "A plan no longer sold"),
                amount=format_money(p.amount_total, p.currency),
                bought=_when(p.created_at),
            )
            for p in selectors.purchases_of(member)
        ],
        "grants": _grant_rows(selectors.active_grants_of(member)),
        "invoices": [],
        "next_url": None,
        "newest_url": reverse("payments:billing") + "#invoices" if cursor else None,
        "page_error": None,
    }
    try:
        page = selectors.invoice_page(member, cursor=cursor)
    except ValidationError:
        context["page_error"] = "This link to older invoices is not valid."
        return render(request, "payments/billing.html", context, status=400)
    context["invoices"] = [_invoice_row(invoice) for invoice in page.items]
    if page.next_cursor:
        context["next_url"] = page_url(request, cursor=page.next_cursor) + "#invoices"
    return render(request, "payments/billing.html", context)


@login_required
@require_POST
def portal(request):
    """Sends the member to Stripe's Customer Portal (card, plan, cancel, invoices)."""
    try:
        url = services.open_portal(
            request.user, return_url=request.build_absolute_uri(reverse("payments:billing"))
        )
    except (ValidationError, services.PaymentsUnavailable) as error:
        messages.error(request, _problem(error))
        return redirect("payments:billing")
    return _see_other(url)
