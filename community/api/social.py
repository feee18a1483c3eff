"""API for the member directory, follows and reports: thin views over the same selectors
and services as the pages."""

from dataclasses import replace

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors, services
from community.csv_export import csv_download
from community.models import Report, User
from community.selectors.directory import SORTS, member_filters, sorts
from community.selectors.reports import REPORT_TARGETS, target_kind

from .errors import ErrorSerializer
from .serializers import AuthorSerializer, MemberSerializer
from .toolkit import (
    PageQuerySerializer,
    StrictSerializer,
    cursor_page_serializer,
    page_query,
    page_response,
    read_query,
)

# --- Input -------------------------------------------------------------------------------


class DirectoryQuerySerializer(PageQuerySerializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of a name or @handle."
    )
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    following = serializers.BooleanField(
        required=False, default=False, help_text="Only members you follow."
    )
    sort = serializers.ChoiceField(choices=list(SORTS.items()), required=False, default="newest")

    def get_fields(self):
        """With the sorts and filters other apps registered (read when the schema is
        built or a request is read, after every app is ready)."""
        fields = super().get_fields()
        fields["sort"].choices = list(sorts().items())
        for key, member_filter in member_filters().items():
            fields[key] = serializers.CharField(
                required=False, allow_blank=True, help_text=f"{member_filter.label} (an id)."
            )
        return fields


class ReportQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(
        choices=Report.Status.choices, required=False, default=Report.Status.OPEN
    )


class ReportCreateSerializer(StrictSerializer):
    target_type = serializers.ChoiceField(choices=list(REPORT_TARGETS))
    target_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="What is wrong, 1 to 2000 characters."
    )


class ReportNoteSerializer(StrictSerializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kept in the audit log."
    )


# --- Output ------------------------------------------------------------------------------


class MemberCardSerializer(AuthorSerializer):
    """A member as a card in a list, with whether you follow them."""

    is_following = serializers.SerializerMethodField()

    class Meta(AuthorSerializer.Meta):
        fields = [*AuthorSerializer.Meta.fields, "role", "created_at", "is_following"]
        read_only_fields = fields

    def get_is_following(self, member) -> bool:
        return member.pk in self.context["followed_ids"]


class DirectoryMemberSerializer(MemberCardSerializer):
    follower_count = serializers.IntegerField(read_only=True)
    following_count = serializers.IntegerField(read_only=True)

    class Meta(MemberCardSerializer.Meta):
        fields = [*MemberCardSerializer.Meta.fields, "follower_count", "following_count"]
        read_only_fields = fields


class FollowEntrySerializer(serializers.Serializer):
    member = MemberCardSerializer()
    followed_at = serializers.DateTimeField(help_text="When the follow began.")


class FollowStateSerializer(serializers.Serializer):
    """The answer to a follow or an unfollow, the same data the page's button shows."""

    member_id = serializers.IntegerField()
    is_following = serializers.BooleanField(help_text="Whether you follow the member now.")
    follower_count = serializers.IntegerField(
        allow_null=True,
        help_text="The member's followers now; null when their profile is private to you "
        "(you may still unfollow a member you follow, but not learn their numbers).",
    )


class MemberProfileSerializer(MemberSerializer):
    """A member's public profile, with follow counts and whether you follow them."""

    follower_count = serializers.SerializerMethodField()
    following_count = serializers.SerializerMethodField()
    is_following = serializers.SerializerMethodField()

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "handle", "follower_count", "following_count",
                  "is_following"]  # fmt: skip
        read_only_fields = fields

    def get_follower_count(self, member) -> int:
        return self.context["counts"]["followers"]

    def get_following_count(self, member) -> int:
        return self.context["counts"]["following"]

    def get_is_following(self, member) -> bool:
        return member.pk in self.context["followed_ids"]


def member_profile_data(request, member):
    """MemberDetailView's body: two cheap queries beside the member (counts, follows)."""
    context = {
        "request": request,
        "counts": selectors.follow_counts(member),
        "followed_ids": selectors.followed_ids(request.user, [member]),
    }
    return MemberProfileSerializer(member, context=context).data


class ReporterSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "handle", "display_name"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer):
    target_type = serializers.SerializerMethodField()
    target_id = serializers.IntegerField(source="object_id", read_only=True)
    target_label = serializers.SerializerMethodField()
    reporter = ReporterSerializer(read_only=True)
    resolved_by = ReporterSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = ["id", "target_type", "target_id", "target_label", "reason", "status",
                  "reporter", "created_at", "resolved_by", "resolved_at"]  # fmt: skip
        read_only_fields = fields

    def get_target_type(self, report) -> str:
        return "member" if report.content_type.model == "user" else report.content_type.model

    def get_target_label(self, report) -> str:
        """A short text naming the target ("" once it is gone)."""
        target = report.target
        if target is None:
            return ""
        if target_kind(target) == "member":
            return f"{target.display_name} (@{target.handle})"
        return (getattr(target, "title", "") or target.body)[:120]


# --- Views -------------------------------------------------------------------------------


class MemberListView(APIView):
    @extend_schema(
        operation_id="members_list",
        parameters=[DirectoryQuerySerializer],
        responses=cursor_page_serializer(DirectoryMemberSerializer),
        summary="The member directory: search, filter, sort, cursor-paginated",
    )
    def get(self, request):
        page = selectors.directory(request.user, **read_query(DirectoryQuerySerializer, request))
        followed = selectors.followed_ids(request.user, page.items)
        return page_response(
            request, page, DirectoryMemberSerializer, context={"followed_ids": followed}
        )


class JsonErrorsNegotiation(BaseContentNegotiation):
    """For a view whose success is a file sent past DRF's renderers: what they render is an
    error, JSON whatever the client accepts (`Accept: text/csv` would otherwise turn even
    the file into a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class MemberExportView(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="members_export",
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A CSV file (UTF-8, streamed, named `members-<date>.csv`): a header "
                "line, then one line per member, deactivated and banned ones too. Columns: "
                "name, email, handle, role, joined (ISO 8601 UTC), tiers (the active grants' "
                "tiers, separated by `; `), last active (the latest of the last sign-in, post "
                "and comment), then those other apps add (gamification's points and level). "
                "A cell that would start with = + - @, a tab or a carriage return starts "
                "with ' instead.",
            ),
            403: OpenApiResponse(ErrorSerializer, description="Only admins may export members."),
        },
        summary="Every member as a CSV file (admins)",
    )
    def get(self, request):
        header, batches = services.export_members(request.user)
        return csv_download(request, header, batches, name="members")


def _follow_state(request, member):
    state = selectors.follow_state(request.user, member)
    return Response(FollowStateSerializer(state).data)


class FollowView(APIView):
    """Same answers as the page's follow button: a member the viewer may not see is 404,
    except that the viewer may always unfollow a member they follow."""

    @extend_schema(
        request=None, responses=FollowStateSerializer, summary="Follow a member (idempotent)"
    )
    def post(self, request, member_id):
        member = selectors.follow_target(request.user, member_id)
        services.follow(request.user, member=member)
        return _follow_state(request, member)

    @extend_schema(
        request=None,
        responses={200: FollowStateSerializer},
        summary="Unfollow a member (idempotent; allowed even once their profile is private)",
    )
    def delete(self, request, member_id):
        member = selectors.follow_target(request.user, member_id)
        services.unfollow(request.user, member=member)
        return _follow_state(request, member)


class _FollowListView(APIView):
    direction = ""

    def get(self, request, member_id):
        member = selectors.member_profile(request.user, member_id)
        page = selectors.follow_page(
            request.user, member, direction=self.direction, **page_query(request)
        )
        other = "follower" if self.direction == "followers" else "followed"
        members = [getattr(row, other) for row in page.items]
        entries = [
            {"member": who, "followed_at": row.created_at}
            for who, row in zip(members, page.items, strict=True)
        ]
        followed = selectors.followed_ids(request.user, members)
        return page_response(
            request, replace(page, items=entries), FollowEntrySerializer,
            context={"followed_ids": followed},
        )  # fmt: skip


class FollowerListView(_FollowListView):
    direction = "followers"

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(FollowEntrySerializer),
        summary="Who follows a member, newest first",
    )
    def get(self, request, member_id):
        return super().get(request, member_id)


class FollowingListView(_FollowListView):
    direction = "following"

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(FollowEntrySerializer),
        summary="Whom a member follows, newest first",
    )
    def get(self, request, member_id):
        return super().get(request, member_id)


class ReportListView(APIView):
    @extend_schema(
        operation_id="reports_list",
        parameters=[ReportQuerySerializer],
        responses={200: cursor_page_serializer(ReportSerializer), 403: ErrorSerializer},
        summary="Reports with a status, newest first (moderators)",
    )
    def get(self, request):
        page = selectors.report_queue(request.user, **read_query(ReportQuerySerializer, request))
        return page_response(request, page, ReportSerializer)

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, 404: ErrorSerializer},
        summary="Report a post, a comment or a member to the moderators (once per target)",
    )
    def post(self, request):
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        target = selectors.report_target(request.user, data["target_type"], data["target_id"])
        report = services.report(request.user, target=target, reason=data["reason"])
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class _ReportActionView(APIView):
    action = None

    def post(self, request, report_id):
        incoming = ReportNoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report = selectors.report_for_moderation(request.user, report_id)
        report = getattr(services, self.action)(
            request.user, report=report, note=incoming.validated_data["note"]
        )
        return Response(ReportSerializer(report).data)


class ReportResolveView(_ReportActionView):
    action = "resolve_report"

    @extend_schema(
        request=ReportNoteSerializer, responses=ReportSerializer, summary="Resolve (moderators)"
    )
    def post(self, request, report_id):
        return super().post(request, report_id)


class ReportDismissView(_ReportActionView):
    action = "dismiss_report"

    @extend_schema(
        request=ReportNoteSerializer, responses=ReportSerializer, summary="Dismiss (moderators)"
    )
    def post(self, request, report_id):
        return super().post(request, report_id)
