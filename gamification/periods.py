"""The week and month of the boards, in the community's time zone (settings.TIME_ZONE):
a week starts on Monday, a month on its first day, both at local midnight."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from .models import PeriodScore


def period_start(period, now=None):
    """The first day (a date) of the week or month that contains `now`."""
    # Not the active zone: that is the member's, and a board is the community's.
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    if period == PeriodScore.Period.WEEK:
        return today - timedelta(days=today.weekday())
    return today.replace(day=1)


def start_moment(day):
    """Local midnight at the start of `day`, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())
