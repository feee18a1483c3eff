from rest_framework import serializers

from community.api.serializers import AuthorSerializer
from community.api.toolkit import PageQuerySerializer

from ..models import Notification
from ..text import sentence


class NotificationSerializer(serializers.ModelSerializer):
    """One notification. `actor` is the latest member whose action it is (null for the
    community's own: a reminder, a level, a payment); `others` how many more members'
    actions it also stands for. `target_type` and `target_id` name what it is about
    (`post`, `comment`, `member`, `event`, `course`; `leaderboard` and `billing` have no
    id); `data` holds the short words it was made with (a post's `title` and `post_id`,
    an event's `title` and `starts_at`, …); `text` is the sentence the page shows."""

    actor = AuthorSerializer(read_only=True, allow_null=True)
    text = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "actor", "others", "target_type", "target_id", "data",
                  "created_at", "updated_at", "read_at", "is_read"]  # fmt: skip
        read_only_fields = fields

    def get_text(self, notification) -> str:
        return sentence(notification)


class NotificationQuerySerializer(PageQuerySerializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only the unread ones."
    )


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Your unread notifications.")


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are read now.")
