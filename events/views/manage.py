"""The admins' event pages under /events/manage/: the list, the event form (with the repeat
builder), cancelling and deleting after a question, one date of a series (change it alone
or with the dates after it, or cancel it), and importing an .ics file. Thin: events.services
write and validate, and their refusals go on the forms (400).

Only admins (events.access.can_author) get these pages; everyone else a 403."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone

from community.forms import apply_service_errors
from community.pagination import keyset_page
from community.views.common import form_status, page_url

from .. import recurrence
from ..access import check_can_author
from ..forms import SCOPE_FOLLOWING, EventForm, ImportForm, OccurrenceForm
from ..models import Event
from ..services import authoring, imports, occurrences
from .common import occurrence_key

# The list: every event still to come (or repeating) first, at most this many, then the
# past ones, a page at a time, newest first.
UPCOMING_SHOWN = 200
PAST_PAGE = 50


def _event(request, event_id):
    check_can_author(request.user)
    event = Event.objects.alive().select_related("required_tier").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def _occurrence(event, start):
    found = recurrence.occurrence_at(event, start)
    if found is None:
        raise Http404("No such occurrence of this event.")
    return found


def _run(form, call):
    """Calls the service; its refusals go on the form (a bad repeat rule under "Repeats").
    Returns what it returned, or None."""
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict") and "rrule" in error.error_dict:
            error = ValidationError(
                {
                    ("freq" if name == "rrule" else name): errors
                    for name, errors in error.error_dict.items()
                }
            )
        apply_service_errors(form, error)
    return None


def _member_url(event, occurrence_start=None):
    if occurrence_start is None:
        return reverse("events:event", args=[event.slug])
    return reverse("events:occurrence", args=[event.slug, occurrence_key(occurrence_start)])


def _confirmed(request):
    """A POST without `confirm=yes` (the dialog's) shows a page that asks first."""
    return request.method == "POST" and request.POST.get("confirm") == "yes"


# --- The list ---------------------------------------------------------------------------------


def _upcoming(now):
    """Events that may still happen: one-offs not over, and every series (whether it has a
    date left is read from its rule), each with its next date. Two queries."""
    events = list(
        Event.objects.alive()
        .select_related("required_tier")
        .filter(Q(ends_at__gte=now) | ~Q(rrule="") | ~Q(rdates=[]))
        .order_by("starts_at", "id")[:UPCOMING_SHOWN]
    )
    changes = recurrence.changes_by_event(events)
    for event in events:
        event.next = recurrence.next_occurrence(event, now, changes=changes[event.pk])
    ended = [e for e in events if e.is_recurring and e.next is None and e.cancelled_at is None]
    events = [event for event in events if event not in ended]
    events.sort(key=lambda e: e.next.starts_at if e.next else e.starts_at)
    return events, ended


def _past(request, now):
    """One-off events over, newest first, PAST_PAGE after the ?cursor= (a 404 when it is
    not one). One query."""
    past = (
        Event.objects.alive()
        .select_related("required_tier")
        .filter(ends_at__lt=now, rrule="", rdates=[])
    )
    try:
        return keyset_page(past, cursor=request.GET.get("cursor"), size=PAST_PAGE,
                           fields=("starts_at", "id"))  # fmt: skip
    except ValidationError:
        raise Http404("No such page of events.") from None


def manage_events(request):
    check_can_author(request.user)
    now, is_first_page = timezone.now(), not request.GET.get("cursor")
    upcoming, ended = _upcoming(now) if is_first_page else ([], [])
    past = _past(request, now)
    context = {
        "upcoming": upcoming,
        "ended": ended,
        "upcoming_capped": len(upcoming) + len(ended) >= UPCOMING_SHOWN,
        "upcoming_limit": UPCOMING_SHOWN,
        "past": past.items,
        "older_url": page_url(request, cursor=past.next_cursor) if past.next_cursor else None,
        "is_first_page": is_first_page,
        "section": "events",
    }
    return render(request, "events/manage/events.html", context)


# --- The event form ---------------------------------------------------------------------------


def _event_form(request, *, event=None):
    zone = getattr(request.user, "time_zone", "") or timezone.get_default_timezone_name()
    form = EventForm(request.POST or None, request.FILES or None, event=event, time_zone=zone)
    if request.method == "POST" and form.is_valid():
        if event is None:
            saved = _run(form, lambda: authoring.create_event(
                request.user, **form.create_kwargs()))  # fmt: skip
            done = "“{}” is created."
        else:
            changes = _run(form, form.changes)
            if changes == {}:
                messages.info(request, f"“{event.title}”: nothing changed.")
                return redirect(_member_url(event))
            saved = changes and _run(form, lambda: authoring.update_event(
                request.user, event=event, **changes))  # fmt: skip
            done = "“{}” is saved."
        if saved:
            messages.success(request, done.format(saved.title))
            return redirect(_member_url(saved))
        if event is not None:
            event.refresh_from_db()  # the service set the refused values on it
    context = {"form": form, "event": event, "section": "events"}
    return render(request, "events/manage/event_form.html", context, status=form_status(form))


def manage_new_event(request):
    check_can_author(request.user)
    return _event_form(request)


def manage_edit_event(request, event_id):
    return _event_form(request, event=_event(request, event_id))


def _after_asking(request, *, event, verb, consequence, back, call, done, then,
                  occurrence=None):  # fmt: skip
    """A POST with `confirm=yes` (the dialog's, or this page's) calls the service and goes
    to `then`; anything else shows a page that asks first."""
    if not _confirmed(request):
        context = {"event": event, "verb": verb, "consequence": consequence, "back": back,
                   "occurrence": occurrence, "section": "events"}  # fmt: skip
        return render(request, "events/manage/confirm.html", context)
    call()
    messages.success(request, done)
    return redirect(then)


def manage_cancel_event(request, event_id):
    event = _event(request, event_id)
    return _after_asking(
        request,
        event=event,
        verb="cancel",
        consequence="Every date is off: the event stays listed as cancelled, members who "
        "RSVPed are told, and it takes no more RSVPs.",
        back=_member_url(event),
        call=lambda: authoring.cancel_event(request.user, event=event),
        done=f"“{event.title}” is cancelled.",
        then=reverse("events:manage_events"),
    )


def manage_delete_event(request, event_id):
    event = _event(request, event_id)
    return _after_asking(
        request,
        event=event,
        verb="delete",
        consequence="It leaves every list, page and calendar feed; its RSVPs are kept for "
        "the record.",
        back=_member_url(event),
        call=lambda: authoring.delete_event(request.user, event=event),
        done=f"“{event.title}” is deleted.",
        then=reverse("events:manage_events"),
    )


# --- One date of a series ---------------------------------------------------------------------


def _series_occurrence(request, event_id, start):
    event = _event(request, event_id)
    if not event.is_recurring:
        raise Http404("A one-off event is edited as a whole.")
    return event, _occurrence(event, start)


def manage_occurrence(request, event_id, start):
    event, occurrence = _series_occurrence(request, event_id, start)
    form = OccurrenceForm(request.POST or None, request.FILES or None, event=event,
                          occurrence=occurrence)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        original = occurrence.original_start
        if form.cleaned_data["scope"] == SCOPE_FOLLOWING:
            changes = _run(form, form.following_changes)
            call = lambda: occurrences.split_series(  # noqa: E731
                request.user, event=event, original_start=original, **changes)  # fmt: skip
        else:
            changes = form.only_changes()
            call = lambda: occurrences.change_occurrence(  # noqa: E731
                request.user, event=event, original_start=original, **changes)  # fmt: skip
        if changes == {}:
            messages.info(request, "Nothing changed.")
            return redirect(_member_url(event, original))
        saved = changes and _run(form, call)
        if saved:
            messages.success(request, _changed_message(form, saved, occurrence))
            if isinstance(saved, Event):  # the series that holds this date and the later ones
                return redirect(_member_url(saved))
            return redirect(_member_url(event, original))
        event.refresh_from_db()
    context = {"form": form, "event": event, "occurrence": occurrence, "section": "events",
               "member_url": _member_url(event, occurrence.original_start)}  # fmt: skip
    return render(request, "events/manage/occurrence.html", context, status=form_status(form))


def _changed_message(form, saved, occurrence):
    if form.cleaned_data["scope"] == SCOPE_FOLLOWING:
        return f"“{saved.title}” is changed from {_when(occurrence)} on."
    return f"The date of {_when(occurrence)} is changed."


def _when(occurrence):
    return formats.date_format(timezone.localtime(occurrence.original_start), "D j M Y, H:i")


def manage_cancel_occurrence(request, event_id, start):
    event, occurrence = _series_occurrence(request, event_id, start)
    original = occurrence.original_start
    return _after_asking(
        request,
        event=event,
        verb="cancel",
        occurrence=occurrence,
        consequence="This date is off (the others stay); members who RSVPed to it are told.",
        back=reverse("events:manage_occurrence", args=[event.pk, start]),
        call=lambda: occurrences.cancel_occurrence(
            request.user, event=event, original_start=original
        ),
        done=f"The date of {_when(occurrence)} is cancelled.",
        then=_member_url(event, original),
    )


# --- Import -----------------------------------------------------------------------------------


def manage_import(request):
    check_can_author(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = _run(form, lambda: imports.import_calendar(
            request.user, upload=data["file"], visibility=data["visibility"],
            required_tier=data["required_tier"]))  # fmt: skip
    imported, skipped = result or ([], [])
    context = {"form": form, "imported": imported, "skipped": skipped,
               "is_done": result is not None, "section": "events"}  # fmt: skip
    return render(request, "events/manage/import.html", context, status=form_status(form))
