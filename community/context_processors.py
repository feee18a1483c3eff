import functools

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from . import access, branding
from .selectors.reports import open_report_count
from .selectors.sidebar import request_spaces

# Areas of the product, in the order the navigation shows them. An area appears once its
# app registers the URL name, so the menu never links to a page that does not exist.
NAVIGATION = [
    ("Home", "community:feed"),
    ("Courses", "courses:catalog"),
    ("Events", "events:list"),
    ("Members", "community:directory"),
    ("Leaderboard", "gamification:leaderboard"),
    ("Messages", "messaging:inbox"),
    ("Plans", "payments:pricing"),
]


@functools.cache
def _navigation(urlconf):
    """The menu's links, reversed once per process (per URLconf): they never change while it
    runs, and reverse() is a tenth of a page's template time (docs/rendering.md)."""
    items = []
    for label, url_name in NAVIGATION:
        try:
            url = reverse(url_name, urlconf=urlconf)
            items.append({"label": label, "url": url, "name": url_name})
        except NoReverseMatch:
            continue
    return items


def _sidebar_spaces(request):
    """The request's spaces, each with its `url` and `is_current`, worked out here rather
    than by the template for every item (docs/rendering.md, rules 1 and 3)."""
    spaces = request_spaces(request)
    marker = "space-slug"
    url_pattern = reverse("community:space", args=[marker])  # one reverse() for the list
    for space in spaces:
        space.url = url_pattern.replace(marker, space.slug)
        space.is_current = space.url == request.path
    return spaces


def site(request):
    user = getattr(request, "user", None)
    can_moderate = access.can_moderate(user)
    brand = branding.for_request(request)
    return {
        "brand": brand,
        "site_name": brand.name,
        "site_primary_color": brand.primary_color,
        "navigation": _navigation(getattr(request, "urlconf", None) or settings.ROOT_URLCONF),
        "can_moderate": can_moderate,
        # Moderators only, and lazily: one count, run only by pages that show the header.
        "open_report_count": functools.cache(lambda: open_report_count(user))
        if can_moderate
        else None,
        "can_administer": access.can_administer(user),
        "live_topics": f"user:{user.pk}" if user is not None and user.is_authenticated else "",
        # Called by the template, so only pages that show the sidebar read it; one list per
        # request, shared with the page (the feed's filters and compose form read it too).
        "sidebar_spaces": functools.cache(functools.partial(_sidebar_spaces, request)),
    }
