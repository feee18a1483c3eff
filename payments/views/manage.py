"""The admins' payments pages: plans, coupons and promotion codes, why a member has access
(with granting and revoking by hand), and the Stripe webhook events. Thin: selectors read,
services write, access decides.

Everyone who is not an admin gets the same 404 as for a page that does not exist, as on
community's manage pages. A Stripe call that fails (PaymentsUnavailable) is an error above
the form, and nothing is saved."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from community import access
from community import services as community_services
from community.forms import apply_service_errors
from community.models import User
from community.pagination import keyset_page
from community.views.common import form_status, page_url

from .. import selectors, services
from ..forms import (
    CouponForm,
    EventFilterForm,
    GrantForm,
    MemberSearchForm,
    PlanForm,
    PromotionCodeForm,
)
from ..models import Coupon, Plan, PromotionCode, WebhookEvent
from ..money import format_money
from ..stripe_api import is_configured

EVENTS_PAGE_SIZE = 50
EVENT_ORDER = ("received_at", "id")
RERUNNABLE = (WebhookEvent.State.FAILED, WebhookEvent.State.GAVE_UP, WebhookEvent.State.PENDING)


def _check_admin(user):
    if not access.can_administer(user):
        raise Http404("No such page.")


def _run(form, call):
    """Calls the service; its refusals go on the form. Returns what it returned, or None."""
    try:
        return call()
    except services.PaymentsUnavailable as error:
        form.add_error(None, str(error))
    except ValidationError as error:
        apply_service_errors(form, error)
    return None


def _confirmed(request):
    """A POST without `confirm=yes` (the list's button) shows a page that asks first."""
    return request.POST.get("confirm") == "yes"


# --- Plans ---------------------------------------------------------------------------------


def manage_plans(request):
    _check_admin(request.user)
    plans = list(selectors.plans_for_admin())
    for plan in plans:
        plan.price_display = format_money(plan.amount, plan.currency)
    context = {"plans": plans, "configured": is_configured(), "section": "plans"}
    return render(request, "payments/manage/plans.html", context)


def _plan_form(request, *, plan=None):
    _check_admin(request.user)
    form = PlanForm(request.POST or None, plan=plan)
    configured = is_configured()
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        if plan is None:
            saved = _run(form, lambda: services.create_plan(request.user, **changes))
            done = "“{}” is created, with its Stripe price."
        elif not changes:
            messages.info(request, f"“{plan.name}”: nothing changed.")
            return redirect(reverse("payments:manage_plans") + f"#plan-{plan.pk}")
        else:
            saved = _run(form, lambda: services.update_plan(request.user, plan=plan, **changes))
            done = "“{}” is saved."
        if saved is not None:
            messages.success(request, done.format(saved.name))
            return redirect(reverse("payments:manage_plans") + f"#plan-{saved.pk}")
    context = {"form": form, "plan": plan, "configured": configured, "section": "plans"}
    return render(request, "payments/manage/plan_form.html", context, status=form_status(form))


def new_plan(request):
    return _plan_form(request)


def edit_plan(request, plan_id):
    _check_admin(request.user)
    return _plan_form(
        request, plan=get_object_or_404(Plan.objects.select_related("tier"), pk=plan_id)
    )


# --- Coupons and promotion codes -------------------------------------------------------------


def manage_coupons(request):
    _check_admin(request.user)
    context = {
        "coupons": list(selectors.coupons_for_admin()),
        "configured": is_configured(),
        "section": "coupons",
    }
    return render(request, "payments/manage/coupons.html", context)


def new_coupon(request):
    _check_admin(request.user)
    form = CouponForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        coupon = _run(form, lambda: services.create_coupon(request.user, **data))
        if coupon is not None:
            messages.success(request, f"Coupon “{coupon.name}” is created: {coupon.describe}.")
            return redirect(reverse("payments:manage_coupons") + f"#coupon-{coupon.pk}")
    context = {"form": form, "configured": is_configured(), "section": "coupons"}
    return render(request, "payments/manage/coupon_form.html", context, status=form_status(form))


def new_promotion_code(request, coupon_id):
    _check_admin(request.user)
    coupon = get_object_or_404(Coupon, pk=coupon_id)
    form = PromotionCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        promo = _run(
            form, lambda: services.create_promotion_code(request.user, coupon=coupon, **data)
        )
        if promo is not None:
            messages.success(request, f"Promotion code {promo.code} is created.")
            return redirect(reverse("payments:manage_coupons") + f"#coupon-{coupon.pk}")
    context = {"form": form, "coupon": coupon, "configured": is_configured(), "section": "coupons"}
    return render(request, "payments/manage/promo_form.html", context, status=form_status(form))


def _deactivate(request, *, thing, kind, call, back):
    """Asks first, then calls the service; Stripe's refusal is shown on the question page."""
    error = None
    if _confirmed(request):
        try:
            call()
        except services.PaymentsUnavailable as refused:
            error = str(refused)
        else:
            messages.success(request, f"The {kind} {thing} is deactivated.")
            return redirect(back)
    context = {"thing": thing, "kind": kind, "error": error, "back": back, "section": "coupons"}
    return render(request, "payments/manage/deactivate.html", context, status=400 if error else 200)


@require_POST
def deactivate_coupon(request, coupon_id):
    _check_admin(request.user)
    coupon = get_object_or_404(Coupon, pk=coupon_id)
    return _deactivate(
        request,
        thing=coupon,
        kind="coupon",
        call=lambda: services.deactivate_coupon(request.user, coupon=coupon),
        back=reverse("payments:manage_coupons") + f"#coupon-{coupon.pk}",
    )


@require_POST
def deactivate_promotion_code(request, code_id):
    _check_admin(request.user)
    promo = get_object_or_404(PromotionCode, pk=code_id)
    return _deactivate(
        request,
        thing=promo,
        kind="promotion code",
        call=lambda: services.deactivate_promotion_code(request.user, promotion_code=promo),
        back=reverse("payments:manage_coupons") + f"#coupon-{promo.coupon_id}",
    )


# --- Members: why they have access, granting by hand ----------------------------------------


def manage_members(request):
    _check_admin(request.user)
    form = MemberSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "form": form,
        "q": q,
        "members": selectors.members_for_admin(q),
        "section": "members",
    }
    return render(request, "payments/manage/members.html", context)


def _access_page(request, member, form, status=200):
    context = {
        "member": member,
        "explanations": selectors.explain_access(member),
        "form": form,
        "now": timezone.now(),
        "section": "members",
    }
    return render(request, "payments/manage/member_access.html", context, status=status)


def member_access(request, member_id):
    """GET: every grant the member holds or held and why; POST: grant a tier by hand."""
    _check_admin(request.user)
    member = get_object_or_404(User, pk=member_id)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        grant = _run(
            form,
            lambda: community_services.grant_access(request.user, member=member, **data),
        )
        if grant is not None:
            messages.success(request, f"{member.display_name} now holds {grant.tier.name}.")
            return redirect("payments:member_access", member.pk)
    return _access_page(request, member, form, status=form_status(form))


@require_POST
def revoke_grant(request, member_id, grant_id):
    _check_admin(request.user)
    member = get_object_or_404(User, pk=member_id)
    grant = get_object_or_404(selectors.revocable_grants(member_id=member.pk), pk=grant_id)
    if not _confirmed(request):
        context = {"member": member, "grant": grant, "section": "members"}
        return render(request, "payments/manage/revoke.html", context)
    community_services.revoke_access(
        request.user, grant=grant, reason=request.POST.get("reason", "").strip()[:300]
    )
    messages.success(request, f"{member.display_name} no longer holds {grant.tier.name}.")
    return redirect("payments:member_access", member.pk)


# --- Webhook events --------------------------------------------------------------------------


def manage_events(request):
    """Newest first, a page at a time (keyset), filtered by state or by a Stripe id."""
    _check_admin(request.user)
    form = EventFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {"state": "", "q": ""}
    events = selectors.webhook_events_matching(filters["state"] or None, filters["q"])
    try:
        page = keyset_page(
            events, cursor=request.GET.get("cursor"), size=EVENTS_PAGE_SIZE, fields=EVENT_ORDER
        )
    except ValidationError:
        raise Http404("This page of events does not exist.") from None
    context = {
        "form": form,
        "events": page.items,
        "is_filtered": bool(filters["state"] or filters["q"]),
        "is_later_page": bool(request.GET.get("cursor")),
        "first_url": page_url(request),
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
        "section": "events",
    }
    return render(request, "payments/manage/events.html", context)


def event_detail(request, event_id):
    _check_admin(request.user)
    event = get_object_or_404(WebhookEvent, pk=event_id)
    context = {
        "event": event,
        "payload_json": json.dumps(event.payload, indent=2, ensure_ascii=False),
        "can_rerun": event.state in RERUNNABLE,
        "section": "events",
    }
    return render(request, "payments/manage/event.html", context)


@require_POST
def rerun_event(request, event_id):
    _check_admin(request.user)
    event = get_object_or_404(WebhookEvent, pk=event_id)
    try:
        event = services.rerun_event(request.user, event=event)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        event.refresh_from_db()
        outcome = {
            WebhookEvent.State.PROCESSED: "It is processed.",
            WebhookEvent.State.PENDING: "It is queued and will be processed shortly.",
        }.get(event.state, f"It failed again: {event.last_error}")
        level = messages.SUCCESS if event.state != WebhookEvent.State.FAILED else messages.WARNING
        messages.add_message(request, level, f"Event {event.stripe_id} was run again. {outcome}")
    return redirect("payments:event_detail", event.pk)
