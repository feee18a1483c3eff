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


def spaces_for(viewer):
    """The spaces the viewer may see, in the admins' order."""
    return access.visible_spaces(viewer).select_related("required_tier").order_by("position", "id")


def space_by_slug(viewer, slug):
    space = get_object_or_404(Space.objects.select_related("required_tier"), slug=slug)
    access.check_can_see_space(viewer, space)
    return space


def tiers():
    return Tier.objects.order_by("name")
