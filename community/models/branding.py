from django.db import models

from community.validators import validate_custom_domain, validate_primary_color

NAME_MAX = 100


class Branding(models.Model):
    """The community's name, look and own address, set by admins on /manage/branding/: one
    row at most (pk 1). A blank field, or no row, means the env setting's default
    (AGORA_SITE_NAME, AGORA_PRIMARY_COLOR, AGORA_BASE_URL). Read it through
    community.branding.current(), which caches it; services.update_branding writes it."""

    SINGLETON_ID = 1

    name = models.CharField(max_length=NAME_MAX, blank=True)
    logo = models.ImageField(upload_to="branding/", blank=True)
    favicon = models.ImageField(upload_to="branding/", blank=True)
    primary_color = models.CharField(
        max_length=7, blank=True, validators=[validate_primary_color], help_text="#rrggbb"
    )
    custom_domain = models.CharField(
        max_length=253, blank=True, validators=[validate_custom_domain]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "branding"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="branding_singleton"),
        ]

    def __str__(self):
        return self.name or "Branding"
