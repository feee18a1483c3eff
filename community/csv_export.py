"""CSV downloads that stream: rows written a batch at a time, each cell made safe to open in
a spreadsheet, served as an attachment by the page and the API alike.

    return csv_download(request, header, batches, name="members")
"""

import csv
import io
from datetime import UTC, datetime

from .downloads import streamed_attachment

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def neutralise_formula(text):
    """CSV injection (OWASP): a spreadsheet runs a cell that starts with = + - or @ (or a tab
    or carriage return, which some strip before one) as a formula, so a member named
    `=HYPERLINK(...)` could make the admin's spreadsheet fetch URLs or run commands. A
    leading single quote makes the spreadsheet show the text as typed instead."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell_text(value):
    """A value as its cell's text: times in ISO 8601 UTC, lists joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(cell_text(item) for item in value)
    return str(value)


def csv_chunks(header, batches):
    """The file's text: the header line, then one chunk per batch of rows (not one per row:
    an ASGI server hands each chunk over between threads)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def written(rows):
        writer.writerows([neutralise_formula(cell_text(value)) for value in row] for row in rows)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield written([header])
    for rows in batches:
        yield written(rows)


def csv_download(request, header, batches, *, name):
    """A streamed attachment `<name>-<today>.csv` of `header` and the rows of `batches`
    (read only as the response is sent). `request` may be Django's or DRF's."""
    return streamed_attachment(request, csv_chunks(header, batches), name=name,
                               extension="csv", content_type="text/csv; charset=utf-8")  # fmt: skip
