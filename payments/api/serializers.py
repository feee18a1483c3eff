"""The payments API's shapes for everyone: the plans on sale, Checkout and the Customer
Portal, the member's own billing; and the small parts the admins' shapes reuse. What the
API accepts is a StrictSerializer (an unknown key is a 400 naming it); the services
validate the values, as for the pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community.api.toolkit import StrictSerializer
from community.models import AccessGrant, Tier

from .. import selectors
from ..models import Invoice, Plan, Subscription

STRIPE_MAX_AMOUNT = 99_999_999  # Stripe's largest unit_amount / amount_off
STRIPE_MAX_TRIAL_DAYS = 730
POSITIVE_INT_MAX = 2_147_483_647  # PositiveIntegerField on PostgreSQL

# --- Small parts ---------------------------------------------------------------------------


class TierBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class UnlockSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The kind of thing, e.g. “Spaces”.")
    names = serializers.ListField(child=serializers.CharField(), help_text="Their names.")


def unlock_data(unlocks):
    """selectors.unlocks_by_tier's [(label, [names…])] as UnlockSerializer data."""
    return [{"label": label, "names": names} for label, names in unlocks]


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class OptionalUrlField(serializers.ReadOnlyField):
    """A URL Stripe may not have given (stored blank): null then."""

    def to_representation(self, value):
        return value or None


# --- Plans ---------------------------------------------------------------------------------


class PlanOnSaleSerializer(serializers.ModelSerializer):
    """A plan as the pricing page shows it."""

    tier = TierBriefSerializer(read_only=True)
    amount = serializers.IntegerField(read_only=True, help_text="In the currency's minor unit.")
    purchasable = serializers.SerializerMethodField()
    held = serializers.SerializerMethodField()
    unlocks = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "name", "tier", "amount", "currency", "interval", "trial_days",
                  "purchasable", "held", "unlocks"]  # fmt: skip
        read_only_fields = fields

    def get_purchasable(self, plan) -> bool:
        """Stripe is configured and the plan has a Stripe price: checkout can start."""
        return self.context["configured"] and bool(plan.stripe_price_id)

    def get_held(self, plan) -> bool:
        """Whether you hold its tier already (false when signed out)."""
        return plan.tier_id in self.context["held"]

    @extend_schema_field(UnlockSerializer(many=True))
    def get_unlocks(self, plan):
        """What its tier opens, by kind."""
        return unlock_data(self.context["unlocks"].get(plan.tier_id, []))


class PlanBriefSerializer(serializers.ModelSerializer):
    tier = TierBriefSerializer(read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "name", "tier", "amount", "currency", "interval"]
        read_only_fields = fields


# --- Checkout and the Customer Portal --------------------------------------------------------


class ReturnUrlField(serializers.CharField):
    """Where Stripe sends the member back: a path on this site (made absolute) or a full
    http(s) URL on one of its hosts, never another site (that would be an open redirect)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        url = super().to_internal_value(data)
        request = self.context["request"]
        if url.startswith("/") and not url.startswith(("//", "/\\")):
            # Not build_absolute_uri: it would escape Stripe's {CHECKOUT_SESSION_ID}.
            url = f"{request.scheme}://{request.get_host()}{url}"
        if not _on_this_site(url, request):
            raise serializers.ValidationError(
                f"Give a path on this site (/billing/) or a full URL on {request.get_host()}: "
                "Stripe must not send members to another site."
            )
        return url


def _on_this_site(url, request):
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed IPv6 host
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    # The netloc as Django's own check reads it (no backslash or control-character tricks),
    # then the host: the request's, or one of ALLOWED_HOSTS (its patterns, not "*").
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={parts.netloc}):
        return False
    patterns = [host for host in settings.ALLOWED_HOSTS if host != "*"]
    return parts.netloc == request.get_host() or validate_host(parts.hostname, patterns)


class CheckoutSerializer(StrictSerializer):
    plan = serializers.IntegerField(min_value=1, help_text="The id of a purchasable plan.")
    success_url = ReturnUrlField(help_text="Where Stripe sends the member after paying.")
    cancel_url = ReturnUrlField(help_text="Where Stripe sends the member who gives up.")

    def validate_plan(self, plan_id):
        plan = selectors.plan_for_sale(plan_id)
        if plan is None:
            raise serializers.ValidationError("No plan for sale has this id.")
        return plan


class PortalSerializer(StrictSerializer):
    return_url = ReturnUrlField(help_text="Where the portal's “back” link leads.")


class RedirectSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Stripe's page: send the member's browser there.")


# --- The member's subscriptions, grants and invoices -----------------------------------------


class MySubscriptionSerializer(serializers.ModelSerializer):
    plan = PlanBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Subscription
        fields = ["id", "stripe_id", "status", "plan", "started_at", "current_period_start",
                  "current_period_end", "trial_end", "cancel_at_period_end", "canceled_at",
                  "ended_at"]  # fmt: skip
        read_only_fields = fields


class MyGrantSerializer(serializers.ModelSerializer):
    tier = TierBriefSerializer(read_only=True)

    class Meta:
        model = AccessGrant
        fields = ["id", "tier", "source", "starts_at", "ends_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    hosted_invoice_url = OptionalUrlField(help_text="Stripe's page of the invoice.")
    invoice_pdf = OptionalUrlField(help_text="The invoice as a PDF.")

    class Meta:
        model = Invoice
        fields = ["id", "number", "status", "amount_due", "amount_paid", "currency",
                  "hosted_invoice_url", "invoice_pdf", "period_start", "period_end",
                  "created"]  # fmt: skip
        read_only_fields = fields
