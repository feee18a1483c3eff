from django.urls import path

from .views import billing, manage, webhook

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", webhook.stripe_webhook, name="stripe-webhook"),
    # member pages
    path("pricing/", billing.pricing, name="pricing"),
    path("pricing/<int:plan_id>/checkout/", billing.checkout, name="checkout"),
    path("pricing/thanks/", billing.checkout_success, name="checkout_success"),
    path("pricing/canceled/", billing.checkout_cancel, name="checkout_cancel"),
    path("billing/", billing.billing, name="billing"),
    path("billing/portal/", billing.portal, name="portal"),
    # admin pages
    path("payments/manage/plans/", manage.manage_plans, name="manage_plans"),
    path("payments/manage/plans/new/", manage.new_plan, name="new_plan"),
    path("payments/manage/plans/<int:plan_id>/edit/", manage.edit_plan, name="edit_plan"),
    path("payments/manage/coupons/", manage.manage_coupons, name="manage_coupons"),
    path("payments/manage/coupons/new/", manage.new_coupon, name="new_coupon"),
    path(
        "payments/manage/coupons/<int:coupon_id>/codes/new/",
        manage.new_promotion_code,
        name="new_promotion_code",
    ),
    path(
        "payments/manage/coupons/<int:coupon_id>/deactivate/",
        manage.deactivate_coupon,
        name="deactivate_coupon",
    ),
    path(
        "payments/manage/codes/<int:code_id>/deactivate/",
        manage.deactivate_promotion_code,
        name="deactivate_promotion_code",
    ),
    path("payments/manage/members/", manage.manage_members, name="manage_members"),
    path(
        "payments/manage/members/<int:member_id>/access/",
        manage.member_access,
        name="member_access",
    ),
    path(
        "payments/manage/members/<int:member_id>/access/<int:grant_id>/revoke/",
        manage.revoke_grant,
        name="revoke_grant",
    ),
    path("payments/manage/events/", manage.manage_events, name="manage_events"),
    path("payments/manage/events/<int:event_id>/", manage.event_detail, name="event_detail"),
    path("payments/manage/events/<int:event_id>/rerun/", manage.rerun_event, name="rerun_event"),
]
