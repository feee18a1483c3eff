from django.http import Http404
from django.shortcuts import get_object_or_404

from community import access
from community.models import ApiToken, Space, Tier, User


def member_profile(viewer, member_id):
    """The member whose profile `viewer` asked for, or 404 if missing or not visible."""
    member = get_object_or_404(User, pk=member_id)
    access.check_can_view_profile(viewer, member)
    return member


def api_tokens(member):
    return ApiToken.objects.filter(user=member).order_by("revoked_at", "-created_at")


def active_api_token(raw_key):
    """The live token whose key this is, with its member joined, or None (one query; the key
    is compared by its hash, the only form stored)."""
    return (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw_key))
        .first()
    )


def spaces_for(viewer):
    """The spaces the viewer may see, in the admins' order."""
    return access.visible_spaces(viewer).select_related("required_tier").order_by("position", "id")


def managed_space(viewer, space_id):
    """A live space for the admins' management pages, or 404: for everyone who is not an
    admin these pages do not exist at all."""
    if not access.can_administer(viewer):
        raise Http404("No such page.")
    return get_object_or_404(Space.objects.alive(), pk=space_id)


def space_by_slug(viewer, slug):
    space = get_object_or_404(Space.objects.select_related("required_tier"), slug=slug)
    access.check_can_see_space(viewer, space)
    return space


def tiers():
    return Tier.objects.order_by("name")
