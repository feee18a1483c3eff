"""Who may see and do what: the one place that answers it.

Naming: `can_*` returns a bool (templates use these), `check_*` raises, `visible_*` filters
a queryset. A thing that is missing and a thing the viewer may not see give the same 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import User


def is_active_member(user):
    return bool(user and user.is_authenticated and user.is_active and not user.is_banned)


def can_moderate(user):
    return is_active_member(user) and user.is_moderator


def can_view_profile(viewer, member):
    if not member.is_active:
        return False
    if member.profile_visibility == User.Visibility.PUBLIC:
        return True
    return is_active_member(viewer) and (viewer.pk == member.pk or can_moderate(viewer))


def check_can_view_profile(viewer, member):
    if not can_view_profile(viewer, member):
        raise Http404("No such member.")


def visible_members(viewer, queryset=None):
    queryset = User.objects.all() if queryset is None else queryset
    queryset = queryset.filter(is_active=True)
    if can_moderate(viewer):
        return queryset
    private = queryset.filter(profile_visibility=User.Visibility.PRIVATE)
    if is_active_member(viewer):
        private = private.exclude(pk=viewer.pk)
    return queryset.exclude(pk__in=private.values("pk"))


def can_subscribe(user, topic):
    """May this member receive the live events of `topic` (e.g. "user:12")?"""
    if not is_active_member(user):
        return False
    kind, _, ident = topic.partition(":")
    if kind == "user":
        return ident == str(user.pk)
    return False


def can_moderate_member(actor, member):
    """Moderators act on members; only admins act on other moderators and admins."""
    if not can_moderate(actor) or actor.pk == member.pk:
        return False
    if member.is_moderator:
        return actor.role == User.Role.ADMIN
    return True


def check_can_moderate_member(actor, member):
    if not can_moderate_member(actor, member):
        raise PermissionDenied("You may not moderate this member.")
