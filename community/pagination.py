"""Keyset pagination for every list, in pages and in the API.

A cursor is the sort key of the last item shown: URL-safe base64 of JSON, signed with the
list's order (its fields and direction) as the salt. The next page is
`WHERE (k1, k2) < (cursor)` (or `>` for an ascending list), so page 500 costs what page 1
costs and rows inserted meanwhile never shift a page. The signature means a cursor the
server did not make for a list of this order is refused as a 400 naming the parameter,
before any of it reaches a query: a cursor of the API's newest-first feed opened on the
Popular tab, a forged `[true, false]`, NaN, a date where an id belongs, a 3,000-deep array
or a newline copied into a header.
"""

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SIZE_ERROR = f"A number from 1 to {MAX_PAGE_SIZE}."
# ASCII digits only: str.isdigit() also accepts "²" or "৩", which int() then refuses.
_SIZE = re.compile(r"[0-9]{1,4}")
NEWEST_FIRST = ("created_at", "id")
_CURSOR_MAX_LENGTH = 1000  # a real one is under 200 characters


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _encode_value(value):
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _decode_value(value):
    return datetime.fromisoformat(value["t"]) if isinstance(value, dict) else value


def _signer(fields, ascending):
    order = ("asc:" if ascending else "desc:") + ",".join(fields)
    return signing.Signer(salt=f"agora.cursor.{order}")


def encode_cursor(values, fields=NEWEST_FIRST, *, ascending=False):
    """The cursor past `values`, the sort key of a row in a list ordered by `fields`."""
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return _signer(fields, ascending).sign(token)


def decode_cursor(cursor, fields=NEWEST_FIRST, *, ascending=False, parameter="cursor", model=None):
    """The sort key a cursor holds, or a ValidationError naming `parameter` if this server
    did not make it for a list ordered this way. With `model`, each value must also be one
    its field accepts (a second line of defence should a signed cursor ever hold a date
    where an id belongs: the query would fail, not refuse)."""
    refused = ValidationError({parameter: ["This cursor is not valid."]}, code="bad_cursor")
    if not isinstance(cursor, str) or len(cursor) > _CURSOR_MAX_LENGTH:
        raise refused
    try:
        token = _signer(fields, ascending).unsign(cursor)
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = [_decode_value(v) for v in json.loads(raw)]
    except (signing.BadSignature, binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise refused from exc
    if len(values) != len(fields):
        raise refused
    if model is not None:
        values = [
            _as_field_value(model, f, v, refused) for f, v in zip(fields, values, strict=True)
        ]
    return values


def _as_field_value(model, name, value, refused):
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise refused
    if not isinstance(value, (str, int, float, datetime)):
        raise refused
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # an annotation (score, name_key): any scalar above
        return value
    try:
        return field.to_python(value)
    except (ValidationError, TypeError, ValueError) as exc:
        raise refused from exc


def _after(fields, values, ascending=False):
    """Rows strictly after `values` in the order of `fields`. The leading `first <= value`
    (`>=` ascending) repeats what the OR implies so that the database starts its index scan
    at the cursor: without it PostgreSQL read and discarded every newer row (12k index
    entries for page 500 of the benchmark's feed), the cost OFFSET would have."""
    past, bound = ("gt", "gte") if ascending else ("lt", "lte")
    condition = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__{past}": values[i]})
        for earlier, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{earlier: value})
        condition |= step
    if len(fields) > 1:
        condition = Q(**{f"{fields[0]}__{bound}": values[0]}) & condition
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


def after_cursor(cursor, model, fields=NEWEST_FIRST):
    """The condition "past this cursor" (no condition without one), for a subquery over
    `model` that must stop where the page starts."""
    return _after(fields, decode_cursor(cursor, fields, model=model)) if cursor else Q()


def keyset_page(
    queryset, *, cursor=None, size=DEFAULT_PAGE_SIZE, fields=NEWEST_FIRST, ascending=False
):
    """One page of `queryset` ordered by `fields` (all descending, or all ascending); the
    last field must be unique (the primary key) so that the order is total. Fields may be
    annotations of the queryset."""
    size = clamp_size(size)
    queryset = queryset.order_by(*[field if ascending else f"-{field}" for field in fields])
    if cursor:
        values = decode_cursor(cursor, fields, ascending=ascending, model=queryset.model)
        queryset = queryset.filter(_after(fields, values, ascending))
    items = list(queryset[: size + 1])
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        values = [getattr(last, field) for field in fields]
        next_cursor = encode_cursor(values, fields, ascending=ascending)
    return Page(items=items, next_cursor=next_cursor)
