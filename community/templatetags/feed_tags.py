"""Per-card questions for the post card, answered by access.py (no queries: the card's post
comes with its space joined, and the viewer's tiers are remembered per request)."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from community import access

register = template.Library()


@register.filter
def editable_by(post, user):
    """{% if post|editable_by:user %}: the author or a moderator may edit and delete."""
    return access.can_edit_post(user, post)


@register.filter
def moderatable_by(post, user):
    """{% if post|moderatable_by:user %}: moderators and admins pin and hide."""
    return access.can_pin_or_hide(user, post)


@register.filter
def ago(value):
    """{{ post.created_at|ago }}: "just now" under a minute, else "3 hours ago". Django's
    timesince joins number and unit with a no-break space, so templates never compare it."""
    if not value:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"
