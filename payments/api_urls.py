"""The payments API, under /api/v1/ (config/urls.py mounts it before the JSON 404 for every
other path under /api/)."""

from django.urls import path

from .api import admin, members

urlpatterns = [
    path("payments/plans/", members.PlanListView.as_view(), name="api-payments-plans"),
    path(
        "payments/me/subscriptions/",
        members.MySubscriptionListView.as_view(),
        name="api-payments-my-subscriptions",
    ),
    path("payments/me/grants/", members.MyGrantListView.as_view(), name="api-payments-my-grants"),
    path(
        "payments/me/invoices/",
        members.MyInvoiceListView.as_view(),
        name="api-payments-my-invoices",
    ),
    path(
        "payments/checkout-sessions/",
        members.CheckoutSessionView.as_view(),
        name="api-payments-checkout-sessions",
    ),
    path(
        "payments/portal-sessions/",
        members.PortalSessionView.as_view(),
        name="api-payments-portal-sessions",
    ),
    # Admins
    path(
        "payments/admin/plans/",
        admin.AdminPlanListView.as_view(),
        name="api-payments-admin-plans",
    ),
    path(
        "payments/admin/plans/<int:plan_id>/",
        admin.AdminPlanDetailView.as_view(),
        name="api-payments-admin-plan",
    ),
    path(
        "payments/admin/coupons/",
        admin.AdminCouponListView.as_view(),
        name="api-payments-admin-coupons",
    ),
    path(
        "payments/admin/coupons/<int:coupon_id>/deactivate/",
        admin.AdminCouponDeactivateView.as_view(),
        name="api-payments-admin-coupon-deactivate",
    ),
    path(
        "payments/admin/coupons/<int:coupon_id>/promotion-codes/",
        admin.AdminPromotionCodeCreateView.as_view(),
        name="api-payments-admin-coupon-promotion-codes",
    ),
    path(
        "payments/admin/promotion-codes/<int:promotion_code_id>/deactivate/",
        admin.AdminPromotionCodeDeactivateView.as_view(),
        name="api-payments-admin-promotion-code-deactivate",
    ),
    path(
        "payments/admin/grants/",
        admin.AdminGrantListView.as_view(),
        name="api-payments-admin-grants",
    ),
    path(
        "payments/admin/grants/<int:grant_id>/revoke/",
        admin.AdminGrantRevokeView.as_view(),
        name="api-payments-admin-grant-revoke",
    ),
    path(
        "payments/admin/members/<int:member_id>/access/",
        admin.AdminMemberAccessView.as_view(),
        name="api-payments-admin-member-access",
    ),
    path(
        "payments/admin/events/",
        admin.AdminEventListView.as_view(),
        name="api-payments-admin-events",
    ),
    path(
        "payments/admin/events/<int:event_id>/rerun/",
        admin.AdminEventRerunView.as_view(),
        name="api-payments-admin-event-rerun",
    ),
]
