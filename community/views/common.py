"""Small pieces every page view shares (and other apps' views reuse): where to go back to
after a form, and the links of a keyset-paginated list."""

from django.utils.http import url_has_allowed_host_and_scheme

PAGING_PARAMETERS = ("cursor", "newer")


def safe_next_url(request, fallback):
    """The `next` the form or link carried (POST first, then GET) if it points into this
    site, else `fallback`: a crafted `next` must never send a member to another host."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def page_url(request, **changes):
    """This page's URL with its filters kept, its paging state (cursor, newer) dropped and
    `changes` applied: the link to the next page, or back to the newest."""
    query = request.GET.copy()
    for name in PAGING_PARAMETERS:
        query.pop(name, None)
    for name, value in changes.items():
        query[name] = value
    return f"{request.path}?{query.urlencode()}"


def form_status(form):
    """400 for a form shown again with errors, so that tests and tools see the refusal."""
    return 400 if form.errors else 200
