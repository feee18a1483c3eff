"""What payments keeps of Stripe: the prices it sells (plans), the customers, subscriptions,
invoices, one-time purchases and coupons it has seen, and every webhook event it received.

Stripe is the source of truth; these rows are a mirror kept current by webhooks (and the
reconcile task), read by the pages without calling Stripe. Each mirrored object keeps the
`created` time of the newest event applied to it (`state_at`), so an older event delivered
late never overwrites a newer state.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from community.models import AccessGrant, Tier, User

from .money import format_money


class Plan(models.Model):
    """A tier's price: what Checkout sells. Editing the amount or interval makes a new Stripe
    price (Stripe prices are immutable); the old one stays on Stripe for existing subscribers."""

    class Interval(models.TextChoices):
        ONE_TIME = "one_time", "One-time"
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=100, help_text="Shown on the pricing page, e.g. “Monthly”.")
    amount = models.PositiveIntegerField(help_text="In the currency's minor unit (cents).")
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=10, choices=Interval.choices, default=Interval.MONTH)
    trial_days = models.PositiveSmallIntegerField(
        default=0, help_text="Free days before the first charge (recurring plans only)."
    )
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True, help_text="Inactive plans are not sold.")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "amount", "pk"]
        indexes = [models.Index(fields=["active", "position"], name="plan_active_pos_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_price_id"],
                condition=~Q(stripe_price_id=""),
                name="plan_unique_stripe_price",
            ),
            models.CheckConstraint(
                condition=Q(trial_days=0) | ~Q(interval="one_time"),
                name="plan_trial_needs_recurring",
                violation_error_message="A one-time plan has no trial.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="plan_amount_positive",
                violation_error_message="A plan costs something: free access needs no plan.",
            ),
        ]

    def __str__(self):
        return f"{self.tier} · {self.name}"

    @property
    def is_recurring(self):
        return self.interval != self.Interval.ONE_TIME

    def clean(self):
        super().clean()
        self.currency = (self.currency or "").lower()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": "A three-letter ISO currency code, e.g. usd."})


class Customer(models.Model):
    """A Stripe customer and the member it belongs to (usually one each; a visitor's checkout
    that matched an existing member's email gives that member a second one)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="stripe_customers")
    stripe_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.stripe_id} ({self.user})"


class Subscription(models.Model):
    """A Stripe subscription as its newest event (or the reconcile task) last described it.
    `grant` is the community AccessGrant it currently holds for its member."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Canceled"
        UNPAID = "unpaid", "Unpaid"
        PAUSED = "paused", "Paused"

    stripe_id = models.CharField(max_length=255, unique=True)
    customer_stripe_id = models.CharField(max_length=255, db_index=True)
    # Empty until the customer is known (checkout.session.completed may come later).
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    stripe_price_id = models.CharField(max_length=255, blank=True)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    started_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    coupon_stripe_id = models.CharField(max_length=255, blank=True)
    state_at = models.DateTimeField(help_text="Stripe time of the state shown here.")
    last_event = models.ForeignKey(
        "WebhookEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The grants this subscription holds: its trial, then its paid periods (see sync.py).
    trial_grant = models.ForeignKey(
        AccessGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_grant = models.ForeignKey(
        AccessGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, help_text="Stripe's object, as last applied.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-state_at"]
        indexes = [
            models.Index(fields=["user", "-state_at"], name="sub_user_state_idx"),
            models.Index(fields=["status"], name="sub_status_idx"),
        ]

    def __str__(self):
        return f"{self.stripe_id} ({self.status})"


class Invoice(models.Model):
    """A Stripe invoice, for the member's billing history."""

    stripe_id = models.CharField(max_length=255, unique=True)
    customer_stripe_id = models.CharField(max_length=255, db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    subscription_stripe_id = models.CharField(max_length=255, blank=True)
    number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20)
    amount_due = models.IntegerField(default=0)
    amount_paid = models.IntegerField(default=0)
    currency = models.CharField(max_length=3)
    billing_reason = models.CharField(max_length=40, blank=True)
    hosted_invoice_url = models.URLField(max_length=1000, blank=True)
    invoice_pdf = models.URLField(max_length=1000, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(help_text="When Stripe created it.")
    state_at = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created", "-id"], name="invoice_user_idx"),
            # Analytics: paid invoices per month of a period.
            models.Index(fields=["status", "created"], name="invoice_status_created_idx"),
        ]

    def __str__(self):
        return self.number or self.stripe_id


class Purchase(models.Model):
    """A one-time plan bought through Checkout: it grants its tier without end."""

    checkout_session_id = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="purchases")
    plan = models.ForeignKey(Plan, null=True, on_delete=models.SET_NULL, related_name="+")
    amount_total = models.IntegerField(default=0)
    currency = models.CharField(max_length=3)
    grant = models.ForeignKey(
        AccessGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "WebhookEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return self.checkout_session_id


class WebhookEvent(models.Model):
    """A Stripe event as received: stored before anything is done with it, processed once."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (type not handled)"
        FAILED = "failed", "Failed, will retry"
        GAVE_UP = "gave_up", "Failed, retries exhausted"

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    api_version = models.CharField(max_length=40, blank=True)
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(help_text="When Stripe created the event.")
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_retry_idx"),
            models.Index(fields=["-received_at", "-id"], name="webhook_received_idx"),
        ]

    def __str__(self):
        return f"{self.stripe_id} {self.type}"

    @property
    def object_id(self):
        return (self.payload.get("data") or {}).get("object", {}).get("id", "")


class Coupon(models.Model):
    """A Stripe coupon: a percent or an amount off, for once, some months or forever."""

    class Duration(models.TextChoices):
        ONCE = "once", "Once"
        REPEATING = "repeating", "For some months"
        FOREVER = "forever", "Forever"

    stripe_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=40)
    percent_off = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount_off = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    duration = models.CharField(max_length=10, choices=Duration.choices)
    duration_in_months = models.PositiveSmallIntegerField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True)
    redeem_by = models.DateTimeField(null=True, blank=True)
    times_redeemed = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_off__isnull=True, amount_off__isnull=False)
                | Q(percent_off__isnull=False, amount_off__isnull=True),
                name="coupon_percent_or_amount",
                violation_error_message="A coupon takes a percent or an amount off, not both.",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def describe(self):
        if self.percent_off is not None:
            off = f"{self.percent_off.normalize():f}% off"  # "20% off", not "2E+1% off"
        else:
            off = f"{format_money(self.amount_off, self.currency)} off"
        if self.duration == self.Duration.REPEATING:
            return f"{off} for {self.duration_in_months} months"
        return f"{off} {self.get_duration_display().lower()}"


class PromotionCode(models.Model):
    """A code members type at Checkout that applies a coupon."""

    stripe_id = models.CharField(max_length=255, unique=True)
    code = models.CharField(max_length=200, db_index=True)
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="promotion_codes")
    active = models.BooleanField(default=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    times_redeemed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.code
