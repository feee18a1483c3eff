"""Rows rendered once and reused for every viewer: the mechanism every list row uses (post
cards and comments here; courses, events, notifications and messages copy it). The why and
the numbers: docs/rendering.md.

A card is rendered once per version of what it shows, kept in the cache and reused for every
viewer. What differs per viewer is marked in the cached HTML and filled per request, without
rendering the card again:

- a *slot*, `{% viewer_slot "csrf" %}`: a value, such as the CSRF token or the page's path;
- a *section*, `{% viewer_section "edit" %}…{% end_viewer_section %}`: kept or dropped, such
  as the edit menu (its author) or "Liked" (a member who liked it).

`{% csrf_token %}` works unchanged in a card: it writes the csrf slot.

The cache key is a digest of every value the card shows (`CardKind.version`), of the card's
templates, of the variant and of the viewer's time zone and audience (visitor or member). A
changed value (an edit, a hide, a renamed space, a new avatar) is a new key: nothing is
invalidated by hand, and no stale card is ever served. Relative times ("3 minutes ago") are
written by static/agora/times.js from `<time datetime>`; the card holds the absolute time.

Markers are delimited by NUL, which no stored text can hold: PostgreSQL refuses it in text
and NulCharacterMiddleware refuses it in every request, so no member's words can fake one.

A cache that is cold or down costs time, never a page: a miss renders and fills, and the
Redis backend answers a failed call as a miss (config/settings.py, redis_cache).
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_MARKER = re.compile(r"\x00\?(\w+)\x00(.*?)\x00/\1\x00|\x00(\w+)\x00", re.DOTALL)


def slot(name):
    return SafeString(f"\x00{name}\x00")


def section(name, content):
    return SafeString(f"\x00?{name}\x00{content}\x00/{name}\x00")


def fill(html, state):
    """The card as one viewer sees it: each slot replaced by its value (already escaped),
    each section kept (True) or dropped (False); `not_<name>` is kept when `<name>` is
    dropped (a section's {% else %}). A marker without a value is a KeyError:
    a card never reaches the page half filled."""

    def replace(match):
        name = match.group(1)
        if name:
            kept = state[name] if name in state else not state[name.removeprefix("not_")]
            return fill(match.group(2), state) if kept else ""
        return state[match.group(3)]

    return mark_safe(_MARKER.sub(replace, html))  # noqa: S308 - rendered by the template engine


def request_state(request):
    """The slots every card of a request shares (computed once per request)."""
    state = getattr(request, "_card_request_state", None)
    if state is None:
        state = {
            "csrf": get_token(request),
            "next": escape(request.get_full_path()),
            "login_next": escape(quote(request.path)),
        }
        request._card_request_state = state
    return state


@dataclass(frozen=True)
class CardKind:
    """One kind of row. `version(obj)` returns every value the card shows (the cache key
    is its digest); `viewer_state(request, obj)` the sections and slots for one viewer;
    `template` the card's template and `includes` those it includes (a changed template is
    a new key); `context(obj)` what the template receives besides `obj` under the kind's
    name."""

    name: str
    template: str
    version: Callable[[Any], tuple]
    viewer_state: Callable[[Any, Any], dict]
    includes: tuple = ()
    context: Callable[[Any], dict] = field(default=lambda obj: {})

    @cached_property
    def revision(self):
        sources = [get_template(name).template.source for name in (self.template, *self.includes)]
        return hashlib.blake2b("\x00".join(sources).encode(), digest_size=8).hexdigest()

    def key(self, obj, rendered_for):
        """`rendered_for`: this kind's revision, the variant, the time zone and the audience."""
        digest = hashlib.blake2b(repr((rendered_for, self.version(obj))).encode(), digest_size=16)
        return f"card:{self.name}:{obj.pk}:{digest.hexdigest()}"

    def render_uncached(self, obj, variant, audience):
        context = {self.name: obj, "variant": variant, "signed_in": audience == "member",
                   "csrf_token": slot("csrf"), **self.context(obj)}  # fmt: skip
        return get_template(self.template).render(context)


kinds = {}


def register_kind(kind):
    """Makes `{% cards "<name>" objects %}` render this kind (apps register theirs in
    AppConfig.ready(), the way they register live topics and audit actions)."""
    if kinds.get(kind.name, kind) is not kind:
        raise ValueError(f"A card kind named {kind.name!r} is already registered.")
    kinds[kind.name] = kind
    return kind


def render_cards(request, kind, objects, *, variant=""):
    """The cards of `objects` as the request's viewer sees them, in order: one cache read
    for the whole list, the misses rendered and stored in one write."""
    objects = list(objects)
    if not objects:
        return []
    audience = "member" if request.user.is_authenticated else "visitor"
    rendered_for = (kind.revision, variant, timezone.get_current_timezone_name(), audience)
    keys = [kind.key(obj, rendered_for) for obj in objects]
    found = cache.get_many(keys)
    missing = {}
    for key, obj in zip(keys, objects, strict=True):
        if key not in found:
            missing[key] = found[key] = kind.render_uncached(obj, variant, audience)
    if missing:
        cache.set_many(missing, timeout=settings.AGORA_CARD_CACHE_SECONDS)
    shared = request_state(request)
    return [
        fill(found[key], {**shared, **kind.viewer_state(request, obj)})
        for key, obj in zip(keys, objects, strict=True)
    ]


def render_fragment(request, template, context, state):
    """A piece of a card rendered alone for one viewer (the like button after a toggle),
    from the same template the card includes, so the two never differ."""
    html = get_template(template).render(
        {**context, "signed_in": request.user.is_authenticated, "csrf_token": slot("csrf")}
    )
    return fill(html, {**request_state(request), **state})
