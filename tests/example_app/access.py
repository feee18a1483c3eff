"""The app's own rules, built on community's gating (never a copy of it)."""

from community import access

from .models import Workshop


def can_see_workshop(user, workshop):
    return workshop.cancelled_at is None and access.can_see_gated(user, workshop)


def may_receive_workshop_topic(user, workshop_id):
    workshop = Workshop.objects.filter(pk=workshop_id).first()
    return workshop is not None and can_see_workshop(user, workshop)
