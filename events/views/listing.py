"""The events a member may see: the upcoming list (a window of 60 days, at most PAGE_SIZE
occurrences a page: "more" goes on in the window, "later" moves it), the past archive
(newest first, "earlier" moves it back) and the month view (Monday first). Each reads the
events of its window in one query and their changes in one more, whatever their number: a
series is expanded in Python for the window only. Times are the member's (the active zone),
days are the member's days."""

import calendar
from datetime import date, timedelta
from itertools import groupby

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from community.views.common import page_url

from .. import access, selectors
from ..card_kinds import OccurrenceRow
from ..selectors import occurrence_page, occurrences_in_window
from .common import local_midnight, occurrence_key

WINDOW_DAYS = 60
PAGE_SIZE = 40
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day_param(request, name):
    """?from= / ?before= as a date, None when absent; a 404 when it is not one."""
    value = request.GET.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404("No such page of events.") from None


def _rows(request, occurrences):
    """The occurrences as cards, each with its URL (one reverse() for the list) and the
    viewer's RSVP (one query for the list)."""
    prefix = reverse("events:occurrence", args=["slug", "20000101T000000Z"]).removesuffix(
        "slug/20000101T000000Z/"
    )
    mine = selectors.my_rsvps(request.user, occurrences)
    rows = []
    for o in occurrences:
        key = occurrence_key(o.original_start)
        rows.append(OccurrenceRow(occurrence=o, key=key, url=f"{prefix}{o.event.slug}/{key}/",
                                  is_locked=o.event.is_locked,
                                  my_status=mine.get((o.event.pk, o.original_start))))  # fmt: skip
    return rows


def _by_day(rows):
    """[(the member's day, its rows)], in the rows' order."""
    local_day = lambda row: timezone.localtime(row.occurrence.starts_at).date()  # noqa: E731
    return [(day, list(group)) for day, group in groupby(rows, key=local_day)]


def _page(request, **window):
    """One page of the window's occurrences (PAGE_SIZE at most, so that a busy window's
    page stays the same size), after the `cursor` the previous page's "More" link gave."""
    try:
        return occurrence_page(request.user, cursor=request.GET.get("cursor"), size=PAGE_SIZE,
                               **window)  # fmt: skip
    except ValidationError:
        raise Http404("No such page of events.") from None


def upcoming(request):
    today = timezone.localdate()
    first = _day_param(request, "from") or today
    last = first + timedelta(days=WINDOW_DAYS)
    # Today's window starts now: what ended this morning is in the archive.
    start = timezone.now() if first == today else local_midnight(first)
    page = _page(request, start=start, end=local_midnight(last))
    context = {
        "days": _by_day(_rows(request, page.items)),
        "first": first,
        "last": last - timedelta(days=1),
        "more_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
        "later_url": f"{reverse('events:list')}?from={last.isoformat()}",
        "earlier_url": (
            f"{reverse('events:list')}?from={(first - timedelta(days=WINDOW_DAYS)).isoformat()}"
            if first > today
            else None
        ),
        "is_first_window": first == today,
        "can_author": access.can_author(request.user),
        "today": today,
    }
    return render(request, "events/list.html", context)


def past(request):
    today = timezone.localdate()
    before = _day_param(request, "before") or today
    if before > today:
        raise Http404("The archive lists past events.")
    first = before - timedelta(days=WINDOW_DAYS)
    end = timezone.now() if before == today else local_midnight(before)
    page = _page(request, start=local_midnight(first), end=end, newest_first=True)
    # Only what has begun: an occurrence running now is still in the upcoming list.
    occurrences = [o for o in page.items if o.starts_at < end]
    context = {
        "days": _by_day(_rows(request, occurrences)),
        "more_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
        "first": first,
        "last": before,
        "earlier_url": f"{reverse('events:past')}?before={first.isoformat()}",
        "later_url": _later_archive_url(before, today),
        "today": today,
    }
    return render(request, "events/past.html", context)


def _later_archive_url(before, today):
    if before >= today:
        return None
    later = before + timedelta(days=WINDOW_DAYS)
    url = reverse("events:past")
    return url if later >= today else f"{url}?before={later.isoformat()}"


# --- The month view --------------------------------------------------------------------------


def _days_covered(occurrence):
    """The member's days an occurrence is on (its last day is the one before a midnight
    end); at most a few weeks, as a long event does not fill the whole grid."""
    first = timezone.localtime(occurrence.starts_at).date()
    end = timezone.localtime(occurrence.ends_at)
    last = end.date() - timedelta(days=1) if end.time() == end.time().min else end.date()
    last = min(max(last, first), first + timedelta(days=42))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _day(day, by_day, month, today):
    return {
        "date": day,
        "rows": by_day.get(day, []),
        "in_month": day.month == month,
        "is_today": day == today,
    }


def month(request, year=None, month=None):
    today = timezone.localdate()
    year, month = (year, month) if year else (today.year, today.month)
    if not (1 <= month <= 12 and 1900 <= year <= 9000):
        raise Http404("No such month.")
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
    occurrences = occurrences_in_window(
        request.user, start=local_midnight(start), end=local_midnight(end)
    )
    by_day = {}
    for row in _rows(request, occurrences):
        for day in _days_covered(row.occurrence):
            by_day.setdefault(day, []).append(row)
    previous = date(year, month, 1) - timedelta(days=1)
    following = date(year, month, 28) + timedelta(days=4)
    context = {
        "month": date(year, month, 1),
        "weekdays": WEEKDAYS,
        "weeks": [[_day(day, by_day, month, today) for day in week] for week in weeks],
        "agenda": [(day, by_day[day]) for day in sorted(by_day) if day.month == month],
        "previous_url": reverse("events:calendar_month", args=[previous.year, previous.month]),
        "next_url": reverse("events:calendar_month", args=[following.year, following.month]),
        "this_month_url": reverse("events:calendar"),
        "is_this_month": (year, month) == (today.year, today.month),
    }
    return render(request, "events/calendar.html", context)
