"""Posts, the feed, a space's posts and a hashtag's posts: the same selectors and services
as the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from community import selectors, services
from community.models import BODY_MAX, Post, Space
from community.models.posts import TITLE_MAX
from community.selectors.feed import KINDS, TABS

from .errors import ErrorSerializer
from .serializers import AuthorSerializer
from .toolkit import (
    PageQuerySerializer,
    StrictSerializer,
    cursor_page_serializer,
    page_query,
    page_response,
)


class PostSpaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Space
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class PostSerializer(serializers.ModelSerializer):
    """A post as its card shows it; `liked` is the viewer's (selectors mark every post)."""

    author = AuthorSerializer(read_only=True)
    space = PostSpaceSerializer(read_only=True)
    liked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "space", "author", "title", "body", "body_html", "like_count",
                  "comment_count", "liked", "pinned_at", "hidden_at", "edited_at",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class SpacePostPageSerializer(cursor_page_serializer(PostSerializer)):
    pinned = PostSerializer(many=True, read_only=True, help_text="Pinned posts, first page only.")


# The limits services.posts enforces, with its messages, so that the schema's maxLength is the
# real one. A title is stripped before it is measured, as the service does.
TITLE_FIELD = {
    "required": False,
    "allow_blank": True,
    "max_length": TITLE_MAX,
    "trim_whitespace": True,
    "error_messages": {"max_length": f"A title can be at most {TITLE_MAX} characters."},
}
BODY_FIELD = {
    "required": False, "allow_blank": True, "max_length": BODY_MAX, "trim_whitespace": False,
    "error_messages": {"max_length": f"A post can be at most {BODY_MAX:,} characters."},
}  # fmt: skip


class PostCreateSerializer(StrictSerializer):
    space = serializers.SlugField(help_text="The slug of a space you may post in.")
    title = serializers.CharField(**TITLE_FIELD)
    body = serializers.CharField(**BODY_FIELD)
    image = serializers.FileField(
        required=False, help_text="An image shown below the text (multipart/form-data)."
    )


class PostUpdateSerializer(StrictSerializer):
    title = serializers.CharField(**TITLE_FIELD)
    body = serializers.CharField(
        **BODY_FIELD,
        help_text="The text. The attached image stays (unless replaced or removed); a body "
        "that ends with its image line, as GET returns it, keeps that line.",
    )
    image = serializers.FileField(
        required=False, help_text="Replaces the attached image (multipart/form-data)."
    )
    remove_image = serializers.BooleanField(
        required=False, default=False, help_text="Removes the attached image."
    )


FEED_PARAMETERS = [
    OpenApiParameter(
        "tab",
        OpenApiTypes.STR,
        enum=list(TABS),
        description="all (newest), following (authors you follow), popular "
        "(last 7 days by likes + comments, ranked once a minute)",
    ),
    OpenApiParameter("space", OpenApiTypes.STR, description="Only this space (slug)."),
    OpenApiParameter(
        "kind",
        OpenApiTypes.STR,
        enum=list(KINDS),
        description="discussion (no title) or article (titled)",
    ),
    PageQuerySerializer,
]


def _post(request, post, code=status.HTTP_200_OK):
    """The post as GET answers it, read again after a write (same selector as the page)."""
    post = selectors.post_detail(request.user, post.pk)
    return Response(PostSerializer(post, context={"request": request}).data, status=code)


class PostListView(APIView):
    @extend_schema(
        parameters=FEED_PARAMETERS,
        responses=cursor_page_serializer(PostSerializer),
        operation_id="posts_list",
        summary="The activity feed: posts from every space you may see",
    )
    def get(self, request):
        params = request.query_params
        page = selectors.feed(request.user, tab=params.get("tab") or "all",
                              space=params.get("space") or None, kind=params.get("kind") or None,
                              **page_query(request))  # fmt: skip
        return page_response(request, page, PostSerializer)

    @extend_schema(
        request=PostCreateSerializer,
        responses={201: PostSerializer, 404: ErrorSerializer},
        summary="Post in a space (404: no space with this slug that you may see)",
    )
    def post(self, request):
        incoming = PostCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        space = selectors.space_by_slug(request.user, data["space"])
        post = services.create_post(
            request.user,
            space=space,
            body=data.get("body", ""),
            title=data.get("title", ""),
            image=data.get("image"),
        )
        return _post(request, post, status.HTTP_201_CREATED)


class PostDetailView(APIView):
    @extend_schema(responses=PostSerializer, summary="A post")
    def get(self, request, post_id):
        return _post(request, selectors.post_detail(request.user, post_id))

    @extend_schema(request=PostUpdateSerializer, responses=PostSerializer,
                   summary="Edit a post (its author, or a moderator)")  # fmt: skip
    def patch(self, request, post_id):
        post = selectors.post_detail(request.user, post_id)
        incoming = PostUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        post = services.edit_post(request.user, post=post, **incoming.validated_data)
        return _post(request, post)

    @extend_schema(responses={204: None}, summary="Delete a post (soft; author or moderator)")
    def delete(self, request, post_id):
        services.delete_post(request.user, post=selectors.post_detail(request.user, post_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _moderation_view(service, summary):
    class PostModerationView(APIView):
        @extend_schema(request=None, responses=PostSerializer, summary=summary)
        def post(self, request, post_id):
            post = service(request.user, post=selectors.post_detail(request.user, post_id))
            return _post(request, post)

    PostModerationView.__name__ = f"Post{service.__name__.title().replace('_', '')}View"
    return PostModerationView


PostPinView = _moderation_view(services.pin_post, "Pin to the top of its space (moderators)")
PostUnpinView = _moderation_view(services.unpin_post, "Unpin (moderators)")
PostHideView = _moderation_view(services.hide_post, "Hide from members (moderators)")
PostUnhideView = _moderation_view(services.unhide_post, "Show to members again (moderators)")


class SpacePostListView(APIView):
    @extend_schema(parameters=[PageQuerySerializer], responses=SpacePostPageSerializer,
                   summary="A space's posts: pinned first (first page), then newest")  # fmt: skip
    def get(self, request, slug):
        space = selectors.space_by_slug(request.user, slug)
        feed = selectors.space_feed(request.user, space, **page_query(request))
        data = {"pinned": feed.pinned, "results": feed.items, "next_cursor": feed.next_cursor}
        return Response(SpacePostPageSerializer(data, context={"request": request}).data)


class HashtagPostListView(APIView):
    @extend_schema(parameters=[PageQuerySerializer],
                   responses=cursor_page_serializer(PostSerializer),
                   summary="Posts with a hashtag, newest first")  # fmt: skip
    def get(self, request, name):
        page = selectors.hashtag_posts(request.user, name, **page_query(request))
        return page_response(request, page, PostSerializer)
