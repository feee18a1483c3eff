"""Gamification in the Django admin. Rules and levels are written through the services
(the 0..1000 rule, the ladder's order, audit entries, the recompute after a ladder change);
scores and the ledger are written only by the tasks: here they are read only, with an
action that recomputes the selected scores from the ledger (on the scores' list and, through
community's seam, on the members' list). A recompute decides nothing (it repeats the task that
repairs drift), so it leaves no audit entry."""

from django import forms
from django.contrib import admin, messages

from community import effects
from community.admin import ReadOnlyAdmin
from community.admin_tools import LargeTableAdmin, register_member_action

from . import tasks
from .models import Level, PeriodScore, PointAward, PointRule, Score
from .services.levels import clean_ladder, save_levels
from .services.rules import update_rule


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["action", "points", "active", "updated_at"]
    list_editable = ["points", "active"]
    fields = ["action", "points", "active"]
    readonly_fields = ["action"]

    def has_add_permission(self, request):
        return False  # the actions are fixed in code

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        update_rule(request.user, action=obj.action, points=obj.points, active=obj.active)


def _ladder_row(level):
    return {"id": level.pk, "name": level.name, "threshold": level.threshold,
            "colour": level.colour, "unlocks_tier": level.unlocks_tier}  # fmt: skip


class LevelAdminForm(forms.ModelForm):
    class Meta:
        model = Level
        fields = ["name", "threshold", "colour", "unlocks_tier"]

    def clean(self):
        """The ladder with this level in it must stay a ladder (save_levels' rules)."""
        cleaned = super().clean()
        if not self.errors:
            self.ladder = _ladder_with(self.instance, cleaned)
            clean_ladder(self.ladder)
        return cleaned


def _ladder_with(instance, cleaned):
    row = {**cleaned, "id": instance.pk}
    others = [_ladder_row(level) for level in Level.objects.exclude(pk=instance.pk)]
    return sorted([*others, row], key=lambda level: level["threshold"])


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    form = LevelAdminForm
    list_display = ["name", "threshold", "colour", "unlocks_tier"]
    list_select_related = ["unlocks_tier"]

    def save_model(self, request, obj, form, change):
        saved = save_levels(request.user, levels=form.ladder)
        obj.pk = next(level.pk for level in saved if level.threshold == obj.threshold)

    def has_delete_permission(self, request, obj=None):
        """The first level (0 points) stays: every ladder starts there."""
        return super().has_delete_permission(request, obj) and (obj is None or obj.threshold > 0)

    def delete_model(self, request, obj):
        save_levels(request.user, levels=[_ladder_row(o) for o in Level.objects.exclude(pk=obj.pk)])

    def delete_queryset(self, request, queryset):
        kept = Level.objects.exclude(pk__in=queryset.values("pk"))
        save_levels(request.user, levels=[_ladder_row(level) for level in kept])


def _queue_recompute(request, member_ids):
    for member_id in member_ids:
        effects.enqueue_on_commit(tasks.recompute_score, member_id)
    messages.success(request, f"{len(member_ids)} score(s) queued for a recompute.")


@admin.action(description="Recompute the selected scores from the ledger")
def recompute_scores(modeladmin, request, queryset):
    _queue_recompute(request, list(queryset.values_list("member_id", flat=True)))


@register_member_action
@admin.action(description="Recompute the selected members' points from the ledger",
              permissions=["change"])  # fmt: skip
def recompute_member_scores(modeladmin, request, queryset):
    _queue_recompute(request, list(queryset.values_list("pk", flat=True)))


@admin.register(Score)
class ScoreAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["member", "points", "level", "updated_at"]
    list_filter = ["level"]
    list_select_related = ["member", "level"]
    search_fields = ["member__email", "member__display_name"]
    ordering = ["-points", "member"]  # score_board_idx
    actions = [recompute_scores]


@admin.register(PeriodScore)
class PeriodScoreAdmin(LargeTableAdmin, ReadOnlyAdmin):
    """The week and month boards' rows, rebuilt from the ledger by the tasks."""

    list_display = ["member", "period", "starts_on", "points"]
    list_filter = ["period"]
    list_select_related = ["member"]
    search_fields = ["member__email", "member__display_name"]
    ordering = ["period", "-starts_on", "-points", "member"]


@admin.register(PointAward)
class PointAwardAdmin(LargeTableAdmin, ReadOnlyAdmin):
    list_display = ["created_at", "member", "action", "points", "source_type", "source_id", "actor"]
    list_filter = ["action"]
    list_select_related = ["member", "actor", "source_type"]
    search_fields = ["member__email"]
    ordering = ["-id"]  # newest first on the primary key's index
