"""A member's private calendar feed: a URL holding a secret token, which calendar apps
(Google, Apple, Outlook) poll without a session. Rotating gives a new token (the old URL
stops working at once); revoking removes the feed."""

import secrets

from django.db import IntegrityError, transaction

from community import access as community_access

from ..models import CalendarFeed


def _new_token():
    return secrets.token_urlsafe(32)  # 256 random bits, 43 characters


def create_feed(actor):
    """The member's feed, made on first asking (asking again, or twice at once, gives the
    same feed and token)."""
    community_access.check_is_active_member(actor)
    feed = CalendarFeed.objects.filter(user=actor).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=actor, token=_new_token())
    except IntegrityError:
        # The member's other request made it a moment ago.
        return CalendarFeed.objects.get(user=actor)


def rotate_feed(actor):
    """A new secret for the member's feed (made if they had none): whoever held the old URL
    gets nothing from it any more."""
    community_access.check_is_active_member(actor)
    feed, created = CalendarFeed.objects.get_or_create(user=actor, defaults={"token": _new_token()})
    if not created:
        feed.token = _new_token()
        feed.save(update_fields=["token"])
    return feed


def revoke_feed(actor):
    """Removes the member's feed; True if there was one."""
    community_access.check_is_active_member(actor)
    deleted, _ = CalendarFeed.objects.filter(user=actor).delete()
    return deleted > 0
