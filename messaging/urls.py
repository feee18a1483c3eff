from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/<int:notification_id>/", views.open_notification, name="open"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="read"),
]
