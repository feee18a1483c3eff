"""The pricing (public), the member's own subscriptions, grants and invoices, and the
Checkout and Customer Portal sessions: the same selectors and services as the billing pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response

from community import access
from community.api.toolkit import (
    PageQuerySerializer,
    cursor_page_serializer,
    page_query,
    page_response,
)
from community.pagination import keyset_page

from .. import selectors, services
from ..stripe_api import is_configured
from .base import UNAVAILABLE, PaymentsView
from .serializers import (
    CheckoutSerializer,
    InvoiceSerializer,
    MyGrantSerializer,
    MySubscriptionSerializer,
    PlanOnSaleSerializer,
    PortalSerializer,
    RedirectSerializer,
)


class PlanListView(PaymentsView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="payments_plans_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(PlanOnSaleSerializer),
        summary="The plans on sale, with what each tier unlocks (no sign-in needed)",
    )
    def get(self, request):
        page = keyset_page(
            selectors.plans_on_sale(),
            fields=("position", "amount", "id"),
            ascending=True,
            **page_query(request),
        )
        context = {
            "configured": is_configured(),
            "held": access.held_tier_ids(request.user),
            "unlocks": selectors.unlocks_by_tier({plan.tier_id for plan in page.items}),
        }
        return page_response(request, page, PlanOnSaleSerializer, context=context)


class MySubscriptionListView(PaymentsView):
    @extend_schema(
        operation_id="payments_my_subscriptions_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(MySubscriptionSerializer),
        summary="Your subscriptions, the most recently changed first",
    )
    def get(self, request):
        page = keyset_page(
            selectors.member_subscriptions(request.user),
            fields=("state_at", "id"),
            **page_query(request),
        )
        return page_response(request, page, MySubscriptionSerializer)


class MyGrantListView(PaymentsView):
    @extend_schema(
        operation_id="payments_my_grants_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(MyGrantSerializer),
        summary="The tiers you hold now, newest grant first, with where each came from",
    )
    def get(self, request):
        page = keyset_page(
            selectors.member_active_grants(request.user),
            fields=("starts_at", "id"),
            **page_query(request),
        )
        return page_response(request, page, MyGrantSerializer)


class MyInvoiceListView(PaymentsView):
    @extend_schema(
        operation_id="payments_my_invoices_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(InvoiceSerializer),
        summary="Your invoices (billing history), newest first",
    )
    def get(self, request):
        page = selectors.invoice_page(request.user, **page_query(request))
        return page_response(request, page, InvoiceSerializer)


def _redirect(url):
    return Response(RedirectSerializer({"url": url}).data, status=status.HTTP_201_CREATED)


class CheckoutSessionView(PaymentsView):
    @extend_schema(
        request=CheckoutSerializer,
        responses={201: RedirectSerializer, 503: UNAVAILABLE},
        summary="Start a Stripe Checkout for a plan: send the member to the returned url",
    )
    def post(self, request):
        incoming = CheckoutSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        return _redirect(services.start_checkout(request.user, **incoming.validated_data))


class PortalSessionView(PaymentsView):
    @extend_schema(
        request=PortalSerializer,
        responses={201: RedirectSerializer, 503: UNAVAILABLE},
        summary="Open the Stripe Customer Portal (card, plan, cancel): send the member there",
    )
    def post(self, request):
        incoming = PortalSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        return _redirect(services.open_portal(request.user, **incoming.validated_data))
