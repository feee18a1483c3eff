"""The admins' analytics: figures per day, per month or per category that apps add to.

An app registers its series in its AppConfig.ready():

    analytics.register_series(analytics.Series(
        key="enrollments", label="Enrollments per day", kind=analytics.DAILY,
        description="...", compute=enrollments_per_day))

`compute(period)` answers {column: {x: number}} from one aggregate query (GROUP BY a day, a
month or a category) bounded by the period, never rows read one by one; `per_period` does
the usual one. `figures` fills the days or months a query found nothing for with zeros.
Community never imports the apps that register; the page, the CSV and the API read
`registered_series()` in registration order.

Daily rollups: a daily series of whole numbers that is costly over a long period (it
counts a large table) sets `rolled_up=True`. The nightly task (community.tasks.
roll_up_analytics, services.analytics) then stores its figure of each closed day (before
today in TIME_ZONE) as DailyFigure rows, computed by the same `compute` over those days, so
the day boundaries are the live ones. `figures` reads the stored days in one query and
computes the rest (today, and any day not stored yet: before the first run, a missed night)
live in one `compute` over the span they cover: the figures are complete whatever is stored,
and a page costs the same queries for 30 days or 730. A rolled-up series' compute names its
columns (in the same order) for any period, even one with nothing in it; a closed day keeps
the figure its last run counted, rows removed later (an account deleted with its posts)
included, until `manage.py rollup_analytics --days N` counts it again.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from community.models import DailyFigure

DAILY, MONTHLY, CATEGORY = "daily", "monthly", "category"
KINDS = (DAILY, MONTHLY, CATEGORY)
# What a series' numbers are: counts, percentages, or money in the minor unit (cents) of
# the currency its column names ("usd").
COUNT, PERCENT, MONEY = "count", "percent", "money"

PRESET_DAYS = (30, 90, 365)
DEFAULT_DAYS = PRESET_DAYS[0]
MAX_DAYS = 731  # two years, a leap day included


def _format_number(column, value):
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


@dataclass(frozen=True)
class Series:
    key: str  # in URLs: letters, digits, underscores
    label: str  # the chart's title
    description: str  # what it counts, in a sentence, under the title
    kind: str
    compute: object  # Period -> {column: {x: number}}
    unit: str = COUNT
    # (column, value) -> the text the table and the chart's labels show
    format_value: object = _format_number
    # How many of the leading columns the chart draws (None: all); the table shows all.
    charted: int | None = None
    # Closed days read from the nightly rollups (the module's docstring) rather than counted.
    rolled_up: bool = False


_series = {}


def register_series(series):
    """Adds a series after those registered before; registering a key again replaces it
    (an AppConfig.ready run twice adds nothing)."""
    if series.kind not in KINDS:
        raise ValueError(f"A series' kind is one of {KINDS}: {series.kind!r}")
    if not series.key.replace("_", "").isalnum() or not series.key.isascii():
        raise ValueError(f"A series' key is letters, digits and underscores: {series.key!r}")
    if series.rolled_up and (series.kind != DAILY or series.unit == PERCENT):
        raise ValueError(f"Only a daily series of whole numbers is rolled up: {series.key!r}")
    _series[series.key] = series


def registered_series():
    return list(_series.values())


def rolled_up_series():
    return [series for series in _series.values() if series.rolled_up]


def series_by_key(key):
    """The series, or None."""
    return _series.get(key)


# --- The period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` (both included) in the site's time zone."""

    start: datetime.date
    end: datetime.date

    @property
    def tz(self):
        return timezone.get_default_timezone()

    def bounds(self):
        """[first midnight, the midnight after the last day): aware datetimes."""
        midnight = datetime.time.min
        return (
            datetime.datetime.combine(self.start, midnight, self.tz),
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), midnight, self.tz),
        )

    def days(self):
        count = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=n) for n in range(count)]

    def months(self):
        """The first day of each month the period touches."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


def today():
    """Today in the site's time zone: the day after the last closed one."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def default_period(days=DEFAULT_DAYS):
    """The last `days` days, today included."""
    end = today()
    return Period(end - datetime.timedelta(days=days - 1), end)


def check_period(start, end):
    """The Period from `start` to `end`, or a ValidationError naming the field at fault:
    the end before the start, or more than MAX_DAYS days."""
    if end < start:
        raise ValidationError({"to": "The end comes before the start."}, code="invalid")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError(
            {"from": f"Choose at most {MAX_DAYS} days (two years)."}, code="invalid"
        )
    return Period(start, end)


# --- The figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    series: Series
    period: Period
    columns: list  # the column names (JSON keys, CSV headers)
    rows: list = field(default_factory=list)  # [(x, [value per column])]

    def charted_columns(self):
        return self.columns[: self.series.charted] if self.series.charted else self.columns


def figures(series, period):
    """The series over the period: a row per day or month (zeros where nothing happened),
    or per category in the order compute gave them."""
    computed = _rolled_up(series, period) if series.rolled_up else series.compute(period)
    columns = list(computed)
    if series.kind == DAILY:
        xs = period.days()
    elif series.kind == MONTHLY:
        xs = period.months()
    else:
        xs = list(dict.fromkeys(x for values in computed.values() for x in values))
    rows = [(x, [computed[column].get(x, 0) for column in columns]) for x in xs]
    return Figures(series=series, period=period, columns=columns, rows=rows)


def _rolled_up(series, period):
    """compute's answer, the closed days that are stored read from DailyFigure (one query)
    and the others computed over the span from the first to the last of them (one
    compute: today alone once the nightly task has run)."""
    closed = DailyFigure.objects.filter(
        series=series.key,
        time_zone=timezone.get_default_timezone_name(),
        day__gte=period.start,
        day__lte=min(period.end, today() - datetime.timedelta(days=1)),
    )
    stored = list(closed.order_by("pk").values_list("column", "day", "value"))
    stored_days = {day for _column, day, _value in stored}
    missing = [day for day in period.days() if day not in stored_days]
    computed = {}
    if missing:
        live = series.compute(Period(missing[0], missing[-1]))
        computed = {column: {day: values.get(day, 0) for day in missing}
                    for column, values in live.items()}  # fmt: skip
    for column, day, value in stored:
        computed.setdefault(column, {})[day] = value
    return computed


def x_text(figures, x):
    """A row's first cell: 2026-12-05, 2026-12 or the category's name."""
    if figures.series.kind == DAILY:
        return x.isoformat()
    if figures.series.kind == MONTHLY:
        return f"{x:%Y-%m}"
    return str(x)


def x_header(series):
    return {DAILY: "day", MONTHLY: "month"}.get(series.kind, "name")


# --- The aggregate query most series are ---------------------------------------------------


def per_period(queryset, field_name, period, *, kind=DAILY, aggregate=None, by=None):
    """One GROUP BY query: `aggregate` (default: a count of rows) of the rows whose
    `field_name` (a datetime) falls in the period, per day or month of the site's time zone.
    Answers {x: value}, or {value of `by`: {x: value}} with `by`."""
    start, end = period.bounds()
    trunc = TruncDate if kind == DAILY else TruncMonth
    rows = (
        queryset.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        .annotate(x=trunc(field_name, tzinfo=period.tz))
        .order_by()
        .values("x", *([by] if by else []))
        .annotate(value=aggregate or Count("pk"))
    )
    grouped = {}
    for row in rows:
        x = row["x"]
        if isinstance(x, datetime.datetime):  # TruncMonth: the month's first midnight
            x = x.date()
        grouped.setdefault(row[by] if by else None, {})[x] = row["value"] or 0
    return grouped if by else grouped.get(None, {})
