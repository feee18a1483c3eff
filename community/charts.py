"""Charts of analytics figures as inline SVG, drawn on the server.

Hand-written rather than pygal: pygal's SVG carries its own <style> element and scripts,
which the site's Content-Security-Policy (style-src with a nonce, no inline scripts) refuses,
and these three shapes (a line per day, bars per month, bars per category) need no more
than this. A series of days or months with several columns (invoices in two currencies)
gets a chart per column, each on its own scale. Colours and fonts come from classes in
static/agora/analytics.css; geometry is in presentation attributes, never a style
attribute.
"""

import dataclasses
import math

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from community.analytics import CATEGORY, DAILY, PERCENT, x_text

# The labels sit inside the plot (values above their grid line, names above their bar), so
# that a phone, which shows the chart at half size with labels twice as large (the CSS),
# needs no wider margins.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 4, 4, 30, 34
ROW_HEIGHT, VALUE_ROOM = 58, 130  # category bars: a name above each bar, its value after
MONTH_LABELS = 4  # a label under each bar up to this many months (more would not fit)
NAME_LENGTH = 56  # characters of a category's name that fit above its bar on a phone


def nice_ceiling(value):
    """The smallest of 1, 2, 5 times 10^n at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _top(figures):
    if figures.series.unit == PERCENT:
        return 100
    count = len(figures.charted_columns())
    values = [v for _x, row in figures.rows for v in row[:count]]
    return nice_ceiling(max(values, default=0))


def _fmt(figures, column, value):
    return escape(figures.series.format_value(column, value))


def _svg(figures, width, height, body, summary):
    series = figures.series
    # Every part of body is markup made here, its texts escaped.
    marks = mark_safe("".join(body))  # noqa: S308
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-{}-title '
        'chart-{}-desc" focusable="false"><title id="chart-{}-title">{}</title>'
        '<desc id="chart-{}-desc">{}</desc>{}</svg>',
        width, height, series.key, series.key, series.key, series.label,
        series.key, summary, marks,
    )  # fmt: skip


def _y_axis(figures, top, column):
    """Three grid lines (0, half, top); the half and top values just above their line
    (the half's left out when it is not a whole number); the baseline is always 0, and a
    label on it would sit under the bars. Returns (lines, labels): the labels go after the
    marks, to be drawn over them."""
    plot_height = HEIGHT - TOP - BOTTOM
    lines, labels = [], []
    for fraction in (0, 0.5, 1):
        y = TOP + plot_height * (1 - fraction)
        value = top * fraction
        lines.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/>'
        )
        if fraction and float(value).is_integer():
            labels.append(
                f'<text class="chart__label chart__label--axis" x="{LEFT}" y="{y - 5:.1f}">'
                f"{_fmt(figures, column, int(value))}</text>"
            )
    return lines, labels


def _x_labels(figures, positions, picks, *, edges=True):
    """The names of the rows at `picks` (indexes), under the plot, centred on their
    position; with `edges`, the first and last row's aligned to the plot's edges."""
    rows = figures.rows
    anchors = {len(rows) - 1: "end", 0: "start"} if edges else {}
    return [
        f'<text class="chart__label" x="{positions[i]:.1f}" y="{HEIGHT - 8}" '
        f'text-anchor="{anchors.get(i, "middle")}">{escape(x_text(figures, rows[i][0]))}</text>'
        for i in picks
    ]


def _summary(figures):
    """The chart's <desc>, plain text (format_html escapes it)."""
    columns = figures.charted_columns()
    parts = []
    for index, column in enumerate(columns):
        values = [row[index] for _x, row in figures.rows]
        if values:
            fmt = figures.series.format_value
            low, high = fmt(column, min(values)), fmt(column, max(values))
            parts.append(f"{column}: from {low} to {high}")
    what = "; ".join(parts) or "nothing in this period"
    return f"{what}. The table below lists every figure."


def line_chart(figures):
    """The first column as a line over the days, a dot on each day when there are few."""
    rows = figures.rows
    top = _top(figures)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(rows) - 1, 1)
    xs = [LEFT + i * step for i in range(len(rows))]
    ys = [TOP + plot_height * (1 - row[0] / top) for _x, row in rows]
    body, axis_labels = _y_axis(figures, top, figures.columns[0])
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    body.append(f'<polyline class="chart__line" points="{points}" fill="none"/>')
    if len(rows) <= 31:
        body.extend(
            f'<circle class="chart__dot" cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
            for x, y in zip(xs, ys, strict=True)
        )
    # The first, middle and last days: more dates would not fit on a phone.
    picks = sorted({0, len(rows) // 2, len(rows) - 1})
    body.extend(_x_labels(figures, xs, picks))
    body.extend(axis_labels)
    return _svg(figures, WIDTH, HEIGHT, body, _summary(figures))


def column_chart(figures):
    """The first column as a bar per month."""
    rows = figures.rows
    top = _top(figures)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(rows), 1)
    body, axis_labels = _y_axis(figures, top, figures.columns[0])
    centres = []
    for i, (_x, row) in enumerate(rows):
        centres.append(LEFT + (i + 0.5) * slot)
        height = plot_height * row[0] / top
        body.append(
            f'<rect class="chart__bar" x="{LEFT + (i + 0.15) * slot:.1f}" '
            f'y="{TOP + plot_height - height:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{height:.1f}"/>'
        )
    if len(rows) <= MONTH_LABELS:
        body.extend(_x_labels(figures, centres, range(len(rows)), edges=False))
    else:
        picks = sorted({0, len(rows) // 2, len(rows) - 1})
        body.extend(_x_labels(figures, centres, picks))
    body.extend(axis_labels)
    return _svg(figures, WIDTH, HEIGHT, body, _summary(figures))


def _bars(figures):
    """(name, column, value) of each bar: a row's charted columns, named by the row, by the
    column when there is one row (money per currency), else by both."""
    rows, columns = figures.rows, figures.charted_columns()
    bars = []
    for x, values in rows:
        for index, column in enumerate(columns):
            if len(columns) == 1:
                name = x_text(figures, x)
            elif len(rows) == 1:
                name = column
            else:
                name = f"{x_text(figures, x)} · {column}"
            bars.append((name, column, values[index]))
    return bars


def bar_chart(figures):
    """A horizontal bar per category (and charted column): its name above it, its value
    after it."""
    bars = _bars(figures)
    top = _top(figures)
    room = WIDTH - LEFT - VALUE_ROOM
    body = []
    for i, (name, column, value) in enumerate(bars):
        y = i * ROW_HEIGHT
        name = name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"
        length = room * value / top
        body.append(
            f'<text class="chart__label chart__label--name" x="{LEFT}" y="{y + 22}">'
            f"{escape(name)}</text>"
            f'<rect class="chart__bar" x="{LEFT}" y="{y + 30}" '
            f'width="{length:.1f}" height="20"/>'
            f'<text class="chart__label" x="{LEFT + length + 8:.1f}" y="{y + 46}">'
            f"{_fmt(figures, column, value)}</text>"
        )
    return _svg(figures, WIDTH, max(len(bars), 1) * ROW_HEIGHT + 4, body, _summary(figures))


def _one_column(figures, index):
    """The figures of one column, as a series of their own (its title names the column)."""
    column = figures.columns[index]
    series = dataclasses.replace(
        figures.series, key=f"{figures.series.key}-{column}",
        label=f"{figures.series.label} ({column})", charted=None,
    )  # fmt: skip
    rows = [(x, [values[index]]) for x, values in figures.rows]
    return dataclasses.replace(figures, series=series, columns=[column], rows=rows)


def chart(figures):
    """The figures' chart as SVG markup (safe to put in a page): for days or months, one
    per charted column."""
    if figures.series.kind == CATEGORY:
        return bar_chart(figures)
    draw = line_chart if figures.series.kind == DAILY else column_chart
    columns = figures.charted_columns()
    if len(columns) == 1:
        return draw(figures)
    charts = [draw(_one_column(figures, index)) for index in range(len(columns))]
    return mark_safe("".join(charts))  # noqa: S308 - each chart is safe markup already
