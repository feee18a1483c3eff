from django.shortcuts import get_object_or_404

from . import access
from .models import ApiToken, User


def member_profile(viewer, member_id):
    """The member whose profile `viewer` asked for, or 404 if missing or not visible."""
    member = get_object_or_404(User, pk=member_id)
    access.check_can_view_profile(viewer, member)
    return member


def api_tokens(member):
    return ApiToken.objects.filter(user=member).order_by("revoked_at", "-created_at")
