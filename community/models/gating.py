"""Gating: anything a tier can lock (spaces here; courses and events in their apps).

A gated model inherits `Gated`: a visibility (public, members, paid) and, for paid things
only, the tier that opens them, with the constraint that keeps the two consistent.
access.can_see_gated / access.visible_gated answer "may this member see it" for any of them.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from .members import User


class Tier(models.Model):
    """A named level of access ("pro") that spaces, courses and events may require."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    # Listed: members without the tier see the paid things it opens in lists, locked, with a
    # page saying how to get it (access.can_preview_gated). Off by default, so a staff tier
    # that nobody may ask for keeps what it opens a 404, and an upgrade reveals nothing.
    listed = models.BooleanField(
        default=False,
        help_text="Members without it see what it opens, locked. Off: that stays hidden.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AccessGrantQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=at).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=at)
        )


class AccessGrant(models.Model):
    """A member holds a tier from a start to an optional end, from a source."""

    class Source(models.TextChoices):
        PAYMENT = "payment", "Payment"
        TRIAL = "trial", "Trial"
        MANUAL = "manual", "Granted by an admin"
        COUPON = "coupon", "Coupon"
        LEVEL = "level", "Reached a level"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_grants")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="grants")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: no end.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AccessGrantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "tier"], name="grant_user_tier_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="grant_ends_after_start",
                violation_error_message="A grant must end after it starts.",
            )
        ]

    def __str__(self):
        return f"{self.user} holds {self.tier}"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone, signed in or not"
    MEMBERS = "members", "Members: anyone signed in"
    PAID = "paid", "Paid: members holding the required tier"


class Gated(models.Model):
    Visibility = Visibility

    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    # related_name gives each tier its own reverse list per model: tier.spaces, tier.courses.
    required_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="%(class)ss"
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility="paid", required_tier__isnull=False)
                | (~models.Q(visibility="paid") & models.Q(required_tier__isnull=True)),
                name="%(app_label)s_%(class)s_paid_needs_tier",
                violation_error_message="A paid item needs a tier; other items have none.",
            )
        ]

    def clean(self):
        super().clean()
        noun = self._meta.verbose_name
        if self.visibility == Visibility.PAID and self.required_tier_id is None:
            raise ValidationError({"required_tier": f"A paid {noun} needs the tier that opens it."})
        if self.visibility != Visibility.PAID and self.required_tier_id is not None:
            raise ValidationError({"required_tier": f"Only paid {noun}s require a tier."})
