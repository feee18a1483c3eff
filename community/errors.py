"""The 500 page. Django renders it without the request's context processors, since they may
need the database, which may be what failed; this gives the layout the branding they would
have given (from settings only) and the request's CSP nonce. Wired in config/urls.py as
`handler500`."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def server_error(request, template_name="500.html"):
    context = {
        "site_name": settings.AGORA_SITE_NAME,
        "site_primary_color": settings.AGORA_PRIMARY_COLOR,
        "csp_nonce": getattr(request, "csp_nonce", ""),
    }
    return HttpResponseServerError(loader.get_template(template_name).render(context))
