from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from . import access, audit, services
from .models import AccessGrant, ApiToken, AuditEntry, Space, Tier, User


class BanActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(required=False, label="Reason", max_length=500)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-created_at"]
    list_display = [
        "email",
        "display_name",
        "role",
        "profile_visibility",
        "is_banned_now",
        "created_at",
        "last_login",
    ]
    list_filter = [
        "role",
        "profile_visibility",
        "is_active",
        "is_staff",
        ("banned_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "display_name"]
    readonly_fields = ["created_at", "updated_at", "last_login", "banned_at", "bio_html"]
    action_form = BanActionForm
    actions = ["ban_members", "unban_members"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {"fields": ["display_name", "bio", "avatar", "time_zone", "profile_visibility"]},
        ),
        (
            "Role and access",
            {
                "fields": [
                    "role",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        ("Ban", {"fields": ["banned_at", "banned_until", "ban_reason"]}),
        ("Dates", {"fields": ["created_at", "updated_at", "last_login"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "role", "password1", "password2"],
            },
        ),
    ]

    # Who holds power, how they sign in and bans change only through a superuser here, or
    # through the ban actions (services, with an audit entry).
    PROTECTED_FIELDS = ["email", "password", "role", "is_active", "is_staff", "is_superuser",
                        "groups", "user_permissions", "banned_until", "ban_reason"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return [*readonly, *self.PROTECTED_FIELDS]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or request.user.is_superuser
            or access.can_moderate_member(request.user, obj)
        )

    @admin.display(boolean=True, description="Banned")
    def is_banned_now(self, member):
        return member.is_banned

    def _moderate(self, request, queryset, service, verb):
        reason = request.POST.get("reason", "")
        done = 0
        for member in queryset:
            try:
                service(request.user, member=member, reason=reason)
                done += 1
            except PermissionDenied:
                self.message_user(request, f"You may not {verb} {member}.", messages.WARNING)
        if done:
            self.message_user(request, f"{verb.capitalize()}ned {done} member(s).")

    @admin.action(description="Ban selected members (give a reason)", permissions=["change"])
    def ban_members(self, request, queryset):
        self._moderate(request, queryset, services.ban_member, "ban")

    @admin.action(description="Lift the ban of selected members", permissions=["change"])
    def unban_members(self, request, queryset):
        self._moderate(request, queryset, services.unban_member, "unban")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "hint", "created_at"]
    fields = ["user", "name", "hint", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return False


class AuditActionFilter(admin.SimpleListFilter):
    """Actions are open dotted names that apps register; filter by their labels."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return audit.registered_actions()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "who", "what", "target_type", "target_id", "reason"]
    list_filter = [AuditActionFilter, "target_type"]
    search_fields = ["actor__email", "cause", "reason"]
    list_select_related = ["actor", "target_type"]

    @admin.display(description="Actor", ordering="actor")
    def who(self, entry):
        return entry.actor_label

    @admin.display(description="Action", ordering="action")
    def what(self, entry):
        return audit.action_label(entry.action)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    """Grants are written through the service, so each one leaves an audit entry."""

    list_display = ["user", "tier", "source", "starts_at", "ends_at", "revoked_at", "granted_by"]
    list_filter = ["tier", "source", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__display_name", "note"]
    list_select_related = ["user", "tier", "granted_by"]
    autocomplete_fields = ["user"]
    fields = ["user", "tier", "ends_at", "note"]
    actions = ["revoke_grants"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.grant_access(
            request.user, member=data["user"], tier=data["tier"], ends_at=data["ends_at"],
            note=data["note"],
        )  # fmt: skip

    @admin.action(description="Revoke the selected grants")
    def revoke_grants(self, request, queryset):
        for grant in queryset.filter(revoked_at__isnull=True):
            services.revoke_access(request.user, grant=grant, reason="via admin")


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    """Spaces are written through the services: validation, positions and audit in one place."""

    list_display = ["name", "icon", "visibility", "required_tier", "post_permission", "position",
                    "deleted_at"]  # fmt: skip
    list_filter = ["visibility", "post_permission", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["required_tier"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "icon", "description", "visibility", "required_tier",
              "post_permission"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            services.update_space(request.user, space=obj, **changes)
        else:
            obj.pk = services.create_space(request.user, **changes).pk

    def delete_model(self, request, obj):
        services.delete_space(request.user, space=obj)

    def delete_queryset(self, request, queryset):
        for space in queryset.filter(deleted_at__isnull=True):
            services.delete_space(request.user, space=space)
