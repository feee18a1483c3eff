"""Community's searchable kinds, registered in CommunityConfig.ready(). The columns are
those migration 0015_search indexes."""

from django.urls import reverse
from django.utils.text import Truncator

from community import access
from community.models import Comment, Post, Space, User

from .sources import Source


def _post_title(post):
    return post.title or Truncator(post.body).chars(80)


POSTS = Source(
    kind="posts",
    label="Posts",
    model=Post,
    columns={"title": "A", "body": "B"},
    snippet="body",
    visible=access.visible_posts,
    title=_post_title,
    url=lambda post: reverse("community:post", args=[post.pk]),
    space="space__slug",
    author="author__handle",
    hashtags="hashtags__name",
)

COMMENTS = Source(
    kind="comments",
    label="Comments",
    model=Comment,
    columns={"body": "B"},
    snippet="body",
    visible=access.visible_comments,
    title=lambda comment: f"On “{_post_title(comment.post)}”",
    url=lambda comment: (
        reverse("community:post", args=[comment.post_id]) + f"#comment-{comment.pk}"
    ),
    space="post__space__slug",
    author="author__handle",
    related=("post",),
)

MEMBERS = Source(
    kind="members",
    label="Members",
    model=User,
    columns={"display_name": "A", "handle": "A", "bio": "B"},
    snippet="bio",
    visible=access.findable_members,
    title=lambda member: member.display_name,
    url=lambda member: reverse("community:profile", args=[member.pk]),
    fuzzy=("display_name", "handle"),
)

SPACES = Source(
    kind="spaces",
    label="Spaces",
    model=Space,
    columns={"name": "A", "description": "B"},
    snippet="description",
    visible=access.visible_spaces,
    title=lambda space: space.name,
    url=lambda space: reverse("community:space", args=[space.slug]),
)

KINDS = (POSTS, COMMENTS, MEMBERS, SPACES)
