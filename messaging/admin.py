from django.contrib import admin

from .models import Block, Conversation, Message, Notification, Preferences


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are made by the other apps' signals, never by hand."""

    list_display = ["recipient", "kind", "actor", "others", "updated_at", "read_at", "emailed_at"]
    list_filter = ["kind", "email_pending"]
    raw_id_fields = ["recipient", "actor"]
    search_fields = ["recipient__email", "group"]
    show_full_result_count = False  # no count(*) over millions of rows on every page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only, for a moderator looking into a report of harassment (search a
    conversation's id to read its thread): messages are written by their members only."""

    list_display = ["pk", "conversation", "sender", "created_at", "edited_at", "deleted_at"]
    raw_id_fields = ["conversation", "sender"]
    search_fields = ["=conversation__id", "sender__email"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: who talks to whom (the messages are in Message, by conversation id)."""

    list_display = ["pk", "low", "high", "created_at"]
    raw_id_fields = ["low", "high", "last_message"]
    search_fields = ["low__email", "high__email", "low__handle", "high__handle"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    raw_id_fields = ["blocker", "blocked"]
    search_fields = ["blocker__email", "blocked__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    """Read-only, to answer "why did I (not) get that email?": members choose for
    themselves on their notification settings."""

    list_display = ["member", "email_enabled", "email_frequency", "quiet_start", "quiet_end",
                    "next_digest_at", "last_digest_at", "direct_messages"]  # fmt: skip
    list_filter = ["email_enabled", "email_frequency", "direct_messages"]
    raw_id_fields = ["member"]
    search_fields = ["member__email", "member__handle"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
