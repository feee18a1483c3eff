from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.utils import timezone

from .gating import Gated
from .members import User


class SpaceQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Space(Gated):
    class PostPermission(models.TextChoices):
        ALL = "all", "All members"
        MODERATORS = "moderators", "Moderators and admins"
        ADMINS = "admins", "Admins only"

    name = models.CharField(max_length=100, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    icon = models.CharField(max_length=8, blank=True, help_text="One emoji.")
    post_permission = models.CharField(
        max_length=10, choices=PostPermission.choices, default=PostPermission.ALL
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SpaceQuerySet.as_manager()

    class Meta(Gated.Meta):
        indexes = [models.Index(fields=["deleted_at", "position"], name="space_alive_order_idx")]

    def __str__(self):
        return self.name


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
