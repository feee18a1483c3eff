"""Events' analytics series (community.analytics): members going, per day of the
occurrences they said they go to."""

from django.db.models import Exists, OuterRef

from community.analytics import DAILY, Series, per_period

from .models import OccurrenceChange, Rsvp


def going_per_day(period):
    """RSVPs that say "going" to occurrences starting in the period, by the occurrence's
    original start; those of deleted or cancelled events and cancelled occurrences left
    out. One GROUP BY day on rsvp_status_start_idx."""
    cancelled = OccurrenceChange.objects.filter(
        event=OuterRef("event"), original_start=OuterRef("occurrence_start"),
        cancelled_at__isnull=False,
    )  # fmt: skip
    going = Rsvp.objects.filter(
        status=Rsvp.Status.GOING, event__deleted_at__isnull=True, event__cancelled_at__isnull=True
    ).exclude(Exists(cancelled))
    return {"going": per_period(going, "occurrence_start", period)}


SERIES = [
    Series(
        key="event_attendance",
        label="Event attendance per day",
        description="Members going to an event on each day, from their RSVPs (attendance "
        "itself is not recorded); cancelled events and occurrences are left out.",
        kind=DAILY,
        compute=going_per_day,
    ),
]
