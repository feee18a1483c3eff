"""The search pages: the results page (a tab per kind, the next page as the member scrolls)
and the palette's suggestions (the header's box, Ctrl/Cmd+K). Thin: community.search
finds, and decides what the searcher may see."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from community import search
from community.forms import SearchFilterForm
from community.search.query import MAX_LENGTH
from community.search.sources import source_for
from community.selectors.sidebar import request_spaces

from .common import page_url

# On the "All" tab each kind shows its best few (the service's overview size), with a link
# to its own tab for the rest.
PALETTE_SIZE = 4


def _kind(request):
    """The tab asked for: a registered kind, or "" for all of them (an unknown one too)."""
    kind = request.GET.get("kind", "")
    return kind if source_for(kind) else ""


def search_page(request):
    query = request.GET.get("q", "").strip()
    kind = _kind(request)
    spaces = [space for space in request_spaces(request) if not space.is_locked]
    form = SearchFilterForm(request.GET, spaces=spaces)
    filters = form.filters()
    context = {
        "query": query,
        "kind": kind,
        "form": form,
        "is_filtered": any(filters.values()),
        "tabs": [(source.kind, source.label) for source in search.registered_sources()],
        "max_length": MAX_LENGTH,
        "groups": [],
        "found": 0,
        "errors": [],
    }
    if query:
        try:
            answer = search.answer(
                request.user,
                query,
                kinds=[kind] if kind else None,
                cursor=request.GET.get("cursor") if kind else None,
                **filters,
            )
        except ValidationError as error:
            context["errors"] = error.messages
        else:
            groups = answer.groups
            context.update(groups=groups, found=answer.found, suggestion=answer.suggestion)
            if kind and groups and groups[0].next_cursor:
                context["next_url"] = page_url(request, cursor=groups[0].next_cursor)
    template = "community/search/results.html"
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and request.GET.get("cursor"):
        template += "#page"
    response = render(request, template, context, status=400 if context["errors"] else 200)
    patch_vary_headers(response, ("HX-Request",))
    return response


def search_suggestions(request):
    """The palette's options for what the member has typed so far (an HTML fragment)."""
    query = request.GET.get("q", "").strip()
    context = {"query": query, "groups": [], "found": 0, "errors": [], "suggestion": None}
    if query:
        try:
            answer = search.answer(request.user, query, size=PALETTE_SIZE)
        except ValidationError as error:
            context["errors"] = error.messages
        else:
            context.update(
                groups=[group for group in answer.groups if group.results],
                found=answer.found,
                suggestion=answer.suggestion,
            )
    return render(request, "community/search/_suggestions.html", context)
