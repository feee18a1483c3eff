"""The admins' analytics page: every registered series over a period, each as a chart, a
table and a CSV download. Signed-out visitors go to sign in; members and moderators get
403, as on the audit log."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from community import access, analytics
from community.charts import chart
from community.csv_export import csv_download
from community.forms import AnalyticsPeriodForm

from .common import form_status


def _csv_header(figures):
    unit = " (minor units)" if figures.series.unit == analytics.MONEY else ""
    return [analytics.x_header(figures.series), *(f"{c}{unit}" for c in figures.columns)]


def _csv_rows(figures):
    return [[analytics.x_text(figures, x), *values] for x, values in figures.rows]


def _panel(figures, query):
    series = figures.series
    return {
        "series": series,
        "figures": figures,
        "chart": chart(figures) if figures.rows and figures.columns else None,
        "x_header": analytics.x_header(series).capitalize(),
        "rows": [
            (analytics.x_text(figures, x),
             [series.format_value(column, value) for column, value in
              zip(figures.columns, values, strict=True)])
            for x, values in figures.rows
        ],
        "csv_query": query,
    }  # fmt: skip


@login_required
def analytics_page(request):
    access.check_can_administer(request.user)
    form = AnalyticsPeriodForm(request.GET)
    panels, period, preset = [], None, None
    if form.is_valid():
        period = form.period()
        preset = next(
            (days for days in analytics.PRESET_DAYS if period == analytics.default_period(days)),
            None,
        )
        # The date fields show the period a preset (or the default) chose.
        form = AnalyticsPeriodForm({"from": period.start, "to": period.end})
        query = f"from={period.start.isoformat()}&to={period.end.isoformat()}"
        panels = [
            _panel(analytics.figures(series, period), query)
            for series in analytics.registered_series()
        ]
    context = {
        "form": form,
        "period": period,
        "panels": panels,
        "presets": analytics.PRESET_DAYS,
        "preset": preset,
        "max_days": analytics.MAX_DAYS,
        "time_zone": timezone.get_default_timezone_name(),
    }
    return render(request, "community/analytics.html", context, status=form_status(form))


@login_required
def analytics_csv(request, key):
    access.check_can_administer(request.user)
    series = analytics.series_by_key(key)
    if series is None:
        raise Http404("No such series.")
    form = AnalyticsPeriodForm(request.GET)
    if not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    figures = analytics.figures(series, form.period())
    return csv_download(request, _csv_header(figures), [_csv_rows(figures)], name=key)
