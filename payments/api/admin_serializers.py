"""The payments API's shapes for the admins: plans, coupons and promotion codes, access
grants, why a member has access, and webhook events."""

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from community import selectors as community_selectors
from community.api.serializers import AuthorSerializer
from community.api.toolkit import PageQuerySerializer, StrictSerializer
from community.models import AccessGrant, User

from ..models import Coupon, Plan, PromotionCode, Subscription, WebhookEvent
from .serializers import (
    POSITIVE_INT_MAX,
    STRIPE_MAX_AMOUNT,
    STRIPE_MAX_TRIAL_DAYS,
    TierBriefSerializer,
    UnlockSerializer,
    unlock_data,
)

PERCENT_MIN, PERCENT_MAX = Decimal("0.01"), Decimal("100")

# --- Plans ---------------------------------------------------------------------------------


class AdminPlanSerializer(serializers.ModelSerializer):
    tier = TierBriefSerializer(read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "tier", "name", "amount", "currency", "interval", "trial_days", "active",
                  "position", "stripe_product_id", "stripe_price_id", "created_at"]  # fmt: skip
        read_only_fields = fields


class PlanUpdateSerializer(StrictSerializer):
    """Shape of an edit; services.update_plan validates the values. A new amount, currency
    or interval makes a new Stripe price (existing subscribers keep theirs)."""

    name = serializers.CharField(max_length=100, required=False)
    amount = serializers.IntegerField(
        min_value=1, max_value=STRIPE_MAX_AMOUNT, required=False, help_text="In minor units."
    )
    currency = serializers.CharField(
        max_length=3, required=False, help_text="Three-letter ISO code, e.g. usd."
    )
    interval = serializers.ChoiceField(choices=Plan.Interval.choices, required=False)
    trial_days = serializers.IntegerField(
        min_value=0, max_value=STRIPE_MAX_TRIAL_DAYS, required=False
    )
    active = serializers.BooleanField(required=False, help_text="Inactive plans are not sold.")
    position = serializers.IntegerField(min_value=0, max_value=POSITIVE_INT_MAX, required=False)


class PlanCreateSerializer(PlanUpdateSerializer):
    tier = serializers.SlugRelatedField(slug_field="slug", queryset=community_selectors.tiers())
    name = serializers.CharField(max_length=100)
    amount = serializers.IntegerField(
        min_value=1, max_value=STRIPE_MAX_AMOUNT, help_text="In minor units."
    )


# --- Coupons and promotion codes -------------------------------------------------------------


class PromotionCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PromotionCode
        fields = ["id", "stripe_id", "code", "coupon", "active", "max_redemptions", "expires_at",
                  "times_redeemed", "created_at"]  # fmt: skip
        read_only_fields = fields


class CouponSerializer(serializers.ModelSerializer):
    percent_off = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=PERCENT_MIN, max_value=PERCENT_MAX,
        coerce_to_string=False, read_only=True, allow_null=True,
    )  # fmt: skip
    description = serializers.CharField(source="describe", read_only=True)
    promotion_codes = PromotionCodeSerializer(many=True, read_only=True)

    class Meta:
        model = Coupon
        fields = ["id", "stripe_id", "name", "description", "percent_off", "amount_off",
                  "currency", "duration", "duration_in_months", "max_redemptions", "redeem_by",
                  "times_redeemed", "active", "created_at", "promotion_codes"]  # fmt: skip
        read_only_fields = fields


class CouponCreateSerializer(StrictSerializer):
    """Shape of a new coupon; services.create_coupon checks the combination (a percent or an
    amount, months only when repeating)."""

    name = serializers.CharField(max_length=40)
    duration = serializers.ChoiceField(choices=Coupon.Duration.choices)
    percent_off = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=PERCENT_MIN, max_value=PERCENT_MAX,
        required=False, allow_null=True, coerce_to_string=False,
    )  # fmt: skip
    amount_off = serializers.IntegerField(
        min_value=1, max_value=STRIPE_MAX_AMOUNT, required=False, allow_null=True,
        help_text="In minor units of `currency`.",
    )  # fmt: skip
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    duration_in_months = serializers.IntegerField(
        min_value=1, max_value=1200, required=False, allow_null=True
    )
    max_redemptions = serializers.IntegerField(
        min_value=1, max_value=POSITIVE_INT_MAX, required=False, allow_null=True
    )
    redeem_by = serializers.DateTimeField(required=False, allow_null=True)


class PromotionCodeCreateSerializer(StrictSerializer):
    code = serializers.CharField(max_length=200, help_text="Letters, digits and dashes.")
    max_redemptions = serializers.IntegerField(
        min_value=1, max_value=POSITIVE_INT_MAX, required=False, allow_null=True
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


# --- Access grants and why a member has access -----------------------------------------------


class AdminGrantSerializer(serializers.ModelSerializer):
    member = AuthorSerializer(source="user", read_only=True)
    tier = TierBriefSerializer(read_only=True)
    granted_by = AuthorSerializer(read_only=True, allow_null=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = AccessGrant
        fields = ["id", "member", "tier", "source", "starts_at", "ends_at", "revoked_at",
                  "is_active", "granted_by", "note", "created_at"]  # fmt: skip
        read_only_fields = fields

    def get_is_active(self, grant) -> bool:
        now = timezone.now()
        return (
            grant.revoked_at is None
            and grant.starts_at <= now
            and (grant.ends_at is None or grant.ends_at > now)
        )


class GrantQuerySerializer(PageQuerySerializer):
    member = serializers.IntegerField(
        min_value=1, max_value=POSITIVE_INT_MAX, required=False, help_text="Only this member's."
    )
    active = serializers.BooleanField(
        required=False, default=False, help_text="Only the grants active now."
    )


class GrantCreateSerializer(StrictSerializer):
    member = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    tier = serializers.SlugRelatedField(slug_field="slug", queryset=community_selectors.tiers())
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Null or absent: no end."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def validate_ends_at(self, ends_at):
        if ends_at is not None and ends_at <= timezone.now():
            raise serializers.ValidationError("An end in the future, or none.")
        return ends_at


class RevokeSerializer(StrictSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="", help_text="For the audit log."
    )


class ExplainedEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEvent
        fields = ["stripe_id", "type"]
        read_only_fields = fields


class ExplainedSubscriptionSerializer(serializers.ModelSerializer):
    # A plain string here: the enum is documented once, on MySubscription.
    status = serializers.CharField(
        read_only=True, help_text="Stripe's status: active, trialing, past_due, canceled, …"
    )
    last_event = ExplainedEventSerializer(
        read_only=True, allow_null=True, help_text="The Stripe event that last changed it."
    )

    class Meta:
        model = Subscription
        fields = ["stripe_id", "status", "last_event"]
        read_only_fields = fields


class ExplainedPurchaseSerializer(serializers.Serializer):
    checkout_session_id = serializers.CharField()
    amount_total = serializers.IntegerField()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()


class ExplainedCouponSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = Coupon
        fields = ["id", "stripe_id", "name", "description"]
        read_only_fields = fields


class GrantExplanationSerializer(serializers.Serializer):
    """One grant of selectors.explain_access, with where it came from."""

    id = serializers.IntegerField(source="grant.id")
    tier = TierBriefSerializer(source="grant.tier")
    source = serializers.ChoiceField(source="grant.source", choices=AccessGrant.Source.choices)
    source_detail = serializers.CharField(help_text="Where it came from, for people.")
    is_active = serializers.BooleanField()
    starts_at = serializers.DateTimeField(source="grant.starts_at")
    ends_at = serializers.DateTimeField(source="grant.ends_at", allow_null=True)
    revoked_at = serializers.DateTimeField(source="grant.revoked_at", allow_null=True)
    granted_by = AuthorSerializer(source="grant.granted_by", allow_null=True)
    note = serializers.CharField(source="grant.note")
    subscription = ExplainedSubscriptionSerializer(allow_null=True)
    purchase = ExplainedPurchaseSerializer(allow_null=True)
    coupon = ExplainedCouponSerializer(allow_null=True)
    unlocks = serializers.SerializerMethodField()

    @extend_schema_field(UnlockSerializer(many=True))
    def get_unlocks(self, explanation):
        return unlock_data(explanation.unlocks)


class AccessExplanationSerializer(serializers.Serializer):
    member = AuthorSerializer()
    grants = GrantExplanationSerializer(
        many=True, help_text="Every grant the member ever held, the active ones first."
    )


# --- Webhook events ----------------------------------------------------------------------


class WebhookEventSerializer(serializers.ModelSerializer):
    object_id = serializers.CharField(read_only=True, help_text="The Stripe object it is about.")

    class Meta:
        model = WebhookEvent
        fields = ["id", "stripe_id", "type", "object_id", "state", "livemode", "api_version",
                  "created", "received_at", "processed_at", "attempts", "last_error",
                  "next_attempt_at"]  # fmt: skip
        read_only_fields = fields


class EventQuerySerializer(PageQuerySerializer):
    state = serializers.ChoiceField(choices=WebhookEvent.State.choices, required=False)
