"""The community's branding as every page, mail and link reads it: one cached selector.

`current()` gives the Brand: the admins' Branding row over the env defaults
(AGORA_SITE_NAME, AGORA_PRIMARY_COLOR, AGORA_BASE_URL). The row's stored fields are kept in
the Django cache with no expiry, so a page reads them with no query; the first read after
the cache was emptied costs one. services.update_branding forgets them when it saves (at
once, and again after the commit, so that a request that read the old row in between does
not keep it). Files are cached by name and their URLs made on each read, so a signed S3
link never outlives its signature in the cache.

The custom domain: `base_url()` and `absolute_url(path)` are the one source of absolute
links (mails, iCalendar UIDs, Stripe's return pages), `https://<domain>` once admins set
one. settings.ALLOWED_HOSTS ends with a lazy string that is the domain each time Django
compares a request's Host with it (Django reads ALLOWED_HOSTS in every get_host()), and
community.middleware.CsrfViewMiddleware trusts the `https://<domain>` origin on each
request: both read the cached branding, so a change needs no restart, in any process.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.templatetags.static import static

logger = logging.getLogger(__name__)

CACHE_KEY = "community:branding:1"
_EMPTY = {"name": "", "primary_color": "", "logo": "", "favicon": "", "custom_domain": "",
          "updated_at": None}  # fmt: skip


@dataclass(frozen=True)
class Brand:
    name: str
    primary_color: str  # "#rrggbb"
    logo: str  # the stored file's name, "" for none
    favicon: str
    custom_domain: str  # "" for none
    updated_at: datetime | None

    @property
    def logo_url(self):
        return _file_url("logo", self.logo)

    @property
    def favicon_url(self):
        return _file_url("favicon", self.favicon) or static("agora/favicon.svg")

    @property
    def mark(self):
        """The letter the header shows when there is no logo."""
        return self.name[:1]


def _file_url(field_name, name):
    if not name:
        return ""
    from community.models import Branding

    return Branding._meta.get_field(field_name).storage.url(name)


def _cached():
    """The cached fields, or None on a miss or a cache that raises: every request reads the
    branding (the Host check too), so a cache outage must not fail them; /healthz reports it.
    (The project's Redis cache already fails open; this covers any other backend.)"""
    try:
        return cache.get(CACHE_KEY)
    except Exception:
        logger.warning("The cache could not be read for the branding.", exc_info=True)
        return None


def stored():
    """The Branding row's fields as a dict (blank ones for no row), from the cache or, on a
    miss, from the database (one query), then kept in the cache."""
    data = _cached()
    if data is None:
        from community.models import Branding

        try:
            row = Branding.objects.filter(pk=Branding.SINGLETON_ID).first()
        except DatabaseError:
            # A database not migrated yet, or down: the env defaults, uncached, so that a
            # request refused for its Host still gets its 400 and an error page still shows
            # (whatever else needs the database fails, and says so, on its own).
            logger.warning("The branding could not be read; using the env settings.", exc_info=True)
            return dict(_EMPTY)
        data = dict(_EMPTY) if row is None else _row_data(row)
        try:
            cache.set(CACHE_KEY, data, timeout=None)
        except Exception:
            logger.warning("The cache could not keep the branding.", exc_info=True)
    return data


def _row_data(row):
    return {"name": row.name, "primary_color": row.primary_color, "logo": row.logo.name or "",
            "favicon": row.favicon.name or "", "custom_domain": row.custom_domain,
            "updated_at": row.updated_at}  # fmt: skip


def forget():
    """Drops the cached row: the next read loads it again."""
    cache.delete(CACHE_KEY)


def remember_no_branding():
    """Caches "no Branding row", for a database known to have none (the test kit's fresh
    database at each test's start), so a page's first read costs no query there either."""
    cache.set(CACHE_KEY, dict(_EMPTY), timeout=None)


def _brand(data):
    return Brand(
        name=data["name"] or settings.AGORA_SITE_NAME,
        primary_color=data["primary_color"] or settings.AGORA_PRIMARY_COLOR,
        logo=data["logo"],
        favicon=data["favicon"],
        custom_domain=data["custom_domain"],
        updated_at=data["updated_at"],
    )


def current():
    """The Brand in force."""
    return _brand(stored())


def for_request(request):
    """current(), read once per request (a page renders several templates)."""
    brand = getattr(request, "_agora_brand", None)
    if brand is None:
        brand = current()
        if request is not None:
            request._agora_brand = brand
    return brand


def defaults():
    """The Brand the env settings give, read without the cache or the database (the 500
    page, which must render when they are what failed)."""
    return _brand(_EMPTY)


def cached_or_defaults():
    """The cached Brand if the cache holds it, else the env defaults; never a query."""
    return _brand(_cached() or _EMPTY)


# --- The custom domain and absolute links -----------------------------------------------


def custom_domain():
    return stored()["custom_domain"]


def base_url():
    """The site's address without a trailing slash: https://<custom domain> once admins set
    one, else AGORA_BASE_URL."""
    domain = custom_domain()
    if domain:
        return f"https://{domain}"
    return settings.AGORA_BASE_URL.rstrip("/")


def absolute_url(path):
    """`path` (from reverse()) or a URL that is already absolute (a file on S3)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url() + path


def trusted_origin():
    """The origin the CSRF check trusts for the custom domain ("" without one)."""
    domain = custom_domain()
    return f"https://{domain}" if domain else ""


def domain_for_host_check():
    """The custom domain, for the ALLOWED_HOSTS entry (config/settings.py) and the socket's
    Origin check. In an event loop (the socket's Origin check runs in one) the database may
    not be read: there it is the cached domain, or none on a cold cache."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return custom_domain()
    data = _cached()
    return data["custom_domain"] if data else ""


def check_env_branding(app_configs=None, **kwargs):
    """System checks: a CSRF middleware is installed (security.W003 is silenced, since it
    names only Django's, not community.middleware's subclass); AGORA_PRIMARY_COLOR, written
    into every page's stylesheet, obeys the rules admins' colours do (a format error stops
    the server, low contrast warns)."""
    from django.core import checks
    from django.core.exceptions import ValidationError

    from community.validators import clean_color

    csrf = {"django.middleware.csrf.CsrfViewMiddleware", "community.middleware.CsrfViewMiddleware"}
    if not csrf & set(settings.MIDDLEWARE):
        return [checks.Warning("No CsrfViewMiddleware in MIDDLEWARE: forms have no CSRF "
                               "protection.", id="community.W102")]  # fmt: skip
    try:
        clean_color(settings.AGORA_PRIMARY_COLOR)
    except ValidationError as refused:
        if refused.code == "low_contrast":
            return [checks.Warning(f"AGORA_PRIMARY_COLOR: {refused.messages[0]}",
                                   id="community.W101")]  # fmt: skip
        return [checks.Error(f"AGORA_PRIMARY_COLOR: {refused.messages[0]}", id="community.E101")]
    return []
