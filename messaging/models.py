"""In-app notifications: one row per thing a member is told, grouped where members expect it
("Ana and 4 others liked your post" is one row that updates), and the causes already
delivered, so that a signal delivered twice tells nobody twice.

Direct messages: one conversation per pair of members, each member's side of it (what they
have read, where it sits in their list), its messages, blocks, and each member's switch for
direct messages."""

import html

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.utils.html import strip_tags


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
        MODERATION = "moderation", "Moderators' notices"

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
    # Waiting to be emailed (the member wants this kind by email; cleared when it is sent,
    # read first, or no longer wanted), and when it went out: each row is mailed once.
    # (db_default too: the benchmark's loader writes rows in SQL.)
    email_pending = models.BooleanField(default=False, db_default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

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
            # What the mailer still has to send, and to whom.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(email_pending=True),
                name="messaging_notif_email_pending",
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


# Payment problems and moderators' notices are always told, in the app and by email at once:
# access to what the member paid for, or their standing here, is at stake. No setting, mute,
# unsubscribe link or digest holds them back.
ALWAYS_TOLD = (Notification.Kind.PAYMENT, Notification.Kind.MODERATION)
# What a member hears of: the notification kinds and direct messages.
MESSAGE_EMAIL = "message"
HEARD_KINDS = [*Notification.Kind.choices, (MESSAGE_EMAIL, "Direct messages")]
# Every kind of email a member may turn off.
EMAIL_KINDS = [(kind, label) for kind, label in HEARD_KINDS if kind not in ALWAYS_TOLD]
# Likes are told in the app only unless a member asks for their email too.
EMAIL_OFF_BY_DEFAULT = (Notification.Kind.LIKE,)


def default_email_off():
    return list(EMAIL_OFF_BY_DEFAULT)


class Preferences(models.Model):
    """A member's messaging choices; a member without a row has the defaults."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "As it happens"
        DAILY = "daily", "A daily digest"
        WEEKLY = "weekly", "A weekly digest (Mondays)"
        OFF = "off", "Never"

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messaging_preferences"
    )
    # Off: nobody may start or continue a conversation with them (they see why).
    direct_messages = models.BooleanField(default=True)
    # The kinds of notification the member turned off (Notification.Kind values): none of
    # them is made for them any more.
    in_app_off = models.JSONField(default=list, blank=True)
    # Email: the switch for all of it (what "unsubscribe from all" turns off, keeping the
    # rest to come back to), how often, the kinds (EMAIL_KINDS values) turned off, and the
    # hours of the member's day when nothing is sent (start > end spans midnight).
    email_enabled = models.BooleanField(default=True)
    email_frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    email_off = models.JSONField(default=default_email_off, blank=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    # Digests: when the next one is due (UTC, from the member's time zone) and the last one
    # was built.
    next_digest_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "preferences"
        indexes = [
            models.Index(
                fields=["next_digest_at"],
                condition=Q(next_digest_at__isnull=False),
                name="messaging_prefs_digest_due",
            )
        ]

    def __str__(self):
        return f"Messaging preferences of {self.member_id}"


class Mute(models.Model):
    """The member hears nothing more of a post's thread, a space or another member: no
    notification is made of it for them."""

    class Target(models.TextChoices):
        POST = "post", "A post and its comments"
        SPACE = "space", "A space"
        MEMBER = "member", "A member"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "target_type", "target_id"], name="messaging_mute_once"
            )
        ]

    def __str__(self):
        return f"{self.member_id} muted {self.target_type} {self.target_id}"


class Block(models.Model):
    """`blocker` blocked `blocked`: no new messages either way, and the blocker no longer
    sees their conversation."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="messaging_block_once"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="messaging_block_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.blocker_id} blocked {self.blocked_id}"


class Conversation(models.Model):
    """Direct messages between two members: `low` is the one with the smaller id, so a pair
    has one conversation whoever starts it."""

    low = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The newest message (shown in the list); null until the first one is sent.
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="messaging_one_conversation"),
            models.CheckConstraint(
                condition=Q(low__lt=models.F("high")), name="messaging_conversation_pair_ordered"
            ),
        ]

    def __str__(self):
        return f"Conversation {self.pk} ({self.low_id}, {self.high_id})"


class Participant(models.Model):
    """One member's side of a conversation: whom it is with, what they have read (the other
    side's read receipt) and where it sits in their list."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    # Indexed first in messaging_participant_sides below, which serves lookups by member.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The newest message id they have seen (their own count as seen), and when.
    last_read_id = models.BigIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)
    # A message came that they have not read and no email has told them of yet.
    email_pending = models.BooleanField(default=False, db_default=False)
    # When the conversation's latest message was sent: the member's list order (null: no
    # message yet, not listed).
    latest_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)  # the member blocked the other

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "member"], name="messaging_participant_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["member", "-latest_at", "-id"],
                condition=Q(hidden=False, latest_at__isnull=False),
                name="messaging_conversation_list",
            ),
            # Finding a member's conversation with another (profile, block), and every
            # conversation of a member from the index alone: the rule of what they may read
            # (access.visible_messages, their search's too). Without the conversation here,
            # a member in 460 conversations had their rows read from 380 table pages.
            models.Index(
                fields=["member", "other", "conversation"], name="messaging_participant_sides"
            ),
            models.Index(
                fields=["member"],
                condition=Q(email_pending=True),
                name="messaging_participant_email",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} in conversation {self.conversation_id}"


MESSAGE_MAX = 5000


class Message(models.Model):
    # Indexed first in messaging_thread below, which serves lookups by conversation; its id
    # beside it bounds a search's walk over a member's newest messages (search/postgres.py).
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    # Indexed with created_at below (the rate limit), which also serves lookups by sender.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # The storage name of an attached image (checked by the shared upload validator).
    image = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its sender: the row stays (the thread keeps its shape), its words do not.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The thread, page by page, and the unread count (id > last_read_id).
            models.Index(fields=["conversation", "-id"], name="messaging_thread"),
            # The sending rate limit.
            models.Index(fields=["sender", "-created_at"], name="messaging_sent_recently"),
        ]

    def __str__(self):
        return f"Message {self.pk} in conversation {self.conversation_id}"

    @property
    def preview(self):
        """The words as plain text (the rendered Markdown without its marks), for a list."""
        return " ".join(html.unescape(strip_tags(self.body_html)).split())

    @property
    def image_url(self):
        return default_storage.url(self.image) if self.image else ""
