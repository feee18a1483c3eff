"""API for the moderators (the queue and its decisions) and the admins (the audit log, roles):
the same selectors and services as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from community import access, audit, selectors, services
from community.models import AuditEntry, Report, User
from community.selectors.moderation import (
    TARGETS,
    audit_log,
    content_type_named,
    moderation_queue,
    queue_target,
)
from community.selectors.reports import target_kind
from community.services.moderation import NOTE_MAX, Action

from .errors import ErrorSerializer
from .serializers import AuthorSerializer
from .social import ReporterSerializer
from .toolkit import (
    PageQuerySerializer,
    StrictSerializer,
    cursor_page_serializer,
    page_response,
    read_body,
    read_query,
)

# --- Input -------------------------------------------------------------------------------


class QueueQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(
        choices=Report.Status.choices, required=False, default=Report.Status.OPEN,
        help_text="Targets with reports of this status (open: the queue).",
    )  # fmt: skip


class ModerationActionSerializer(StrictSerializer):
    target_type = serializers.ChoiceField(choices=list(TARGETS))
    target_id = serializers.IntegerField(min_value=1)
    action = serializers.ChoiceField(
        choices=list(Action.CHOICES.items()),
        help_text="; ".join(f"`{key}`: {label}" for key, label in Action.CHOICES.items()),
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX,
        help_text="For the audit log; the member reads it with a hide, a delete, a ban or a "
        "warning (required to warn).",
    )  # fmt: skip
    until = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="For a ban: when it ends (in the future); none bans for good.",
    )  # fmt: skip


class AuditQuerySerializer(PageQuerySerializer):
    action = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text='A registered action, e.g. "community.ban" (see `actions` in the answer).',
    )  # fmt: skip
    actor = serializers.IntegerField(required=False, min_value=1, help_text="A member's id.")
    target_type = serializers.CharField(
        required=False, help_text='An app label and model, e.g. "community.post".'
    )
    target_id = serializers.IntegerField(required=False, min_value=1)
    since = serializers.DateField(required=False, help_text="First day, on your clock.")
    until = serializers.DateField(required=False, help_text="Last day (included).")

    def validate_action(self, value):
        if value and value not in dict(audit.registered_actions()):
            raise serializers.ValidationError("No such action.")
        return value

    def validate_target_type(self, value):
        return content_type_named(value)

    def validate(self, data):
        if data.get("target_id") and not data.get("target_type"):
            raise serializers.ValidationError({"target_id": ["Give the target's type too."]})
        return data


class RoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=User.Role.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500,
        help_text="For the audit log.",
    )  # fmt: skip


# --- Output ------------------------------------------------------------------------------


class QueueReportSerializer(serializers.ModelSerializer):
    reporter = ReporterSerializer(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "reason", "reporter", "created_at", "status"]
        read_only_fields = fields


class QueueItemSerializer(serializers.Serializer):
    target_type = serializers.CharField(source="kind", help_text="post, comment or member")
    target_id = serializers.IntegerField()
    exists = serializers.SerializerMethodField(help_text="False once the target is gone.")
    label = serializers.SerializerMethodField(help_text="The post's title, the text's start.")
    state = serializers.SerializerMethodField(
        help_text="What moderators did already: hidden, deleted, banned, or empty."
    )
    author = AuthorSerializer(allow_null=True, help_text="Who wrote it (the member reported).")
    report_count = serializers.IntegerField()
    first_reported_at = serializers.DateTimeField(source="first_reported")
    last_reported_at = serializers.DateTimeField(source="last_reported")
    reports = QueueReportSerializer(many=True, help_text="The newest reports (at most 5).")

    def get_exists(self, item) -> bool:
        return item.target is not None

    def get_label(self, item) -> str:
        target = item.target
        if target is None:
            return ""
        if item.kind == "member":
            return f"{target.display_name} (@{target.handle})"
        return (getattr(target, "title", "") or target.body)[:120]

    def get_state(self, item) -> str:
        target = item.target
        if target is None:
            return ""
        if item.kind == "member":
            return "banned" if target.is_banned else ""
        if target.deleted_at:
            return "deleted"
        return "hidden" if target.hidden_at else ""


class DecisionSerializer(serializers.Serializer):
    action = serializers.CharField()
    target_type = serializers.SerializerMethodField()
    target_id = serializers.IntegerField(source="target.pk")
    reports_closed = serializers.IntegerField(help_text="Open reports this decision closed.")

    def get_target_type(self, decision) -> str:
        return target_kind(decision.target)


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = AuthorSerializer(read_only=True, allow_null=True)
    action_label = serializers.SerializerMethodField()
    target_type = serializers.SerializerMethodField(help_text='e.g. "community.post"')

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "actor", "cause", "action", "action_label",
                  "target_type", "target_id", "reason"]  # fmt: skip
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        return audit.action_label(entry.action)

    def get_target_type(self, entry) -> str:
        return f"{entry.target_type.app_label}.{entry.target_type.model}"


class RoleAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=User.Role.choices)


# --- Views -------------------------------------------------------------------------------


class ModerationQueueView(APIView):
    @extend_schema(
        operation_id="moderation_queue",
        parameters=[QueueQuerySerializer],
        responses={200: cursor_page_serializer(QueueItemSerializer), 403: ErrorSerializer},
        summary="Reported posts, comments and members, each with its reports (moderators)",
    )
    def get(self, request):
        page = moderation_queue(request.user, **read_query(QueueQuerySerializer, request))
        return page_response(request, page, QueueItemSerializer)


class ModerationActionView(APIView):
    @extend_schema(
        operation_id="moderation_act",
        request=ModerationActionSerializer,
        responses={200: DecisionSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Decide on a post, comment or member: dismiss its reports, hide, delete, warn "
        "or ban (moderators; closes its open reports, audited, the member is told)",
    )
    def post(self, request):
        data = read_body(ModerationActionSerializer, request)
        target = queue_target(request.user, data["target_type"], data["target_id"])
        decision = services.moderate(request.user, target=target, action=data["action"],
                                     reason=data["reason"], until=data["until"])  # fmt: skip
        return Response(DecisionSerializer(decision).data)


class AuditLogView(APIView):
    @extend_schema(
        operation_id="audit_log",
        parameters=[AuditQuerySerializer],
        responses={200: cursor_page_serializer(AuditEntrySerializer), 403: ErrorSerializer},
        summary="The audit log, newest first, filtered (admins)",
    )
    def get(self, request):
        query = read_query(AuditQuerySerializer, request)
        page = audit_log(
            request.user, cursor=query.get("cursor"), size=query["size"],
            action=query["action"], actor_id=query.get("actor"),
            target_type=query.get("target_type"), target_id=query.get("target_id"),
            since=query.get("since"), until=query.get("until"),
        )  # fmt: skip
        return page_response(request, page, AuditEntrySerializer)


class MemberRoleView(APIView):
    @extend_schema(
        operation_id="members_role",
        request=RoleSerializer,
        responses={200: RoleAnswerSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Change a member's role (admins; the last admin cannot step down)",
    )
    def post(self, request, member_id):
        access.check_can_administer(request.user)
        data = read_body(RoleSerializer, request)
        member = selectors.member_profile(request.user, member_id)
        member = services.change_role(request.user, member=member, role=data["role"],
                                      reason=data["reason"])  # fmt: skip
        return Response({"id": member.pk, "role": member.role})
