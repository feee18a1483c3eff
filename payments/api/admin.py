"""What the admins' payments pages do, over the API: plans, coupons and promotion codes
(each made on Stripe first), access grants by hand, why a member has access, and the
webhook events (with a re-run for a failed one). Every operation needs an admin."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from community import services as community_services
from community.api.toolkit import (
    PageQuerySerializer,
    cursor_page_serializer,
    page_query,
    page_response,
    read_body,
    read_query,
)
from community.models import User
from community.pagination import keyset_page

from .. import selectors, services
from ..models import Coupon, PromotionCode, WebhookEvent
from .admin_serializers import (
    AccessExplanationSerializer,
    AdminGrantSerializer,
    AdminPlanSerializer,
    CouponCreateSerializer,
    CouponSerializer,
    EventQuerySerializer,
    GrantCreateSerializer,
    GrantQuerySerializer,
    PlanCreateSerializer,
    PlanUpdateSerializer,
    PromotionCodeCreateSerializer,
    PromotionCodeSerializer,
    RevokeSerializer,
    WebhookEventSerializer,
)
from .base import UNAVAILABLE, AdminView


def _answer(serializer_class, obj, code=status.HTTP_200_OK):
    return Response(serializer_class(obj).data, status=code)


# --- Plans ---------------------------------------------------------------------------------


class AdminPlanListView(AdminView):
    @extend_schema(
        operation_id="payments_admin_plans_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(AdminPlanSerializer),
        summary="Every plan, active or not, by tier name then position (admins)",
    )
    def get(self, request):
        plans = selectors.plans_for_admin().annotate(tier_name=F("tier__name"))
        fields = ("tier_name", "position", "amount", "id")
        page = keyset_page(plans, fields=fields, ascending=True, **page_query(request))
        return page_response(request, page, AdminPlanSerializer)

    @extend_schema(
        request=PlanCreateSerializer,
        responses={201: AdminPlanSerializer, 503: UNAVAILABLE},
        summary="Create a plan, with its Stripe product and price (admins)",
    )
    def post(self, request):
        plan = services.create_plan(request.user, **read_body(PlanCreateSerializer, request))
        return _answer(AdminPlanSerializer, plan, status.HTTP_201_CREATED)


class AdminPlanDetailView(AdminView):
    @extend_schema(
        request=PlanUpdateSerializer,
        responses={200: AdminPlanSerializer, 503: UNAVAILABLE},
        summary="Edit a plan; a new amount, currency or interval makes a new Stripe price (admins)",
    )
    def patch(self, request, plan_id):
        plan = get_object_or_404(selectors.plans_for_admin(), pk=plan_id)
        changes = read_body(PlanUpdateSerializer, request, partial=True)
        return _answer(
            AdminPlanSerializer, services.update_plan(request.user, plan=plan, **changes)
        )


# --- Coupons and promotion codes --------------------------------------------------------------


class AdminCouponListView(AdminView):
    @extend_schema(
        operation_id="payments_admin_coupons_list",
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(CouponSerializer),
        summary="Every coupon with its promotion codes, newest first (admins)",
    )
    def get(self, request):
        page = keyset_page(selectors.coupons_for_admin(), **page_query(request))
        return page_response(request, page, CouponSerializer)

    @extend_schema(
        request=CouponCreateSerializer,
        responses={201: CouponSerializer, 503: UNAVAILABLE},
        summary="Create a coupon on Stripe (admins)",
    )
    def post(self, request):
        coupon = services.create_coupon(request.user, **read_body(CouponCreateSerializer, request))
        return _answer(CouponSerializer, coupon, status.HTTP_201_CREATED)


class AdminCouponDeactivateView(AdminView):
    @extend_schema(
        request=None,
        responses={200: CouponSerializer, 503: UNAVAILABLE},
        summary="Deactivate a coupon and its promotion codes; discounts given stay (admins)",
    )
    def post(self, request, coupon_id):
        coupon = get_object_or_404(selectors.coupons_for_admin(), pk=coupon_id)
        coupon = services.deactivate_coupon(request.user, coupon=coupon)
        return _answer(CouponSerializer, coupon)


class AdminPromotionCodeCreateView(AdminView):
    @extend_schema(
        request=PromotionCodeCreateSerializer,
        responses={201: PromotionCodeSerializer, 503: UNAVAILABLE},
        summary="Create a promotion code members type at Checkout for a coupon (admins)",
    )
    def post(self, request, coupon_id):
        coupon = get_object_or_404(Coupon, pk=coupon_id)
        data = read_body(PromotionCodeCreateSerializer, request)
        promo = services.create_promotion_code(request.user, coupon=coupon, **data)
        return _answer(PromotionCodeSerializer, promo, status.HTTP_201_CREATED)


class AdminPromotionCodeDeactivateView(AdminView):
    @extend_schema(
        request=None,
        responses={200: PromotionCodeSerializer, 503: UNAVAILABLE},
        summary="Deactivate a promotion code (admins)",
    )
    def post(self, request, promotion_code_id):
        promo = get_object_or_404(PromotionCode, pk=promotion_code_id)
        promo = services.deactivate_promotion_code(request.user, promotion_code=promo)
        return _answer(PromotionCodeSerializer, promo)


# --- Access grants -------------------------------------------------------------------------


class AdminGrantListView(AdminView):
    @extend_schema(
        operation_id="payments_admin_grants_list",
        parameters=[GrantQuerySerializer],
        responses=cursor_page_serializer(AdminGrantSerializer),
        summary="Access grants of every source, newest first (admins)",
    )
    def get(self, request):
        query = read_query(GrantQuerySerializer, request)
        grants = selectors.grants_for_admin(
            member_id=query.pop("member", None), active=query.pop("active")
        )
        return page_response(request, keyset_page(grants, **query), AdminGrantSerializer)

    @extend_schema(
        request=GrantCreateSerializer,
        responses={201: AdminGrantSerializer},
        summary="Grant a member a tier by hand, until a time or without end (admins)",
    )
    def post(self, request):
        grant = community_services.grant_access(
            request.user, **read_body(GrantCreateSerializer, request)
        )
        return _answer(AdminGrantSerializer, grant, status.HTTP_201_CREATED)


class AdminGrantRevokeView(AdminView):
    @extend_schema(
        request=RevokeSerializer,
        responses=AdminGrantSerializer,
        summary="Revoke a manual grant now (admins); a subscription's or purchase's grants "
        "follow Stripe and answer 404 here",
    )
    def post(self, request, grant_id):
        reason = read_body(RevokeSerializer, request)["reason"]
        grant = get_object_or_404(selectors.revocable_grants(), pk=grant_id)
        grant = community_services.revoke_access(request.user, grant=grant, reason=reason)
        return _answer(AdminGrantSerializer, grant)


class AdminMemberAccessView(AdminView):
    @extend_schema(
        responses=AccessExplanationSerializer,
        summary="Why a member has access: each grant with its source (the Stripe subscription "
        "and the event that last changed it, a purchase, an admin, a coupon) (admins)",
    )
    def get(self, request, member_id):
        member = get_object_or_404(User, pk=member_id)
        answer = {"member": member, "grants": selectors.explain_access(member)}
        return _answer(AccessExplanationSerializer, answer)


# --- Webhook events ----------------------------------------------------------------------


class AdminEventListView(AdminView):
    @extend_schema(
        operation_id="payments_admin_events_list",
        parameters=[EventQuerySerializer],
        responses=cursor_page_serializer(WebhookEventSerializer),
        summary="The Stripe events received, newest first, optionally in one state (admins)",
    )
    def get(self, request):
        query = read_query(EventQuerySerializer, request)
        events = selectors.webhook_events(query.pop("state", None))
        page = keyset_page(events, fields=("received_at", "id"), **query)
        return page_response(request, page, WebhookEventSerializer)


class AdminEventRerunView(AdminView):
    @extend_schema(
        request=None,
        responses=WebhookEventSerializer,
        summary="Process a failed or waiting event again now (admins)",
    )
    def post(self, request, event_id):
        event = get_object_or_404(WebhookEvent, pk=event_id)
        return _answer(WebhookEventSerializer, services.rerun_event(request.user, event=event))
