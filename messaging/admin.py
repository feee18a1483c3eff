from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are made by the other apps' signals, never by hand."""

    list_display = ["recipient", "kind", "actor", "others", "updated_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "actor"]
    search_fields = ["recipient__email", "group"]
    show_full_result_count = False  # no count(*) over millions of rows on every page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
