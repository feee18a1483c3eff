"""The admin site writes rules and levels through the services and only reads the ledger."""

from django.urls import reverse

from community.models import AuditEntry
from gamification.models import Level, PointAward, PointRule, Score


def test_an_admin_edits_a_rule_through_the_service(admin, client):
    client.force_login(admin)
    rule = PointRule.objects.get(action="lesson_completed")
    url = reverse("admin:gamification_pointrule_change", args=[rule.pk])
    response = client.post(url, {"points": 4, "active": "on"})
    assert response.status_code == 302
    assert PointRule.objects.get(pk=rule.pk).points == 4
    assert AuditEntry.objects.filter(action="gamification.rule_update").count() == 1


def test_the_rule_form_refuses_a_negative_value_by_field(admin, client):
    client.force_login(admin)
    rule = PointRule.objects.get(action="lesson_completed")
    url = reverse("admin:gamification_pointrule_change", args=[rule.pk])
    response = client.post(url, {"points": -2, "active": "on"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "a penalty is a moderation tool" in errors["points"][0]
    assert PointRule.objects.get(pk=rule.pk).points == 2


def test_an_admin_adds_a_level_inside_the_ladder(admin, client):
    client.force_login(admin)
    response = client.post(
        reverse("admin:gamification_level_add"),
        {"name": "Helper", "threshold": 40, "colour": "#123456", "unlocks_tier": ""},
    )
    assert response.status_code == 302
    assert list(Level.objects.values_list("threshold", flat=True)[:5]) == [0, 5, 20, 40, 65]
    assert AuditEntry.objects.filter(action="gamification.levels_update").count() == 1


def test_the_level_form_refuses_moving_the_first_level(admin, client):
    client.force_login(admin)
    first = Level.objects.get(threshold=0)
    response = client.post(
        reverse("admin:gamification_level_change", args=[first.pk]),
        {"name": "Newcomer", "threshold": 3, "colour": "#123456", "unlocks_tier": ""},
    )
    assert response.status_code == 200
    assert "the first level starts at 0 points" in str(response.context["adminform"].form.errors)
    assert Level.objects.get(pk=first.pk).threshold == 0


def test_scores_and_awards_are_read_only(admin, client, member):
    client.force_login(admin)
    Score.objects.create(member=member, points=3)
    for model in ("pointrule", "level", "score"):
        assert client.get(reverse(f"admin:gamification_{model}_changelist")).status_code == 200
    page = client.get(reverse("admin:gamification_pointaward_changelist") + "?action=post_created")
    assert page.status_code == 200
    assert client.get(reverse("admin:gamification_pointaward_add")).status_code == 403
    assert PointAward.objects.count() == 0


def test_deleting_levels_keeps_the_first(admin, client):
    client.force_login(admin)
    first, member_level = Level.objects.get(threshold=0), Level.objects.get(threshold=5)
    changelist = reverse("admin:gamification_level_changelist")

    def delete(*levels):
        selected = [level.pk for level in levels]
        return client.post(
            changelist, {"action": "delete_selected", "_selected_action": selected, "post": "yes"}
        )

    assert delete(first, member_level).status_code == 403
    assert Level.objects.count() == 9
    assert delete(member_level).status_code == 302
    assert list(Level.objects.values_list("threshold", flat=True)[:2]) == [0, 20]
    assert AuditEntry.objects.filter(action="gamification.levels_update").count() == 1
