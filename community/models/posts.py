from datetime import timedelta

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.utils import timezone

from .members import User
from .spaces import Space

BODY_MAX = 50_000
TITLE_MAX = 200


class Hashtag(models.Model):
    name = models.CharField(max_length=50, unique=True, help_text="Lower case, without the #.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self):
        return f"#{self.name}"


class PostQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Post(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    body = models.TextField(validators=[MinLengthValidator(1), MaxLengthValidator(BODY_MAX)])
    body_html = models.TextField(editable=False)
    hashtags = models.ManyToManyField(Hashtag, related_name="posts", blank=True)
    mentions = models.ManyToManyField(User, related_name="mentioned_in_posts", blank=True)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    pinned_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Hidden by a moderator.")
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            # The feed: newest first, keyset on (created_at, id).
            models.Index(fields=["-created_at", "-id"], name="post_feed_idx"),
            models.Index(fields=["space", "-created_at", "-id"], name="post_space_feed_idx"),
            models.Index(fields=["author", "-created_at", "-id"], name="post_author_idx"),
            models.Index(
                fields=["space", "-pinned_at"],
                name="post_pinned_idx",
                condition=models.Q(pinned_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title or self.body[:60]


class PopularPost(models.Model):
    """The Popular tab's ranking: the last week's live posts with the most likes and comments,
    written every minute by tasks.rank_popular_posts, so that a page of the tab reads a few
    hundred ranked rows instead of ranking every post of the week per request (19k on the
    benchmark's large dataset). Who may see which post is still decided when it is read."""

    WINDOW = timedelta(days=7)  # posts of the last week
    KEPT = 2000  # the tab pages through the best ranked this many

    post = models.OneToOneField(
        Post, primary_key=True, on_delete=models.CASCADE, related_name="popularity"
    )
    score = models.PositiveIntegerField(help_text="Likes + comments when it was ranked.")

    class Meta:
        indexes = [models.Index(fields=["-score", "-post"], name="popular_rank_idx")]

    def __str__(self):
        return f"post #{self.post_id}: {self.score}"


class CommentQuerySet(models.QuerySet):
    def shown(self):
        """What members see: neither deleted nor hidden by a moderator (what a post's
        comment_count counts)."""
        return self.filter(deleted_at__isnull=True, hidden_at__isnull=True)


class Comment(models.Model):
    """A comment on a post, or a reply to a top-level comment (two levels, no deeper)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(validators=[MinLengthValidator(1), MaxLengthValidator(BODY_MAX)])
    body_html = models.TextField(editable=False)
    mentions = models.ManyToManyField(User, related_name="mentioned_in_comments", blank=True)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    hidden_at = models.DateTimeField(null=True, blank=True, help_text="Hidden by a moderator.")
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["post", "created_at", "id"], name="comment_post_idx"),
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
            # Analytics: comments per day and active members read a date range.
            models.Index(fields=["created_at"], name="comment_created_idx"),
            # The admin's "hidden" filter, newest first: the few hidden rows of millions.
            models.Index(
                fields=["-id"],
                name="comment_hidden_idx",
                condition=models.Q(hidden_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.body[:60]


class Like(models.Model):
    """One member's like of a post or a comment."""

    TARGET_MODELS = ("post", "comment")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="likes")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="like_once_per_member"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="like_target_idx")]

    def __str__(self):
        return f"{self.user} likes {self.content_type.model} #{self.object_id}"
