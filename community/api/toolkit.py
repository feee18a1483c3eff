"""What every API view shares, so that each list reads its query and answers in one shape:
the page query (`cursor`, `size`), the cursor page `{"results": [...], "next_cursor": ...}`
and its schema, and a member's avatar URL. Errors are mapped in community.api.errors.

Other apps' APIs use these too: `page_query(request)` for the input, `read_body(Serializer,
request)` for a write's body,
`page_response(request, page, ItemSerializer)` for the output and
`cursor_page_serializer(ItemSerializer)` in `extend_schema(responses=...)`.
"""

import difflib
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from community.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    parse_page_size,
)

# --- Input -------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """The base of every write serializer: a key it does not know is refused with a 400
    naming it (and the field it probably meant), instead of being silently dropped, so a
    client sending `parent_id` for `parent` learns it rather than creating something else."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = [name for name, field in self.fields.items() if not field.read_only]
            # A browser form's CSRF token is read by Django, not by the serializer.
            unknown = sorted(set(data) - {*writable, "csrfmiddlewaretoken"})
            if unknown:
                raise serializers.ValidationError(
                    {name: [self.unknown_field_message(name, writable)] for name in unknown},
                    code="unknown_field",
                )
        return super().to_internal_value(data)

    @staticmethod
    def unknown_field_message(name, known):
        message = f"Unknown field “{name}”."
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            return f"{message} Did you mean “{close[0]}”?"
        return f"{message} Known fields: {', '.join(known)}."


@extend_schema_field(OpenApiTypes.INT)
class PageSizeField(serializers.Field):
    """`size` of a page, read by pagination.parse_page_size like every other list's: ASCII
    digits from 1 to MAX_PAGE_SIZE, anything else a 400 naming `size`."""

    def to_internal_value(self, data):
        try:
            return parse_page_size(data)
        except DjangoValidationError as refused:
            raise serializers.ValidationError(refused.message_dict["size"]) from refused

    def to_representation(self, value):
        return value


class PageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(
        required=False, help_text="`next_cursor` of the previous page; none for the first."
    )
    size = PageSizeField(
        required=False,
        default=DEFAULT_PAGE_SIZE,
        help_text=f"Items per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    )


def read_query(serializer_class, request):
    """The validated query parameters, or a 400 naming the bad ones."""
    incoming = serializer_class(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def read_body(serializer_class, request, **kwargs):
    """The validated request body, or a 400 naming the bad fields."""
    incoming = serializer_class(data=request.data, **kwargs)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def page_query(request):
    """{"cursor": ..., "size": ...} for a list without filters of its own."""
    return read_query(PageQuerySerializer, request)


# --- Output ------------------------------------------------------------------------------

_PAGE_SERIALIZERS = {}


def cursor_page_serializer(item_serializer):
    """The serializer of a page of `item_serializer` items: `results` and `next_cursor`.
    Made once per item type and named after it ("PostSerializer" gives
    "PostPageSerializer"), so the schema has one component per item type."""
    name = f"{item_serializer.__name__.removesuffix('Serializer')}PageSerializer"
    known = _PAGE_SERIALIZERS.get(name)
    if known is not None:
        if known.item_serializer is not item_serializer:
            raise ImproperlyConfigured(f"Two item serializers would share the name {name}.")
        return known
    page_serializer = type(name, (serializers.Serializer,), {
        "__doc__": f"A page of {item_serializer.__name__.removesuffix('Serializer')} items.",
        "__module__": item_serializer.__module__,
        "item_serializer": item_serializer,
        "results": item_serializer(many=True, read_only=True),
        "next_cursor": serializers.CharField(
            allow_null=True, read_only=True,
            help_text="Pass as `cursor` for the next page; null on the last page.",
        ),
    })  # fmt: skip
    _PAGE_SERIALIZERS[name] = page_serializer
    return page_serializer


def page_response(request, page, item_serializer, *, context=None):
    """The one answer of an API list: a keyset page (`items`, `next_cursor`) serialized by
    cursor_page_serializer(item_serializer), with the request in the context."""
    data = {"results": page.items, "next_cursor": page.next_cursor}
    context = {"request": request, **(context or {})}
    return Response(cursor_page_serializer(item_serializer)(data, context=context).data)


# A path on this site (/media/…) or a full URL (S3): a URI reference, not always absolute.
@extend_schema_field({"type": "string", "format": "uri-reference", "nullable": True})
class AvatarUrlField(serializers.ReadOnlyField):
    """A member's avatar URL, or null for a member without one (pages show initials). Reads
    the `avatar` file field: no query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "avatar")
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("help_text", "The avatar image, or null when there is none.")
        super().__init__(**kwargs)

    def to_representation(self, avatar):
        return avatar.url if avatar else None
