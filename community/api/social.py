"""API for the member directory, follows and reports: thin views over the same selectors
and services as the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors, services
from community.models import Report, User
from community.pagination import MAX_PAGE_SIZE
from community.selectors.directory import DIRECTORY_PAGE_SIZE, SORTS
from community.selectors.reports import REPORT_TARGETS, target_kind

from .serializers import MemberSerializer

# --- Input -------------------------------------------------------------------------------


class PageQuerySerializer(serializers.Serializer):
    cursor = serializers.CharField(required=False, help_text="next_cursor of the previous page.")
    size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DIRECTORY_PAGE_SIZE
    )


class DirectoryQuerySerializer(PageQuerySerializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of a name or @handle."
    )
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    following = serializers.BooleanField(
        required=False, default=False, help_text="Only members you follow."
    )
    sort = serializers.ChoiceField(choices=list(SORTS.items()), required=False, default="newest")


class ReportQuerySerializer(PageQuerySerializer):
    status = serializers.ChoiceField(
        choices=Report.Status.choices, required=False, default=Report.Status.OPEN
    )


class ReportCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=list(REPORT_TARGETS))
    target_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text="What is wrong, 1 to 2000 characters."
    )


class ReportNoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kept in the audit log."
    )


# --- Output ------------------------------------------------------------------------------


class MemberCardSerializer(serializers.ModelSerializer):
    """A member as a card in a list, with whether you follow them."""

    avatar_url = serializers.SerializerMethodField()
    is_following = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "handle", "display_name", "avatar_url", "role", "created_at",
                  "is_following"]  # fmt: skip
        read_only_fields = fields

    def get_avatar_url(self, member) -> str | None:
        return member.avatar.url if member.avatar else None

    def get_is_following(self, member) -> bool:
        return member.pk in self.context["followed_ids"]


class DirectoryMemberSerializer(MemberCardSerializer):
    follower_count = serializers.IntegerField(read_only=True)
    following_count = serializers.IntegerField(read_only=True)

    class Meta(MemberCardSerializer.Meta):
        fields = [*MemberCardSerializer.Meta.fields, "follower_count", "following_count"]
        read_only_fields = fields


class DirectoryPageSerializer(serializers.Serializer):
    results = DirectoryMemberSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class FollowEntrySerializer(serializers.Serializer):
    member = MemberCardSerializer()
    followed_at = serializers.DateTimeField(help_text="When the follow began.")


class FollowPageSerializer(serializers.Serializer):
    results = FollowEntrySerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class FollowStateSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    is_following = serializers.BooleanField()
    follower_count = serializers.IntegerField()


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


class ReportPageSerializer(serializers.Serializer):
    results = ReportSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


# --- Views -------------------------------------------------------------------------------


def _query(serializer_class, request):
    incoming = serializer_class(data=request.query_params)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


class MemberListView(APIView):
    @extend_schema(
        operation_id="members_list",
        parameters=[DirectoryQuerySerializer],
        responses=DirectoryPageSerializer,
        summary="The member directory: search, filter, sort, cursor-paginated",
    )
    def get(self, request):
        query = _query(DirectoryQuerySerializer, request)
        page = selectors.directory(request.user, **query)
        followed = selectors.followed_ids(request.user, page.items)
        results = DirectoryMemberSerializer(
            page.items, many=True, context={"request": request, "followed_ids": followed}
        ).data
        return Response({"results": results, "next_cursor": page.next_cursor})


def _follow_state(request, member):
    return Response(
        FollowStateSerializer(
            {
                "member_id": member.pk,
                "is_following": bool(selectors.followed_ids(request.user, [member])),
                "follower_count": selectors.follow_counts(member)["followers"],
            }
        ).data
    )


class FollowView(APIView):
    @extend_schema(
        request=None, responses=FollowStateSerializer, summary="Follow a member (idempotent)"
    )
    def post(self, request, member_id):
        member = selectors.member_profile(request.user, member_id)
        services.follow(request.user, member=member)
        return _follow_state(request, member)

    @extend_schema(
        request=None, responses=FollowStateSerializer, summary="Unfollow a member (idempotent)"
    )
    def delete(self, request, member_id):
        member = get_object_or_404(User, pk=member_id, is_active=True)
        services.unfollow(request.user, member=member)
        return _follow_state(request, member)


class _FollowListView(APIView):
    direction = ""

    def get(self, request, member_id):
        member = selectors.member_profile(request.user, member_id)
        query = _query(PageQuerySerializer, request)
        page = selectors.follow_page(request.user, member, direction=self.direction, **query)
        other = "follower" if self.direction == "followers" else "followed"
        members = [getattr(row, other) for row in page.items]
        followed = selectors.followed_ids(request.user, members)
        entries = [
            {"member": who, "followed_at": row.created_at}
            for who, row in zip(members, page.items, strict=True)
        ]
        results = FollowEntrySerializer(
            entries, many=True, context={"request": request, "followed_ids": followed}
        ).data
        return Response({"results": results, "next_cursor": page.next_cursor})


class FollowerListView(_FollowListView):
    direction = "followers"

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=FollowPageSerializer,
        summary="Who follows a member, newest first",
    )
    def get(self, request, member_id):
        return super().get(request, member_id)


class FollowingListView(_FollowListView):
    direction = "following"

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=FollowPageSerializer,
        summary="Whom a member follows, newest first",
    )
    def get(self, request, member_id):
        return super().get(request, member_id)


class ReportListView(APIView):
    @extend_schema(
        operation_id="reports_list",
        parameters=[ReportQuerySerializer],
        responses=ReportPageSerializer,
        summary="Reports with a status, newest first (moderators)",
    )
    def get(self, request):
        query = _query(ReportQuerySerializer, request)
        page = selectors.report_queue(request.user, **query)
        results = ReportSerializer(page.items, many=True).data
        return Response({"results": results, "next_cursor": page.next_cursor})

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportSerializer},
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
