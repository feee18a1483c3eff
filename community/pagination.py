"""Keyset pagination for every list, in pages and in the API.

A cursor is the sort key of the last item shown, opaque to clients (URL-safe base64 of
JSON). The next page is `WHERE (k1, k2) < (cursor)`, so page 500 costs what page 1 costs
and rows inserted meanwhile never shift a page.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SIZE_ERROR = f"A number from 1 to {MAX_PAGE_SIZE}."
# ASCII digits only: str.isdigit() also accepts "²" or "৩", which int() then refuses.
_SIZE = re.compile(r"[0-9]{1,4}")


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _encode_value(value):
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value):
    return datetime.fromisoformat(value["t"]) if isinstance(value, dict) else value


def encode_cursor(values):
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor, length):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = [_decode_value(v) for v in json.loads(raw)]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": ["This cursor is not valid."]}, code="bad_cursor") from exc
    if len(values) != length or not all(isinstance(v, (int, float, datetime)) for v in values):
        raise ValidationError({"cursor": ["This cursor is not valid."]}, code="bad_cursor")
    return values


def _after(fields, values):
    """Rows strictly after `values` in descending order of `fields`. The leading
    `first <= value` repeats what the OR implies so that the database starts its index scan
    at the cursor: without it PostgreSQL read and discarded every newer row (12k index
    entries for page 500 of the benchmark's feed), the cost OFFSET would have."""
    condition = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__lt": values[i]})
        for earlier, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{earlier: value})
        condition |= step
    if len(fields) > 1:
        condition = Q(**{f"{fields[0]}__lte": values[0]}) & condition
    return condition


def parse_page_size(raw, default=DEFAULT_PAGE_SIZE):
    """The `size` a client asked for: missing or blank gives `default`; anything but a whole
    number from 1 to MAX_PAGE_SIZE is refused with a field error (never silently clamped,
    so a client that asks for 500 learns it gets at most 100). Every list, page or API,
    reads its size here."""
    if raw is None or raw == "":
        return default
    raw = str(raw)
    if not _SIZE.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"size": [SIZE_ERROR]}, code="invalid")
    return int(raw)


def clamp_size(size):
    """Bounds for sizes that come from code, not from a client (those go through
    parse_page_size): a page never reads more than MAX_PAGE_SIZE rows."""
    return max(1, min(int(size), MAX_PAGE_SIZE))


def after_cursor(cursor, fields=("created_at", "id")):
    """The condition "past this cursor" (no condition without one), for a subquery that must
    stop where the page starts."""
    return _after(fields, decode_cursor(cursor, len(fields))) if cursor else Q()


def keyset_page(queryset, *, cursor=None, size=DEFAULT_PAGE_SIZE, fields=("created_at", "id")):
    """One page of `queryset` ordered by `fields`, all descending; the last field must be
    unique (the primary key) so that the order is total."""
    size = clamp_size(size)
    queryset = queryset.order_by(*[f"-{field}" for field in fields])
    if cursor:
        queryset = queryset.filter(after_cursor(cursor, fields))
    items = list(queryset[: size + 1])
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, field) for field in fields])
    return Page(items=items, next_cursor=next_cursor)
