"""The member's private calendar feed: the .ics that calendar apps poll without a session
(its URL holds the secret), and the page to make, rotate or revoke it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community import branding

from .. import ical, recurrence, selectors
from ..models import CalendarFeed
from ..services import feeds


def feed(request, token):
    """The dates the feed's member is going to, as iCalendar: a 404 for a token that opens
    nothing (never issued, rotated, revoked, or its member may no longer sign in)."""
    owner = selectors.feed_owner(token)
    if owner is None:
        raise Http404("No such calendar feed.")
    events = list(selectors.feed_events(owner))
    changes = recurrence.changes_by_event(events)
    # Only the dates they go to: one date of a weekly event is that date, not every week.
    data = ical.dates_calendar(
        [
            (event, changes[event.pk], [rsvp.occurrence_start for rsvp in event.my_going])
            for event in events
        ],
        name=f"{branding.for_request(request).name}: my events",
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    # Calendar apps poll it; nothing in between should keep a copy of someone's agenda.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def manage_feed(request):
    found = CalendarFeed.objects.filter(user=request.user).first()
    url = None
    if found is not None:
        url = request.build_absolute_uri(reverse("events:feed", args=[found.token]))
    context = {
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1] if url else None,
    }
    return render(request, "events/feed.html", context)


@login_required
@require_POST
def change_feed(request, action):
    if action == "create":
        feeds.create_feed(request.user)
        messages.success(request, "Your calendar feed is ready: add its address to your calendar.")
    elif action == "rotate":
        feeds.rotate_feed(request.user)
        messages.success(request, "Your feed has a new address: the old one no longer works.")
    elif action == "revoke":
        feeds.revoke_feed(request.user)
        messages.success(request, "Your calendar feed is turned off: its address no longer works.")
    else:
        raise Http404("No such action.")
    return redirect("events:manage_feed")
