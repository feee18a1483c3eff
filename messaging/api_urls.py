"""The messaging API, under /api/v1/ (config/urls.py mounts it before the JSON 404 for
every other path under /api/)."""

from django.urls import path

from .api import conversations, notifications

urlpatterns = [
    path("notifications/", notifications.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/unread-count/",
        notifications.UnreadCountView.as_view(),
        name="api-notifications-unread-count",
    ),
    path(
        "notifications/read-all/",
        notifications.MarkAllReadView.as_view(),
        name="api-notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.MarkReadView.as_view(),
        name="api-notification-read",
    ),
    path(
        "preferences/notifications/",
        notifications.NotificationPreferencesView.as_view(),
        name="api-notification-preferences",
    ),
    path("mutes/", notifications.MuteListView.as_view(), name="api-mutes"),
    path("mutes/<int:mute_id>/", notifications.MuteDetailView.as_view(), name="api-mute"),
    path("conversations/", conversations.ConversationListView.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>/",
        conversations.ConversationDetailView.as_view(),
        name="api-conversation",
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        conversations.MessageListView.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/read/",
        conversations.MarkConversationReadView.as_view(),
        name="api-conversation-read",
    ),
    path(
        "messages/<int:message_id>/", conversations.MessageDetailView.as_view(), name="api-message"
    ),
    path("blocks/", conversations.BlockListView.as_view(), name="api-blocks"),
    path("blocks/<int:member_id>/", conversations.BlockDetailView.as_view(), name="api-block"),
    path(
        "preferences/messages/",
        conversations.MessagePreferencesView.as_view(),
        name="api-message-preferences",
    ),
]
