import functools

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from . import access
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
]


def _navigation():
    items = []
    for label, url_name in NAVIGATION:
        try:
            items.append({"label": label, "url": reverse(url_name), "name": url_name})
        except NoReverseMatch:
            continue
    return items


def site(request):
    user = getattr(request, "user", None)
    can_moderate = access.can_moderate(user)
    return {
        "site_name": settings.AGORA_SITE_NAME,
        "site_primary_color": settings.AGORA_PRIMARY_COLOR,
        "navigation": _navigation(),
        "can_moderate": can_moderate,
        # Moderators only, and lazily: one count, run only by pages that show the header.
        "open_report_count": functools.cache(lambda: open_report_count(user))
        if can_moderate
        else None,
        "can_administer": access.can_administer(user),
        "live_topics": f"user:{user.pk}" if user is not None and user.is_authenticated else "",
        # Called by the template, so only pages that show the sidebar read it; one list per
        # request, shared with the page (the feed's filters and compose form read it too).
        "sidebar_spaces": functools.partial(request_spaces, request),
    }
