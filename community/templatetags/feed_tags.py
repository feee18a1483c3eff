"""Per-card questions for the post card, answered by access.py (no queries: the card's post
comes with its space joined, and the viewer's tiers are remembered per request)."""

from django import template

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
