"""Comments and likes over the API: the same selectors and services as the post page."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors, services
from community.models import BODY_MAX, Comment

from .serializers import AuthorSerializer
from .toolkit import (
    PageQuerySerializer,
    StrictSerializer,
    cursor_page_serializer,
    page_query,
    page_response,
)


class CommentSerializer(serializers.ModelSerializer):
    """A comment as the viewer sees it. A comment kept for its replies although deleted, or
    hidden by a moderator (`hidden_at`; moderators see it whole), has no author and an empty
    body."""

    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    deleted = serializers.BooleanField(source="is_deleted", read_only=True)
    liked = serializers.BooleanField(read_only=True)
    can_edit = serializers.BooleanField(read_only=True)
    can_delete = serializers.BooleanField(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "post_id", "parent_id", "author", "body", "body_html", "like_count",
                  "liked", "deleted", "hidden_at", "can_edit", "can_delete", "created_at",
                  "edited_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, comment):
        return None if comment.withheld else AuthorSerializer(comment.author).data

    def get_body(self, comment) -> str:
        return "" if comment.withheld else comment.body

    def get_body_html(self, comment) -> str:
        return "" if comment.withheld else comment.body_html


class ThreadSerializer(CommentSerializer):
    """A top-level comment with its live replies, oldest first."""

    replies = CommentSerializer(source="thread", many=True, read_only=True)

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "replies"]
        read_only_fields = fields


# The limit services.comments enforces, so that the schema's maxLength is the real one.
COMMENT_BODY_FIELD = {
    "allow_blank": True, "trim_whitespace": False, "max_length": BODY_MAX,
    "error_messages": {"max_length": f"Keep a comment under {BODY_MAX:,} characters."},
}  # fmt: skip


class CommentWriteSerializer(StrictSerializer):
    """Shape of a new comment; services.create_comment validates the values."""

    body = serializers.CharField(**COMMENT_BODY_FIELD)
    parent = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Reply to this comment (a reply to a reply joins the same thread).",
    )  # fmt: skip


class CommentEditSerializer(StrictSerializer):
    body = serializers.CharField(**COMMENT_BODY_FIELD)


class LikeStateSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField(help_text="Counted from the likes at this moment.")


def _comment_response(request, comment_id, code=status.HTTP_200_OK):
    comment = selectors.comment_view(request.user, comment_id)
    return Response(CommentSerializer(comment).data, status=code)


class PostCommentsView(APIView):
    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=cursor_page_serializer(ThreadSerializer),
        summary="A post's comment threads, newest first, replies nested",
    )
    def get(self, request, post_id):
        post = selectors.post_detail(request.user, post_id)
        page = selectors.comments_for(request.user, post, **page_query(request))
        return page_response(request, page, ThreadSerializer)

    @extend_schema(request=CommentWriteSerializer, responses={201: CommentSerializer},
                   summary="Comment on a post, or reply to a comment")  # fmt: skip
    def post(self, request, post_id):
        post = selectors.post_detail(request.user, post_id)
        incoming = CommentWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = services.create_comment(
            request.user, post=post, body=incoming.validated_data["body"],
            parent=selectors.reply_parent(incoming.validated_data.get("parent")),
        )  # fmt: skip
        return _comment_response(request, comment.pk, status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    @extend_schema(request=CommentEditSerializer, responses=CommentSerializer,
                   summary="Edit your comment")  # fmt: skip
    def patch(self, request, comment_id):
        comment = selectors.comment_detail(request.user, comment_id)
        incoming = CommentEditSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.edit_comment(request.user, comment=comment, body=incoming.validated_data["body"])
        return _comment_response(request, comment.pk)

    @extend_schema(responses={204: None},
                   summary="Delete a comment (yours, or any as a moderator; soft)")  # fmt: skip
    def delete(self, request, comment_id):
        comment = selectors.comment_detail(request.user, comment_id)
        services.delete_comment(request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _moderation_view(service, summary):
    class CommentModerationView(APIView):
        @extend_schema(request=None, responses=CommentSerializer, summary=summary)
        def post(self, request, comment_id):
            service(request.user, comment=selectors.comment_detail(request.user, comment_id))
            return _comment_response(request, comment_id)

    CommentModerationView.__name__ = f"Comment{service.__name__.title().replace('_', '')}View"
    return CommentModerationView


CommentHideView = _moderation_view(services.hide_comment, "Hide from members (moderators)")
CommentUnhideView = _moderation_view(services.unhide_comment, "Show to members again (moderators)")


class _LikeView(APIView):
    """POST likes, DELETE unlikes; both idempotent."""

    def target(self, request, pk):
        raise NotImplementedError

    def _state(self, target, liked):
        data = {"liked": liked, "like_count": selectors.like_count(target)}
        return Response(LikeStateSerializer(data).data)

    def post(self, request, pk):
        target = self.target(request, pk)
        return self._state(target, services.like(request.user, target=target))

    def delete(self, request, pk):
        target = self.target(request, pk)
        return self._state(target, services.unlike(request.user, target=target))


@extend_schema(request=None, responses={200: LikeStateSerializer})
class PostLikeView(_LikeView):
    def target(self, request, pk):
        return selectors.post_detail(request.user, pk)

    @extend_schema(summary="Like a post (idempotent)")
    def post(self, request, post_id):
        return super().post(request, post_id)

    @extend_schema(summary="Unlike a post (idempotent)")
    def delete(self, request, post_id):
        return super().delete(request, post_id)


@extend_schema(request=None, responses={200: LikeStateSerializer})
class CommentLikeView(_LikeView):
    def target(self, request, pk):
        return selectors.comment_detail(request.user, pk)

    @extend_schema(summary="Like a comment (idempotent)")
    def post(self, request, comment_id):
        return super().post(request, comment_id)

    @extend_schema(summary="Unlike a comment (idempotent)")
    def delete(self, request, comment_id):
        return super().delete(request, comment_id)
