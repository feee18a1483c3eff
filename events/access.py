"""Events' own rules on top of community's gating (never a copy of it): an event is seen by
whoever may see a Gated object of its visibility, once it is not deleted; admins see every
event. A member RSVPs to one occurrence of an event they see, while neither the event nor
the occurrence is cancelled and the occurrence has not started."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from community import access

from .models import Event


def can_author(user):
    return access.can_administer(user)


def check_can_author(user):
    if not can_author(user):
        raise PermissionDenied("Only admins may edit events.")


def can_see_event(user, event):
    if event.deleted_at is not None:
        return False
    return can_author(user) or access.can_see_gated(user, event)


def can_preview_event(user, event):
    """A paid event a member may not open yet: its page shows what it is and how to get it
    (the plans), not who is going, and it takes no RSVP. Reads event.required_tier."""
    return event.deleted_at is None and access.can_preview_gated(user, event)


def check_can_see_event(user, event):
    """An event the member may not see is not there for them (404)."""
    if not can_see_event(user, event):
        raise Http404("No such event.")


def visible_events(user, queryset=None):
    queryset = Event.objects.alive() if queryset is None else queryset.alive()
    if can_author(user):
        return queryset
    return access.visible_gated(user, queryset)


def can_rsvp(user, event, occurrence, *, now=None):
    """What check_can_rsvp says, as a bool (the page shows the RSVP buttons or not)."""
    try:
        check_can_rsvp(user, event, occurrence, now=now)
    except (PermissionDenied, Http404):
        return False
    return True


def check_can_rsvp(user, event, occurrence, *, now=None):
    """`occurrence`: events.recurrence.Occurrence, or None when the event has none at the
    asked start (a 404, as for a missing event)."""
    if not access.is_active_member(user):
        raise PermissionDenied("Sign in to RSVP.")
    if not can_see_event(user, event):
        if can_preview_event(user, event):
            raise PermissionDenied(
                f"RSVPs to this event are for {event.required_tier.name} members."
            )
        raise Http404("No such event.")
    if event.cancelled_at is not None:
        raise PermissionDenied("This event was cancelled.")
    if occurrence is None:
        raise Http404("No such occurrence of this event.")
    if occurrence.cancelled:
        raise PermissionDenied("This occurrence was cancelled.")
    # A moved occurrence counts from its new start.
    if occurrence.starts_at <= (now or timezone.now()):
        raise PermissionDenied("This occurrence has already started: RSVPs are closed.")


def may_receive_event_topic(user, event_id):
    event = Event.objects.filter(pk=event_id).first()
    return event is not None and can_see_event(user, event)
