"""What every payments API view shares: Stripe's failures as a JSON 503, and the admins'
permission (a 403 the schema documents on their reads too)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions, status
from rest_framework.views import APIView

from community import access
from community.api.errors import ErrorSerializer
from community.api.schema import AgoraAutoSchema

from ..services import PaymentsUnavailable

UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    description="Payments are not configured on this site, or Stripe refused or failed the "
    "call: `detail` says which (code `payments_unavailable`). Nothing was changed.",
)


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "payments_unavailable"
    default_detail = "Payments are not available."


class PaymentsView(APIView):
    def handle_exception(self, exc):
        if isinstance(exc, PaymentsUnavailable):
            exc = Unavailable(str(exc))
        return super().handle_exception(exc)


class CanAdminister(permissions.BasePermission):
    message = "Only admins may do this."

    def has_permission(self, request, view):
        return access.can_administer(request.user)


class AdminSchema(AgoraAutoSchema):
    """Every admin operation may answer 403, reads included."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            operation["responses"].setdefault("403", self.error_response("403"))
        return operation


class AdminView(PaymentsView):
    permission_classes = [permissions.IsAuthenticated, CanAdminister]
    schema = AdminSchema()
