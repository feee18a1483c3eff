"""An event's page, for one occurrence: when (the member's zone, and the event's when they
differ), where, seats, who is going, the member's RSVP, "add to calendar" and its .ics.

/events/<slug>/ shows the next occurrence (or, for an event that is over, its last one
shown in the archive: the first); /events/<slug>/<original start, 20261210T180000Z>/ a
given one. An event the viewer may not see is a 404; a paid one they may only preview
shows what it is and the plans. Thin: selectors read, services.rsvps writes, access
decides."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods

from .. import access, ical, recurrence, selectors
from ..models import Event, Rsvp
from ..services import rsvps
from .common import occurrence_key

# Sent with an htmx RSVP answer: the attendees on the page fetch themselves again.
RSVP_EVENT = "event-rsvp"
# Who is going, shown by face and name; the count says how many more.
ATTENDEES_SHOWN = 48
# The other dates of a series listed beside an occurrence.
OTHER_DATES = 6


def _pricing_url():
    try:  # the pricing page, once the payments app registers it
        return reverse("payments:pricing")
    except NoReverseMatch:
        return None


def _event(request, slug):
    """The event, if the viewer may see it or preview it (then `is_locked`), else 404."""
    event = Event.objects.alive().select_related("required_tier").filter(slug=slug).first()
    if event is None:
        raise Http404("No such event.")
    event.is_locked = not access.can_see_event(request.user, event)
    if event.is_locked and not access.can_preview_event(request.user, event):
        raise Http404("No such event.")
    return event


def _default_occurrence(event):
    """The occurrence /events/<slug>/ shows: the next one not cancelled, else the next one
    at all, else the event's first."""
    now = timezone.now()
    changes = list(event.changes.all())
    found = recurrence.next_occurrence(event, now, changes=changes)
    if found is None:
        upcoming = recurrence.occurrences(
            event, start=now, end=now + timedelta(days=366), changes=changes
        )
        found = upcoming[0] if upcoming else None
    if found is None:
        first = recurrence.occurrences(
            event, start=event.starts_at, end=event.starts_at + timedelta(days=366),
            changes=changes,
        )  # fmt: skip
        found = first[0] if first else None
    if found is None:
        raise Http404("This event has no date.")
    return found


def _occurrence(event, start):
    found = recurrence.occurrence_at(event, start)
    if found is None:
        raise Http404("No such occurrence of this event.")
    return found


def _urls(occurrence):
    args = [occurrence.event.slug, occurrence_key(occurrence.original_start)]
    return {
        "occurrence_url": reverse("events:occurrence", args=args),
        "rsvp_url": reverse("events:rsvp", args=args),
        "attendees_url": reverse("events:attendees", args=args),
    }


def _attendees_context(event, occurrence):
    start = occurrence.original_start
    going = selectors.attendees(event, occurrence_start=start)
    going_count = going.count()
    return {
        "going": list(going[:ATTENDEES_SHOWN]),
        "going_count": going_count,
        "more_going": max(going_count - ATTENDEES_SHOWN, 0),
        "seats_left": None if event.capacity is None else max(event.capacity - going_count, 0),
        "waiting_count": selectors.attendees(
            event, occurrence_start=start, status=Rsvp.Status.WAITLISTED
        ).count(),
    }


def _rsvp_context(request, event, occurrence):
    mine, position = None, None
    if request.user.is_authenticated:
        start = occurrence.original_start
        mine = Rsvp.objects.filter(event=event, occurrence_start=start, user=request.user).first()
        if mine is not None and mine.status == Rsvp.Status.WAITLISTED:
            ahead = selectors.attendees(
                event, occurrence_start=start, status=Rsvp.Status.WAITLISTED
            ).filter(status_changed_at__lt=mine.status_changed_at)
            position = ahead.count() + 1
    return {
        "mine": mine,
        "my_status": mine.status if mine else None,
        "position": position,
        "can_rsvp": access.can_rsvp(request.user, event, occurrence),
        "choices": [(s.value, s.label) for s in rsvps.CHOICES],
    }


def _context(request, event, occurrence):
    now = timezone.now()
    others = []
    if event.is_recurring:
        others = [
            (o, reverse("events:occurrence", args=[event.slug, occurrence_key(o.original_start)]))
            for o in recurrence.occurrences(event, start=now, end=now + timedelta(days=400))
            if o.original_start != occurrence.original_start
        ][:OTHER_DATES]
    return {
        "event": event,
        "occurrence": occurrence,
        "is_past": occurrence.ends_at <= now,
        "is_moved": occurrence.starts_at != occurrence.original_start,
        "other_zone": event.time_zone != timezone.get_current_timezone_name(),
        "google_url": ical.google_calendar_url(occurrence),
        "others": others,
        "can_author": access.can_author(request.user),
        "live_topic": f"event:{event.pk}",
        **_urls(occurrence),
        **_attendees_context(event, occurrence),
        **_rsvp_context(request, event, occurrence),
    }


def _locked(request, event, occurrence, *, status=200):
    context = {"event": event, "occurrence": occurrence, "tier": event.required_tier,
               "pricing_url": _pricing_url()}  # fmt: skip
    return render(request, "events/event_locked.html", context, status=status)


def event(request, slug, start=None):
    event = _event(request, slug)
    occurrence = _default_occurrence(event) if start is None else _occurrence(event, start)
    if event.is_locked:
        return _locked(request, event, occurrence)
    return render(request, "events/event.html", _context(request, event, occurrence))


def attendees(request, slug, start):
    """The attendees and seats fragment, fetched again when an RSVP or the event changes."""
    event = _event(request, slug)
    if event.is_locked:
        raise Http404("No such event.")
    occurrence = _occurrence(event, start)
    context = {"event": event, "occurrence": occurrence, **_urls(occurrence),
               **_attendees_context(event, occurrence)}  # fmt: skip
    return render(request, "events/event.html#attendees", context)


def _answered(occurrence, row):
    when = formats.date_format(timezone.localtime(occurrence.starts_at), "D j M, H:i")
    if row.status == Rsvp.Status.WAITLISTED:
        return f"“{occurrence.title}” is full: you are on the waitlist for {when}."
    said = {Rsvp.Status.GOING: "You are going to", Rsvp.Status.MAYBE: "You might go to"}
    return f"{said.get(row.status, 'You are not going to')} “{occurrence.title}” on {when}."


def _refusal(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not answer for this event."


@require_http_methods(["GET", "POST"])
def rsvp(request, slug, start):
    """POST: the member's answer (going, maybe, not going) to one occurrence; refusals are
    messages. GET: the RSVP fragment, fetched again when the occurrence's RSVPs change."""
    event = _event(request, slug)
    occurrence = _occurrence(event, start)
    url = reverse("events:occurrence", args=[event.slug, occurrence_key(start)])
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(url)
    error = None
    if request.method == "POST":
        try:
            row = rsvps.rsvp(request.user, event=event, occurrence_start=occurrence.original_start,
                             status=request.POST.get("status", ""))  # fmt: skip
        except (PermissionDenied, ValidationError) as refusal:
            error = _refusal(refusal)
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _answered(occurrence, row))
            return redirect(url)
    if event.is_locked:
        raise Http404("No such event.")
    context = {"event": event, "occurrence": occurrence, "error": error, **_urls(occurrence),
               **_rsvp_context(request, event, occurrence)}  # fmt: skip
    response = render(request, "events/event.html#rsvp", context)
    if request.method == "POST" and not error:
        response["HX-Trigger"] = RSVP_EVENT
    return response


def event_ics(request, slug):
    """The event (every occurrence, its changes) as an iCalendar file."""
    event = _event(request, slug)
    if event.is_locked:
        raise Http404("No such event.")
    data = ical.calendar_for([(event, list(event.changes.all()))], name=event.title)
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
