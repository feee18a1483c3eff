"""In-app notifications: one row per thing a member is told, grouped where members expect it
("Ana and 4 others liked your post" is one row that updates), and the causes already
delivered, so that a signal delivered twice tells nobody twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "Comments on my posts"
        REPLY = "reply", "Replies to my comments"
        MENTION = "mention", "Mentions"
        LIKE = "like", "Likes"
        FOLLOW = "follow", "New followers"
        EVENT = "event", "Event reminders and waitlist promotions"
        COURSE = "course", "Course unlocks"
        LEVEL = "level", "Level-ups"
        PAYMENT = "payment", "Payment problems"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the row is about: likes of one post share a group, and a new like updates the
    # group's unread row instead of adding one. Other kinds have a group per cause.
    group = models.CharField(max_length=120)
    # The latest member whose action this is (null: the system, or a deleted account), and
    # how many other members' actions the row also stands for.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    others = models.PositiveIntegerField(default=0)
    # What the row links to (messaging.targets opens it) and the short words it shows,
    # copied when it was made (a post's title, an event's name and date).
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one unread row per group: the row a new like updates.
            models.UniqueConstraint(
                fields=["recipient", "group"],
                condition=Q(read_at__isnull=True),
                name="messaging_notification_one_unread_per_group",
            ),
        ]
        indexes = [
            # The member's list, newest activity first (keyset on updated_at, id).
            models.Index(fields=["recipient", "-updated_at", "-id"], name="messaging_notif_list"),
            # The unread count and "mark all read".
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="messaging_notif_unread",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.recipient_id} ({self.group})"

    @property
    def is_read(self):
        return self.read_at is not None


class DeliveredCause(models.Model):
    """One cause of a notification already told to its recipient ("like:post:12:by:5",
    "comment:34"): inserted before the notification is made or updated, so a cause seen
    again (a signal delivered twice, a like taken back and given again) tells nobody twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="messaging_cause_once_per_recipient"
            )
        ]

    def __str__(self):
        return f"{self.key} for {self.recipient_id}"
