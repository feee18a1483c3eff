"""The analytics' daily rollups (community.analytics): the stored figures of the closed days
of every rolled-up series, written by the nightly task and `manage.py rollup_analytics`."""

import datetime

from django.db import transaction
from django.utils import timezone

from community import analytics
from community.models import DailyFigure

# Each run counts the last closed days again, stored or not: a row committed after the run
# but dated before it (a transaction open across midnight, a host whose clock runs behind)
# lands in the figures the next night.
RECOUNTED_DAYS = 2


def roll_up_analytics(*, days=analytics.MAX_DAYS, recount=RECOUNTED_DAYS):
    """Stores the figures of the last `days` closed days (yesterday back) that have none in
    the site's time zone, and of the last `recount` ones whatever is stored (an upsert, so
    a run repeated or late leaves the same rows). Returns the number of days written per
    series."""
    yesterday = analytics.today() - datetime.timedelta(days=1)
    period = analytics.Period(yesterday - datetime.timedelta(days=days - 1), yesterday)
    recounted = yesterday - datetime.timedelta(days=recount)
    time_zone = timezone.get_default_timezone_name()
    written = {}
    for series in analytics.rolled_up_series():
        stored = set(
            DailyFigure.objects.filter(
                series=series.key, time_zone=time_zone, day__range=(period.start, recounted)
            )
            .values_list("day", flat=True)
            .distinct()
        )
        due = [day for day in period.days() if day not in stored]
        for run in _consecutive(due):
            _store(series, analytics.Period(run[0], run[-1]), time_zone)
        written[series.key] = len(due)
    return written


def _consecutive(days):
    """Sorted days cut into runs of consecutive ones: a compute each."""
    runs = []
    for day in days:
        if runs and day - runs[-1][-1] == datetime.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _store(series, period, time_zone):
    computed = series.compute(period)
    rows = [
        DailyFigure(
            series=series.key, column=column, day=day, time_zone=time_zone,
            value=values.get(day, 0),
        )
        for day in period.days()
        for column, values in computed.items()
    ]  # fmt: skip
    # The batches of a long run in one transaction: a day's columns are all stored, or none.
    with transaction.atomic():
        DailyFigure.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["series", "day", "column"],
            update_fields=["time_zone", "value"],
        )
