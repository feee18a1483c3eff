"""What every courses API view shares: its operations grouped under one `courses` tag in
the schema, a lesson still locked by drip as a 403 that says when it opens, and the
admins' permission (documented as a 403 on their reads too)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, permissions
from rest_framework.views import APIView

from community.api.errors import ErrorSerializer
from community.api.fields import UtcDateTimeField
from community.api.schema import AgoraAutoSchema

from .. import access
from ..access import LessonLocked

LOCKED = OpenApiResponse(
    ErrorSerializer,
    description="Not allowed; for a lesson whose module has not opened for you yet, code "
    "`lesson_locked` with `opens_at` (ISO 8601, UTC; null: it opens once you enroll).",
)


class Locked(exceptions.PermissionDenied):
    default_code = "lesson_locked"


class CoursesSchema(AgoraAutoSchema):
    def get_tags(self):
        return ["courses"]


class AuthoringSchema(CoursesSchema):
    """Every admin operation may answer 403, reads included."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            operation["responses"].setdefault("403", self.error_response("403"))
        return operation


class CoursesView(APIView):
    schema = CoursesSchema()

    def handle_exception(self, exc):
        if not isinstance(exc, LessonLocked):
            return super().handle_exception(exc)
        response = super().handle_exception(Locked(str(exc)))
        response.data["opens_at"] = UtcDateTimeField().to_representation(exc.opens_at)
        return response


class CanAuthor(permissions.BasePermission):
    message = "Only admins may edit courses."

    def has_permission(self, request, view):
        return access.can_author(request.user)


class AuthoringView(CoursesView):
    """The admins' routes: refused with a 403 before anything is looked up (the services
    check again)."""

    permission_classes = [permissions.IsAuthenticated, CanAuthor]
    schema = AuthoringSchema()
