import contextlib
import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware import csrf
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import access, branding


class BannedMemberMiddleware:
    """Ends the session of a member who was banned while signed in, on the next page they
    open, which says why. A request the page makes in the background (htmx, a fetch, the
    socket's handshake, the API) is answered as for a visitor and leaves the session alone:
    ending it there would spend the "suspended" message on a response nobody reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not access.may_sign_in(user):
            if _in_background(request):
                request.user = AnonymousUser()
                request.auser = _anonymous
                return self.get_response(request)
            logout(request)
            messages.error(request, "Your account is suspended.")
            return redirect(reverse("account_login"))
        return self.get_response(request)


def _in_background(request):
    # Browsers send Sec-Fetch-Mode "navigate" for pages and posted forms only; a socket's
    # handshake carries no Sec-Fetch-Mode but always a Sec-WebSocket-Key.
    headers = request.headers
    return (
        headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
        or "HX-Request" in headers
        or "Sec-WebSocket-Key" in headers
        or request.path.startswith("/api/")
    )


async def _anonymous():
    return AnonymousUser()


class MemberTimezoneMiddleware:
    """Pages show times in the member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.time_zone:
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError):
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NulCharacterMiddleware:
    """Refuses text with a NUL character in the path, the query or a form field, before any
    view reads it: PostgreSQL cannot store or compare it (psycopg raises, a 500), and no
    member types one. Django's form and DRF fields refuse it too, but plain query parameters,
    path segments and lookups by slug would reach the database first. JSON bodies are
    checked by community.api.parsers."""

    MESSAGE = "Text cannot contain NUL (\\x00) characters."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            names = self._fields_with_nul(request)
        except MultiPartParserError as exc:
            return self._malformed(request, exc)
        if names:
            if request.path.startswith("/api/"):
                body = {"code": "invalid", "detail": "Some fields are not valid.",
                        "fields": {name: [self.MESSAGE] for name in names}}  # fmt: skip
                return JsonResponse(body, status=400)
            raise BadRequest(self.MESSAGE)
        return self.get_response(request)

    def _malformed(self, request, exc):
        if request.path.startswith("/api/"):
            body = {"code": "parse_error", "detail": f"Multipart form parse error - {exc}"}
            return JsonResponse(body, status=400)
        raise BadRequest("The form could not be read.") from exc

    def _fields_with_nul(self, request):
        names = ["path"] if "\x00" in request.path else []
        names += [key for key, values in request.GET.lists() if _has_nul(key, values)]
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
            names += [key for key, values in request.POST.lists() if _has_nul(key, values)]
        return names


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(key, values):
    return "\x00" in key or any("\x00" in value for value in values)


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    """Django's CSRF check, also trusting the origin https://<custom domain> that admins set
    on /manage/branding/ (community/branding.py): a form posted from that domain passes even
    where Django does not see the request as HTTPS (a proxy that does not send
    X-Forwarded-Proto). Django computes its trusted origins once per middleware instance
    (cached properties); these add the domain read from the cached branding per request."""

    @property
    def allowed_origins_exact(self):
        origin = branding.trusted_origin()
        exact = super().allowed_origins_exact
        return {*exact, origin} if origin else exact

    @property
    def csrf_trusted_origins_hosts(self):
        domain = branding.custom_domain()
        hosts = super().csrf_trusted_origins_hosts
        return [*hosts, domain] if domain else hosts
