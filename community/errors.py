"""Error views Django calls itself. The 500 page: Django renders it without the request's
context processors, since they may need the database, which may be what failed; this gives
the layout the branding they would have given (the cached one, else the env settings', never
a query) and the request's CSP nonce. Wired in config/urls.py as `handler500`;
`bad_request` is `handler400`."""

from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from community import branding


@requires_csrf_token
def server_error(request, template_name="500.html"):
    brand = branding.cached_or_defaults()  # never the database
    context = {
        "brand": brand,
        "site_name": brand.name,
        "site_primary_color": brand.primary_color,
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
    return HttpResponseServerError(loader.get_template(template_name).render(context))


def bad_request(request, exception, template_name="400.html"):
    """A request Django refused before any view ran (a body over DATA_UPLOAD_MAX_MEMORY_SIZE,
    too many fields, a malformed header): JSON in the API's error shape under /api/, the
    site's page elsewhere."""
    if request.path.startswith("/api/"):
        body = {"code": "bad_request", "detail": "The request could not be read."}
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception, template_name)
