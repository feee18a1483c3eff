"""Payments in the Django admin: read-only, for admins (access.can_administer).

Every row here mirrors Stripe or was written by a service that called Stripe first, so the
admin never edits one: plans, coupons and promotion codes are made and changed on the
admins' payments pages (linked from each), access is explained and granted there too, and
the one write here, "Process again" on webhook events, calls services.rerun_event."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from community import access
from community.admin import ReadOnlyAdmin
from community.admin_tools import LargeTableAdmin

from . import services
from .models import (
    Coupon,
    Customer,
    Invoice,
    Plan,
    PromotionCode,
    Purchase,
    Subscription,
    WebhookEvent,
)
from .money import format_money


class PaymentsAdmin(ReadOnlyAdmin):
    """Money and access are the admins' business, not the moderators'."""

    def has_module_permission(self, request):
        return access.can_administer(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_administer(request.user)


def _link(url_name, *args, label):
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=args), label)


def _access_link(user):
    if user is None:
        return "-"
    return _link("payments:member_access", user.pk, label=f"{user} (why they have access)")


@admin.register(Plan)
class PlanAdmin(PaymentsAdmin):
    list_display = ["name", "tier", "price", "interval", "trial_days", "active",
                    "stripe_price_id", "edit_link"]  # fmt: skip
    list_filter = ["active", "interval", "tier"]
    search_fields = ["name", "tier__name", "stripe_price_id", "stripe_product_id"]
    list_select_related = ["tier"]
    readonly_fields = ["edit_link"]

    @admin.display(description="Price", ordering="amount")
    def price(self, plan):
        return format_money(plan.amount, plan.currency)

    @admin.display(description="Change")
    def edit_link(self, plan):
        # Editing a price makes a new Stripe price: the payments page does it, not this form.
        return _link("payments:edit_plan", plan.pk, label="Edit on the plans page")


class PromotionCodeInline(admin.TabularInline):
    model = PromotionCode
    fields = ["code", "active", "times_redeemed", "max_redemptions", "expires_at", "stripe_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return access.can_administer(request.user)


@admin.register(Coupon)
class CouponAdmin(PaymentsAdmin):
    list_display = ["name", "describe", "times_redeemed", "max_redemptions", "redeem_by",
                    "active", "stripe_id"]  # fmt: skip
    list_filter = ["active", "duration"]
    search_fields = ["name", "stripe_id", "promotion_codes__code"]
    readonly_fields = ["describe", "manage_link"]
    inlines = [PromotionCodeInline]

    @admin.display(description="Manage")
    def manage_link(self, coupon):
        return _link("payments:manage_coupons", label="Codes and deactivation on the coupons page")


@admin.register(PromotionCode)
class PromotionCodeAdmin(PaymentsAdmin):
    list_display = ["code", "coupon", "active", "times_redeemed", "max_redemptions",
                    "expires_at", "created_at"]  # fmt: skip
    list_filter = ["active"]
    search_fields = ["code", "stripe_id", "coupon__name"]
    list_select_related = ["coupon"]


@admin.register(Customer)
class CustomerAdmin(LargeTableAdmin, PaymentsAdmin):
    list_display = ["stripe_id", "user", "created_at"]
    search_fields = ["stripe_id", "user__email", "user__display_name"]
    list_select_related = ["user"]
    readonly_fields = ["member_access"]

    @admin.display(description="Access")
    def member_access(self, customer):
        return _access_link(customer.user)


@admin.register(Subscription)
class SubscriptionAdmin(LargeTableAdmin, PaymentsAdmin):
    list_display = ["stripe_id", "user", "plan", "status", "current_period_end",
                    "cancel_at_period_end", "state_at"]  # fmt: skip
    list_filter = ["status", "cancel_at_period_end", "plan"]
    search_fields = ["stripe_id", "customer_stripe_id", "user__email", "user__display_name"]
    list_select_related = ["user", "plan__tier"]
    readonly_fields = ["member_access"]
    ordering = ["-id"]

    @admin.display(description="Access")
    def member_access(self, sub):
        return _access_link(sub.user)


class InvoiceStatusFilter(admin.SimpleListFilter):
    """Stripe's invoice statuses, named here: a filter on the column itself would list its
    values with a SELECT DISTINCT over every invoice."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(status, status) for status in ("draft", "open", "paid", "uncollectible", "void")]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Invoice)
class InvoiceAdmin(LargeTableAdmin, PaymentsAdmin):
    list_display = ["__str__", "user", "status", "paid", "billing_reason", "created"]
    list_filter = [InvoiceStatusFilter]
    search_fields = ["stripe_id", "number", "customer_stripe_id", "subscription_stripe_id",
                     "user__email"]  # fmt: skip
    list_select_related = ["user"]
    ordering = ["-id"]

    @admin.display(description="Paid", ordering="amount_paid")
    def paid(self, invoice):
        return format_money(invoice.amount_paid, invoice.currency)


@admin.register(Purchase)
class PurchaseAdmin(LargeTableAdmin, PaymentsAdmin):
    list_display = ["checkout_session_id", "user", "plan", "total", "created_at"]
    search_fields = ["checkout_session_id", "user__email", "user__display_name"]
    list_select_related = ["user", "plan__tier"]
    readonly_fields = ["member_access"]

    @admin.display(description="Total", ordering="amount_total")
    def total(self, purchase):
        return format_money(purchase.amount_total, purchase.currency)

    @admin.display(description="Access")
    def member_access(self, purchase):
        return _access_link(purchase.user)


@admin.register(WebhookEvent)
class WebhookEventAdmin(LargeTableAdmin, PaymentsAdmin):
    list_display = ["received_at", "type", "stripe_id", "state", "attempts", "short_error",
                    "processed_at"]  # fmt: skip
    list_filter = ["state", "livemode"]  # not "type": its choices would read every event
    search_fields = ["stripe_id", "type"]
    readonly_fields = ["page_link"]
    actions = ["process_again"]

    @admin.display(description="Last error")
    def short_error(self, event):
        error = event.last_error
        return error if len(error) <= 80 else f"{error[:79]}…"

    @admin.display(description="Page")
    def page_link(self, event):
        return _link("payments:event_detail", event.pk, label="Payload and Process again")

    def has_rerun_permission(self, request):
        return access.can_administer(request.user)

    @admin.action(description="Process the selected events again", permissions=["rerun"])
    def process_again(self, request, queryset):
        done = 0
        for event in queryset:
            try:
                services.rerun_event(request.user, event=event)
                done += 1
            except (PermissionDenied, ValidationError) as refused:
                detail = " ".join(getattr(refused, "messages", [str(refused)]))
                self.message_user(request, f"{event.stripe_id}: {detail}", messages.WARNING)
        if done:
            self.message_user(request, f"Queued again: {done}.")
