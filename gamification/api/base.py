"""What every gamification API view shares: its operations grouped under one `gamification`
tag in the schema, and the admins' permission for writes (documented as a 403)."""

from rest_framework import permissions
from rest_framework.views import APIView

from community.access import can_administer
from community.api.schema import AgoraAutoSchema


class GamificationSchema(AgoraAutoSchema):
    def get_tags(self):
        return ["gamification"]


class GamificationView(APIView):
    schema = GamificationSchema()


class CanAdministerWrites(permissions.BasePermission):
    """Members read the rules and the ladder; only admins change them (the services check
    again)."""

    message = "Only admins may change point rules and levels."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_administer(request.user)
