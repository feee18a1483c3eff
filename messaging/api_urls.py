"""The messaging API, under /api/v1/ (config/urls.py mounts it before the JSON 404 for
every other path under /api/)."""

from django.urls import path

from .api import notifications

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
]
