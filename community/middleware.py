import contextlib
import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from . import access


class BannedMemberMiddleware:
    """Ends the session of a member who was banned while signed in, on their next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not access.may_sign_in(user):
            logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)  # now anonymous: the API answers 401 in JSON
            messages.error(request, "Your account is suspended.")
            return redirect(reverse("account_login"))
        return self.get_response(request)


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
