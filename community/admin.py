from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import access, admin_tools, audit, effects, services, tasks
from .admin_tools import LargeTableAdmin
from .models import (
    AccessGrant,
    ApiToken,
    AuditEntry,
    Branding,
    Comment,
    DailyFigure,
    Follow,
    Hashtag,
    Like,
    PopularPost,
    Post,
    Report,
    SearchTerm,
    Space,
    SpaceVisit,
    Tier,
    User,
)


class MemberActionForm(admin.helpers.ActionForm):
    """What the members' actions may need besides the rows: a reason, an end (of a ban or a
    granted tier) and the tier to grant or revoke."""

    reason = forms.CharField(required=False, label="Reason / note", max_length=500)
    until = forms.DateTimeField(
        required=False,
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: no end.",
    )
    tier = forms.ModelChoiceField(queryset=Tier.objects.order_by("name"), required=False)


@admin.register(User)
class UserAdmin(LargeTableAdmin, BaseUserAdmin):
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
    search_fields = ["email", "display_name", "handle"]
    readonly_fields = ["created_at", "updated_at", "last_login", "banned_at", "bio_html",
                       "access_page"]  # fmt: skip
    action_form = MemberActionForm
    OWN_ACTIONS = ["ban_members", "unban_members", "grant_tier", "revoke_tier"]
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
        ("Paid access", {"fields": ["access_page"]}),
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "profile_visibility" in form.changed_data:
            # Mentions of a member are links only while the profile is public (render_body).
            effects.enqueue_on_commit(tasks.rerender_mentions_of, obj.pk)

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

    @admin.display(description="Tiers")
    def access_page(self, member):
        """The payments app's page (when installed): each grant and why, grant or revoke."""
        try:
            url = reverse("payments:member_access", args=[member.pk])
        except NoReverseMatch:
            return "-"
        return format_html('<a href="{}">Why this member has access; grant or revoke</a>', url)

    @admin.display(boolean=True, description="Banned")
    def is_banned_now(self, member):
        return member.is_banned

    @property
    def actions(self):
        # Read per request, so that actions other apps register (admin_tools) are listed.
        return [*self.OWN_ACTIONS, *admin_tools.member_actions()]

    def has_administer_permission(self, request):
        return access.can_administer(request.user)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("action_form")
        if form is not None and not self.has_administer_permission(request):
            del form.fields["tier"]  # only the tier actions use it, and they are the admins'
        return response

    def _action_data(self, request):
        """The action form's cleaned fields (Django validated it before calling the action)."""
        form = self.action_form(request.POST, auto_id=None)
        form.fields["action"].choices = self.get_action_choices(request)
        return form.cleaned_data if form.is_valid() else {}

    def _moderate(self, request, queryset, service, verb, **extra):
        reason = request.POST.get("reason", "")
        done = 0
        for member in queryset:
            try:
                service(request.user, member=member, reason=reason, **extra)
                done += 1
            except PermissionDenied:
                self.message_user(request, f"You may not {verb} {member}.", messages.WARNING)
        if done:
            self.message_user(request, f"{verb.capitalize()}ned {done} member(s).")

    @admin.action(description="Ban selected members (give a reason; an end is optional)",
                  permissions=["change"])  # fmt: skip
    def ban_members(self, request, queryset):
        until = self._action_data(request).get("until")
        if until is not None and until <= timezone.now():
            self.message_user(request, "A ban's end must be in the future.", messages.ERROR)
            return
        self._moderate(request, queryset, services.ban_member, "ban", until=until)

    @admin.action(description="Lift the ban of selected members", permissions=["change"])
    def unban_members(self, request, queryset):
        self._moderate(request, queryset, services.unban_member, "unban")

    @admin.action(description="Grant the chosen tier to selected members (an end is optional)",
                  permissions=["administer"])  # fmt: skip
    def grant_tier(self, request, queryset):
        data = self._action_data(request)
        if data.get("tier") is None:
            self.message_user(request, "Choose the tier to grant.", messages.ERROR)
            return
        done = 0
        for member in queryset:
            try:
                services.grant_access(
                    request.user,
                    member=member,
                    tier=data["tier"],
                    ends_at=data.get("until"),
                    note=data.get("reason", ""),
                )
                done += 1
            except ValidationError as refused:
                self.message_user(request, f"{member}: {' '.join(refused.messages)}",
                                  messages.WARNING)  # fmt: skip
        if done:
            self.message_user(request, f"Granted {data['tier']} to {done} member(s).")

    @admin.action(description="Revoke the chosen tier from selected members (its active grants)",
                  permissions=["administer"])  # fmt: skip
    def revoke_tier(self, request, queryset):
        data = self._action_data(request)
        if data.get("tier") is None:
            self.message_user(request, "Choose the tier to revoke.", messages.ERROR)
            return
        # Every grant not over yet, those starting later included.
        grants = AccessGrant.objects.filter(
            user__in=queryset, tier=data["tier"], revoked_at__isnull=True
        ).exclude(ends_at__lte=timezone.now())
        done = 0
        for grant in grants:
            services.revoke_access(request.user, grant=grant, reason=data.get("reason", ""))
            done += 1
        self.message_user(request, f"Revoked {done} grant(s) of {data['tier']}.")


@admin.register(ApiToken)
class ApiTokenAdmin(LargeTableAdmin, admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "hint", "created_at"]
    fields = ["user", "name", "hint", "created_at", "revoked_at"]
    ordering = ["-id"]

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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (audit entries, moderated content): the admin lists
    them and runs actions that call the services, never adds, edits or deletes them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["created_at", "who", "what", "target_type", "target_id", "reason"]
    list_filter = [AuditActionFilter, "target_type"]
    search_fields = ["actor__email", "cause", "reason", "=target_id"]
    list_select_related = ["actor", "target_type"]
    ordering = ["-created_at", "-id"]  # audit_created_idx

    @admin.display(description="Actor", ordering="actor")
    def who(self, entry):
        return entry.actor_label

    @admin.display(description="Action", ordering="action")
    def what(self, entry):
        return audit.action_label(entry.action)


@admin.register(Branding)
class BrandingAdmin(ReadOnlyAdmin):
    """Shown, not edited here: the Branding page (/manage/branding/) validates the colour's
    contrast and the uploads, and clears the cached branding every page reads."""

    list_display = ["__str__", "primary_color", "custom_domain", "updated_at", "edit_link"]

    @admin.display(description="Edit")
    def edit_link(self, branding):
        return format_html('<a href="{}">On the Branding page</a>', reverse("community:branding"))


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "listed", "created_at"]
    list_filter = ["listed"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AccessGrant)
class AccessGrantAdmin(LargeTableAdmin, admin.ModelAdmin):
    """Grants are written through the service, so each one leaves an audit entry."""

    list_display = ["user", "tier", "source", "starts_at", "ends_at", "revoked_at", "granted_by"]
    list_filter = ["tier", "source", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__display_name", "note"]
    list_select_related = ["user", "tier", "granted_by"]
    autocomplete_fields = ["user"]
    fields = ["user", "tier", "ends_at", "note"]
    ordering = ["-id"]
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


# --- Moderation: posts, comments, reports ------------------------------------------------
# Moderators read the content here and act through actions that call the services, so each
# decision is checked by access and leaves an audit entry. Nothing is edited or hard-deleted
# from these pages: content changes go through its authors, removal is the soft delete.


class ReasonActionForm(admin.helpers.ActionForm):
    reason = forms.CharField(required=False, label="Reason / note", max_length=500)


class ModerationAdmin(ReadOnlyAdmin):
    """Read-only lists for moderators and admins (access.can_moderate decides, not Django's
    model permissions); the actions need the `moderate` permission, the same rule."""

    action_form = ReasonActionForm

    def has_module_permission(self, request):
        return access.can_moderate(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_moderate(request.user)

    def has_moderate_permission(self, request):
        return access.can_moderate(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.readonly_fields)

    def _act(self, request, queryset, act, done):
        """Run `act(item, reason)` (a service call) on each row; report what was refused."""
        reason = request.POST.get("reason", "")
        count = 0
        for item in queryset:
            try:
                act(item, reason)
                count += 1
            except (PermissionDenied, Http404, ValidationError) as refused:
                detail = " ".join(getattr(refused, "messages", [str(refused)]))
                self.message_user(request, f"{item}: {detail}", messages.WARNING)
        if count:
            self.message_user(request, f"{done}: {count}.")

    @admin.display(description="Content")
    def rendered(self, obj):
        # body_html is the sanitized rendering the site shows (community/richtext.py).
        return mark_safe(f'<div class="prose">{obj.body_html}</div>')  # noqa: S308


@admin.register(Post)
class PostAdmin(LargeTableAdmin, ModerationAdmin):
    list_display = ["__str__", "author", "space", "created_at", "is_hidden", "is_pinned",
                    "is_deleted"]  # fmt: skip
    list_filter = [("hidden_at", admin.EmptyFieldListFilter),
                   ("pinned_at", admin.EmptyFieldListFilter),
                   ("deleted_at", admin.EmptyFieldListFilter), "space"]  # fmt: skip
    search_fields = ["title", "body", "author__email", "author__display_name"]
    list_select_related = ["author", "space"]
    fields = ["space", "author", "title", "rendered", "like_count", "comment_count", "created_at",
              "edited_at", "pinned_at", "hidden_at", "deleted_at"]  # fmt: skip
    ordering = ["-created_at", "-id"]  # post_feed_idx
    readonly_fields = ["rendered"]
    actions = ["hide_posts", "unhide_posts", "pin_posts", "unpin_posts", "delete_posts"]

    @admin.display(boolean=True, description="Hidden")
    def is_hidden(self, post):
        return post.hidden_at is not None

    @admin.display(boolean=True, description="Pinned")
    def is_pinned(self, post):
        return post.pinned_at is not None

    @admin.display(boolean=True, description="Deleted")
    def is_deleted(self, post):
        return post.deleted_at is not None

    def _posts(self, request, queryset, service, done):
        queryset = queryset.select_related("space")
        self._act(request, queryset, lambda post, why: service(request.user, post=post,
                                                               reason=why), done)  # fmt: skip

    @admin.action(description="Hide the selected posts from members", permissions=["moderate"])
    def hide_posts(self, request, queryset):
        self._posts(request, queryset.filter(hidden_at__isnull=True), services.hide_post, "Hidden")

    @admin.action(description="Unhide the selected posts", permissions=["moderate"])
    def unhide_posts(self, request, queryset):
        self._posts(request, queryset.filter(hidden_at__isnull=False), services.unhide_post,
                    "Visible again")  # fmt: skip

    @admin.action(description="Pin the selected posts", permissions=["moderate"])
    def pin_posts(self, request, queryset):
        self._posts(request, queryset.filter(pinned_at__isnull=True), services.pin_post, "Pinned")

    @admin.action(description="Unpin the selected posts", permissions=["moderate"])
    def unpin_posts(self, request, queryset):
        self._posts(request, queryset.filter(pinned_at__isnull=False), services.unpin_post,
                    "Unpinned")  # fmt: skip

    @admin.action(description="Delete the selected posts (soft)", permissions=["moderate"])
    def delete_posts(self, request, queryset):
        self._posts(request, queryset.filter(deleted_at__isnull=True), services.delete_post,
                    "Deleted")  # fmt: skip


@admin.register(Comment)
class CommentAdmin(LargeTableAdmin, ModerationAdmin):
    list_display = ["__str__", "author", "post", "created_at", "is_hidden", "is_deleted"]
    list_filter = [("hidden_at", admin.EmptyFieldListFilter),  # comment_hidden_idx
                   ("deleted_at", admin.EmptyFieldListFilter)]  # fmt: skip
    search_fields = ["body", "author__email", "author__display_name"]
    list_select_related = ["author", "post"]
    fields = ["post", "parent", "author", "rendered", "like_count", "created_at", "edited_at",
              "hidden_at", "deleted_at"]  # fmt: skip
    readonly_fields = ["rendered"]
    ordering = ["-id"]  # newest first on the primary key's index
    actions = ["hide_comments", "unhide_comments", "delete_comments"]

    @admin.display(boolean=True, description="Hidden")
    def is_hidden(self, comment):
        return comment.hidden_at is not None

    @admin.display(boolean=True, description="Deleted")
    def is_deleted(self, comment):
        return comment.deleted_at is not None

    def _comments(self, request, queryset, service, done):
        queryset = queryset.select_related("post__space")
        self._act(request, queryset, lambda comment, why: service(request.user, comment=comment,
                                                                  reason=why), done)  # fmt: skip

    @admin.action(description="Hide the selected comments from members",
                  permissions=["moderate"])  # fmt: skip
    def hide_comments(self, request, queryset):
        self._comments(request, queryset.filter(hidden_at__isnull=True), services.hide_comment,
                       "Hidden")  # fmt: skip

    @admin.action(description="Unhide the selected comments", permissions=["moderate"])
    def unhide_comments(self, request, queryset):
        self._comments(request, queryset.filter(hidden_at__isnull=False),
                       services.unhide_comment, "Visible again")  # fmt: skip

    @admin.action(description="Delete the selected comments (soft)", permissions=["moderate"])
    def delete_comments(self, request, queryset):
        self._comments(request, queryset.filter(deleted_at__isnull=True),
                       services.delete_comment, "Deleted")  # fmt: skip


@admin.register(Report)
class ReportAdmin(LargeTableAdmin, ModerationAdmin):
    list_display = ["__str__", "reporter", "status", "created_at", "resolved_by", "target_link"]
    list_filter = ["status", "content_type"]
    search_fields = ["reason", "reporter__email", "reporter__display_name"]
    list_select_related = ["reporter", "resolved_by", "content_type"]
    fields = ["reporter", "content_type", "object_id", "target_link", "reason", "status",
              "resolved_by", "resolved_at", "created_at"]  # fmt: skip
    readonly_fields = ["target_link"]
    ordering = ["-id"]  # newest first on the primary key's index
    actions = ["resolve_reports", "dismiss_reports"]

    @admin.display(description="Reported")
    def target_link(self, report):
        name = "user" if report.content_type.model == "user" else report.content_type.model
        try:
            url = reverse(f"admin:community_{name}_change", args=[report.object_id])
        except NoReverseMatch:
            return "-"
        return format_html('<a href="{}">{} #{}</a>', url, name, report.object_id)

    @admin.action(description="Resolve the selected reports (acted on)", permissions=["moderate"])
    def resolve_reports(self, request, queryset):
        self._act(request, queryset.filter(status=Report.Status.OPEN),
                  lambda report, why: services.resolve_report(request.user, report=report,
                                                               note=why),
                  "Resolved")  # fmt: skip

    @admin.action(description="Dismiss the selected reports (nothing to do)",
                  permissions=["moderate"])  # fmt: skip
    def dismiss_reports(self, request, queryset):
        self._act(request, queryset.filter(status=Report.Status.OPEN),
                  lambda report, why: services.dismiss_report(request.user, report=report,
                                                              note=why),
                  "Dismissed")  # fmt: skip


# --- Rows the members' own actions and the tasks write: read only -----------------------


@admin.register(Like)
class LikeAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["user", "content_type", "object_id", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["user__email", "=object_id"]
    list_select_related = ["user", "content_type"]
    ordering = ["-id"]  # newest first on the primary key's index


@admin.register(Follow)
class FollowAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["follower", "followed", "created_at"]
    search_fields = ["follower__email", "followed__email"]
    list_select_related = ["follower", "followed"]
    ordering = ["-id"]  # newest first on the primary key's index


@admin.register(SpaceVisit)
class SpaceVisitAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """When each member last opened each space (the sidebar's "new" marks)."""

    list_display = ["user", "space", "last_visited_at"]
    list_filter = ["space"]
    search_fields = ["user__email"]
    list_select_related = ["user", "space"]


@admin.register(Hashtag)
class HashtagAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["__str__", "created_at"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(PopularPost)
class PopularPostAdmin(ReadOnlyAdmin):
    """The Popular tab's ranking as tasks.rank_popular_posts last wrote it (a few thousand
    rows at most): why a post is, or is not, on the tab."""

    list_display = ["post", "score"]
    list_select_related = ["post"]
    search_fields = ["=post__id", "post__title"]
    ordering = ["-score", "-post"]


@admin.register(DailyFigure)
class DailyFigureAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """The analytics' daily rollups as the nightly task wrote them (`manage.py
    rollup_analytics --days N` counts past days again): why a chart shows what it shows."""

    list_display = ["series", "column", "day", "value", "time_zone"]
    search_fields = ["=series"]
    ordering = ["-day", "series", "column"]


@admin.register(SearchTerm)
class SearchTermAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """The words search's "Did you mean" corrects towards, as the nightly task read them
    (`manage.py refresh_search_terms` reads them again): why a word is or is not offered."""

    list_display = ["word", "documents"]
    search_fields = ["word__startswith"]
    ordering = ["word"]
