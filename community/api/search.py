"""GET /api/v1/search/: the search service (community/search) as JSON, every kind in one
answer, grouped; a group's `next_cursor` (with the same query and filters) gives the next
page of that kind alone."""

from django.utils.functional import lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from community import search
from community.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from community.search.query import MAX_LENGTH
from community.search.service import OVERVIEW_SIZE

from .fields import UtcDateTimeField
from .toolkit import PageQuerySerializer, PageSizeField, read_query


class KindsField(serializers.CharField):
    """Comma-separated kinds ("posts,members"); the service names one it does not know."""

    def to_internal_value(self, data):
        return [kind.strip() for kind in super().to_internal_value(data).split(",") if kind]


def _kinds_help():
    names = ", ".join(source.kind for source in search.registered_sources())
    return f"Comma-separated kinds to search (default: all of them): {names}."


class SearchQuerySerializer(PageQuerySerializer):
    q = serializers.CharField(
        trim_whitespace=False,  # a space after the last word ends it: no prefix match then
        help_text=f"What to find, 1 to {MAX_LENGTH} characters. Words (all required; the "
        'last one, when no space follows it, as a prefix), "a phrase", `from:@handle`, '
        "`in:space-slug` and `#hashtag`.",
    )
    kinds = KindsField(
        required=False,
        # Lazy: the apps register their kinds when they are ready, after this module is read.
        help_text=lazy(_kinds_help, str)(),
    )
    space = serializers.CharField(required=False, help_text="Only in this space (slug).")
    author = serializers.CharField(required=False, help_text="Only by this member (handle).")
    since = UtcDateTimeField(required=False, help_text="Only from this time on (ISO 8601).")
    until = UtcDateTimeField(required=False, help_text="Only before this time (ISO 8601).")
    size = PageSizeField(
        required=False,
        help_text=f"Results per kind, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE} when "
        f"one kind is searched, {OVERVIEW_SIZE} of each when several are: an overview ranks "
        "each kind's newest matches only, and its next pages continue that list; search one "
        "kind to reach further back).",
    )


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Plain text.")
    snippet = serializers.CharField(
        help_text="HTML: the text escaped, the matched words in <mark>…</mark>."
    )
    url = serializers.CharField(help_text="The result's page on this site.")
    time = UtcDateTimeField()
    rank = serializers.FloatField(help_text="Higher is better; only comparable within a kind.")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    results = SearchResultSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True,
        help_text="Pass as `cursor` (same query) for this kind's next page; null on its last.",
    )


class SearchAnswerSerializer(serializers.Serializer):
    groups = SearchGroupSerializer(many=True, help_text="The kinds searched, best first within.")
    suggestion = serializers.CharField(
        allow_null=True,
        help_text="When nothing was found: the query with its misspelt words corrected to "
        'words the community writes ("desing" to "design"), if that finds something, for a '
        "signed-in member; otherwise null.",
    )


class SearchView(APIView):
    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses=SearchAnswerSerializer,
        operation_id="search",
        summary="Search posts, comments, members, spaces and more: only what you may see",
    )
    def get(self, request):
        query = read_query(SearchQuerySerializer, request)
        text = query.pop("q")
        return Response(SearchAnswerSerializer(search.answer(request.user, text, **query)).data)
