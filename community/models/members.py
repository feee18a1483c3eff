import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from community import effects, signals

DISPLAY_NAME_MAX = 100
BIO_MAX = 2000


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError("“%(value)s” is not a known time zone.", params={"value": value})


def unique_handle(name):
    base = slugify(name)[:32].strip("-") or "member"
    handle, n = base, 1
    while User.objects.filter(handle=handle).exists():
        n += 1
        handle = f"{base}-{n}"
    return handle


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("A member needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: any member can see my profile"
        PRIVATE = "private", "Private: only admins and moderators"

    email = models.EmailField("email address", max_length=254)
    handle = models.SlugField(
        max_length=40, unique=True, help_text="Used in @mentions; made from the name if empty."
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX, validators=[MinLengthValidator(1)])
    bio = models.TextField(blank=True, validators=[MaxLengthValidator(BIO_MAX)])
    bio_html = models.TextField(blank=True, editable=False)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    profile_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the admin site (admins and moderators)."
    )
    banned_at = models.DateTimeField(null=True, blank=True)
    banned_until = models.DateTimeField(
        null=True, blank=True, help_text="Empty means the ban has no end."
    )
    ban_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], name="user_created_idx"),
            models.Index(fields=["role"], name="user_role_idx"),
            # The directory sorted by name (keyset on lower(display_name), id).
            models.Index(Lower("display_name"), "id", name="user_name_idx"),
            # The few members out of standing (access.out_of_standing), for counts that
            # subtract them rather than join every member to check.
            models.Index(
                fields=["id"],
                condition=Q(is_active=False) | Q(banned_at__isnull=False),
                name="user_out_of_standing_idx",
            ),
        ]

    def __str__(self):
        return self.display_name or self.email

    def save(self, *args, **kwargs):
        if not self.handle:
            self.handle = unique_handle(self.display_name or self.email.split("@")[0])
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "handle"}
        joined = self._state.adding
        super().save(*args, **kwargs)
        if joined:
            # Here rather than in a service: allauth, the admin site and the management
            # commands each create members their own way, and every one of them saves.
            effects.send_signal_on_commit(signals.member_joined, member_id=self.pk)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    @property
    def is_banned(self):
        if self.banned_at is None:
            return False
        return self.banned_until is None or self.banned_until > timezone.now()

    @property
    def is_moderator(self):
        """Admins moderate too."""
        return self.role in (self.Role.ADMIN, self.Role.MODERATOR)

    @property
    def initials(self):
        parts = (self.display_name or self.email).split()
        return "".join(part[0] for part in parts[:2]).upper()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A member's personal token for integrations. Only a hash of the secret is stored."""

    PREFIX = "agora_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="The token's last characters.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_idx")]

    def __str__(self):
        return f"{self.name} (…{self.hint})"

    @staticmethod
    def hash_key(raw_key):
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate_key(cls):
        return cls.PREFIX + secrets.token_urlsafe(32)


class AuditEntry(models.Model):
    """One moderation or admin action, written in the same transaction as the change.

    `action` is a dotted name ("community.ban", "payments.grant") registered in
    community.audit by the app that performs it, so a new app adds actions without a
    migration here. A service run by no person (a webhook, a scheduled job) leaves `actor`
    empty and says why in `cause` ("stripe event evt_…")."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    cause = models.CharField(max_length=200, blank=True, help_text="Why the system acted.")
    action = models.CharField(max_length=64)
    target_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    target_id = models.PositiveBigIntegerField()
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_created_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actor__isnull=False) | ~models.Q(cause=""),
                name="audit_actor_or_cause",
                violation_error_message="An entry names its actor or, for the system, a cause.",
            )
        ]

    def __str__(self):
        return f"{self.actor_label}: {self.action} #{self.target_id}"

    @property
    def actor_label(self):
        return str(self.actor) if self.actor_id else f"system ({self.cause})"
