from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.utils import timezone

from .members import User


class Tier(models.Model):
    """A named level of access ("pro") that spaces, courses and events may require."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
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


class SpaceQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Space(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone, signed in or not"
        MEMBERS = "members", "Members: anyone signed in"
        PAID = "paid", "Paid: members holding the required tier"

    class PostPermission(models.TextChoices):
        ALL = "all", "All members"
        MODERATORS = "moderators", "Moderators and admins"
        ADMINS = "admins", "Admins only"

    name = models.CharField(max_length=100, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    icon = models.CharField(max_length=8, blank=True, help_text="One emoji.")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    required_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="spaces"
    )
    post_permission = models.CharField(
        max_length=10, choices=PostPermission.choices, default=PostPermission.ALL
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["deleted_at", "position"], name="space_alive_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility="paid", required_tier__isnull=False)
                | (~models.Q(visibility="paid") & models.Q(required_tier__isnull=True)),
                name="space_paid_needs_tier",
                violation_error_message="A paid space needs a tier; other spaces have none.",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.visibility == self.Visibility.PAID and self.required_tier_id is None:
            raise ValidationError({"required_tier": "A paid space needs the tier that opens it."})
        if self.visibility != self.Visibility.PAID and self.required_tier_id is not None:
            raise ValidationError({"required_tier": "Only paid spaces require a tier."})


class SpaceVisit(models.Model):
    """When a member last opened a space: posts after it are unread."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="space_visits")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="visits")
    last_visited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "space"], name="space_visit_once"),
        ]

    def __str__(self):
        return f"{self.user} in {self.space} at {self.last_visited_at:%Y-%m-%d %H:%M}"
