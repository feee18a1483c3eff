"""Every API error is JSON: {"code": stable, "detail": human, "fields": {...} if any}."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(detail):
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_code(next(iter(detail.values())))
    return getattr(detail, "code", None)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        fields = {"non_field_errors": exc.messages}
        if hasattr(exc, "error_dict"):
            # A model's whole-row error (a check constraint) is "__all__": named as DRF does.
            fields = {
                "non_field_errors" if name == NON_FIELD_ERRORS else name: messages
                for name, messages in exc.message_dict.items()
            }
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {
            "code": "invalid",
            "detail": "Some fields are not valid.",
            "fields": {name: [str(m) for m in messages] for name, messages in fields.items()},
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST, headers=response.headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body = {
        "code": _first_code(detail) or getattr(exc, "default_code", "error"),
        "detail": str(detail),
    }
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every API error (4xx): documented on every operation by
    community.api.schema.AgoraAutoSchema."""

    code = serializers.CharField(
        help_text="Stable, for programs: invalid, not_authenticated, authentication_failed, "
        "wrong_scheme, permission_denied, not_found, throttled, …"
    )
    detail = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="On a 400: the messages of each field that was refused (a field the request "
        "did not know is named too).",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="On a 429: seconds to wait before trying again."
    )
    opens_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="On a 403 for something that opens later (a course lesson still locked by "
        "drip, code `lesson_locked`): when it opens, or null when it opens once you enroll.",
    )


# All URLs end with a slash: this answers every other path under /api/ (mounted last in
# config/urls.py), so that a path without its slash, a misspelt route or an id that is not a
# number gets a JSON 404 instead of the site's HTML page, and APPEND_SLASH never redirects
# (or, for a POST, fails with a 500) under /api/.
@csrf_exempt
def route_not_found(request, *args, **kwargs):
    detail = f"No API route at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not route_not_found:
            detail += f" Did you mean {request.path}/?"
    return JsonResponse({"code": "not_found", "detail": detail}, status=404)
