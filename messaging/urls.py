from django.urls import path

from .views import conversations, notifications

app_name = "messaging"

urlpatterns = [
    path("notifications/", notifications.notifications_page, name="notifications"),
    path("notifications/bell/", notifications.bell, name="bell"),
    path("notifications/read-all/", notifications.mark_all_read, name="read_all"),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("notifications/unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path(
        "notifications/mute/<str:target_type>/<int:target_id>/",
        notifications.mute_toggle,
        name="mute",
    ),
    path("notifications/<int:notification_id>/", notifications.open_notification, name="open"),
    path("notifications/<int:notification_id>/read/", notifications.mark_read, name="read"),
    path("messages/", conversations.conversations_page, name="conversations"),
    path("messages/settings/", conversations.message_settings, name="settings"),
    path("messages/with/<int:member_id>/", conversations.start, name="start"),
    path("messages/block/<int:member_id>/", conversations.block, name="block"),
    path("messages/unblock/<int:member_id>/", conversations.unblock, name="unblock"),
    path("messages/<int:conversation_id>/", conversations.thread, name="thread"),
    path("messages/<int:conversation_id>/send/", conversations.send, name="send"),
    path("messages/<int:conversation_id>/read/", conversations.mark_read, name="mark_read"),
    path(
        "messages/<int:conversation_id>/m/<int:message_id>/",
        conversations.message_card,
        name="message",
    ),
    path("messages/m/<int:message_id>/edit/", conversations.edit, name="edit"),
    path("messages/m/<int:message_id>/delete/", conversations.delete, name="delete"),
]
