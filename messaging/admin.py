"""Messaging in the Django admin: read only. Notifications are made by the other apps'
signals, messages by their members, preferences and mutes by each member for themselves;
moderators read conversations and messages when a member reports harassment.

DeliveredCause is not registered: its rows are delivery keys ("like:post:12:by:5") that stop
a signal delivered twice from telling a member twice, with nothing a person reads or acts on.
"""

from django.contrib import admin

from community.admin import ReadOnlyAdmin
from community.admin_tools import LargeTableAdmin

from .models import Block, Conversation, Message, Mute, Notification, Participant, Preferences


@admin.register(Notification)
class NotificationAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["recipient", "kind", "actor", "others", "updated_at", "read_at", "emailed_at"]
    list_filter = ["kind", "email_pending"]
    list_select_related = ["recipient", "actor"]
    raw_id_fields = ["recipient", "actor"]
    search_fields = ["recipient__email", "group"]
    ordering = ["-id"]  # newest first on the primary key's index


@admin.register(Message)
class MessageAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """For a moderator looking into a report of harassment: search a conversation's id to
    read its thread."""

    list_display = ["pk", "conversation", "sender", "created_at", "edited_at", "deleted_at"]
    list_select_related = ["conversation", "sender"]
    raw_id_fields = ["conversation", "sender"]
    search_fields = ["=conversation__id", "sender__email"]
    ordering = ["-id"]


@admin.register(Conversation)
class ConversationAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """Who talks to whom (the messages are in Message, by conversation id)."""

    list_display = ["pk", "low", "high", "created_at"]
    list_select_related = ["low", "high"]
    raw_id_fields = ["low", "high", "last_message"]
    search_fields = ["=id", "low__email", "high__email", "low__handle", "high__handle"]
    ordering = ["-id"]


@admin.register(Participant)
class ParticipantAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """One member's side of a conversation: what they have read, whether they hid it."""

    list_display = ["member", "other", "conversation", "latest_at", "last_read_at", "hidden"]
    list_filter = ["hidden", "email_pending"]
    list_select_related = ["member", "other", "conversation"]
    raw_id_fields = ["conversation", "member", "other"]
    search_fields = ["=conversation__id", "member__email"]
    ordering = ["-id"]


@admin.register(Block)
class BlockAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    list_select_related = ["blocker", "blocked"]
    raw_id_fields = ["blocker", "blocked"]
    search_fields = ["blocker__email", "blocked__email"]
    ordering = ["-id"]


@admin.register(Mute)
class MuteAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["member", "target_type", "target_id", "created_at"]
    list_filter = ["target_type"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    search_fields = ["member__email", "=target_id"]
    ordering = ["-id"]


@admin.register(Preferences)
class PreferencesAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """To answer "why did I (not) get that email?"."""

    list_display = ["member", "email_enabled", "email_frequency", "quiet_start", "quiet_end",
                    "next_digest_at", "last_digest_at", "direct_messages"]  # fmt: skip
    list_filter = ["email_enabled", "email_frequency", "direct_messages"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    search_fields = ["member__email", "member__handle"]
    ordering = ["-pk"]
