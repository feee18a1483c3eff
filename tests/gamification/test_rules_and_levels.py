"""Admins edit what actions are worth and the ladder of levels; nobody else may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from community.actors import system
from community.models import AuditEntry
from gamification.models import NO_NEGATIVE_POINTS, Level, PointRule, Score
from gamification.services.levels import save_levels
from gamification.services.rules import update_rule
from tests.factories import TierFactory


def ladder(*rows):
    return [{"name": name, "threshold": threshold, "colour": "#112233"} for name, threshold in rows]


# --- Rules ----------------------------------------------------------------------------------


def test_an_admin_changes_what_an_action_is_worth(admin):
    rule = update_rule(admin, action="post_created", points=5, active=False)
    assert (rule.points, rule.active) == (5, False)
    assert PointRule.objects.get(action="post_created").points == 5
    entry = AuditEntry.objects.get(action="gamification.rule_update")
    assert entry.actor == admin and "2 -> 5" in entry.reason


def test_the_system_may_change_a_rule(db):
    assert update_rule(system("import"), action="like_received", points=3).points == 3


@pytest.mark.parametrize("persona", ["member", "moderator", "banned_member"])
def test_it_refuses_a_rule_change_by_anyone_but_an_admin(persona, request):
    with pytest.raises(PermissionDenied):
        update_rule(request.getfixturevalue(persona), action="post_created", points=50)
    assert PointRule.objects.get(action="post_created").points == 2
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("points", "message"),
    [(-1, NO_NEGATIVE_POINTS), (1001, "At most 1000 points per action.")],
)
def test_it_refuses_points_out_of_range_by_field(admin, points, message):
    with pytest.raises(ValidationError) as refused:
        update_rule(admin, action="comment_created", points=points)
    assert message in refused.value.message_dict["points"]
    assert PointRule.objects.get(action="comment_created").points == 1


def test_the_database_refuses_a_rule_out_of_range(db):
    with pytest.raises(IntegrityError):
        PointRule.objects.filter(action="comment_created").update(points=-1)


def test_an_unchanged_rule_writes_no_audit_entry(admin):
    update_rule(admin, action="post_created", points=2)
    assert not AuditEntry.objects.exists()


# --- Levels ---------------------------------------------------------------------------------


def test_an_admin_replaces_the_ladder(admin, django_capture_on_commit_callbacks):
    first = Level.objects.get(threshold=0)
    tier = TierFactory()
    levels = [
        {"id": first.pk, "name": "Seedling", "threshold": 0, "colour": "#00AA00"},
        {"name": "Sprout", "threshold": 10, "colour": "#00bb00", "unlocks_tier": tier},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        saved = save_levels(admin, levels=levels)
    assert [(lv.name, lv.threshold, lv.colour) for lv in Level.objects.all()] == [
        ("Seedling", 0, "#00aa00"),
        ("Sprout", 10, "#00bb00"),
    ]
    assert saved[0].pk == first.pk  # edited in place, the others deleted
    assert Level.objects.get(name="Sprout").unlocks_tier == tier
    assert AuditEntry.objects.get(action="gamification.levels_update").reason == (
        "Seedling 0, Sprout 10"
    )


def test_levels_may_swap_thresholds_in_one_save(admin):
    a, b = Level.objects.get(threshold=5), Level.objects.get(threshold=20)
    rows = [{"id": lv.pk, "name": lv.name, "threshold": lv.threshold, "colour": lv.colour}
            for lv in Level.objects.all()]  # fmt: skip
    rows[1]["id"], rows[2]["id"] = b.pk, a.pk
    save_levels(admin, levels=rows)
    assert Level.objects.get(pk=b.pk).threshold == 5
    assert Level.objects.get(pk=a.pk).threshold == 20


def test_two_rows_editing_one_level_are_refused(admin):
    first = Level.objects.get(threshold=0)
    rows = [{"id": first.pk, "name": "A", "threshold": 0, "colour": "#000000"},
            {"id": first.pk, "name": "B", "threshold": 10, "colour": "#000000"}]  # fmt: skip
    with pytest.raises(ValidationError, match="Level 2: it edits a level another row edits"):
        save_levels(admin, levels=rows)
    assert Level.objects.get(pk=first.pk).name == "Newcomer"


def test_a_ladder_change_recomputes_every_level(admin, member, django_capture_on_commit_callbacks):
    Score.objects.create(member=member, points=12, level=Level.objects.get(threshold=5))
    with django_capture_on_commit_callbacks(execute=True):
        save_levels(admin, levels=ladder(("Start", 0), ("Ten", 10), ("Fifty", 50)))
    # Its points come from the ledger (empty here): the recompute is the real one.
    assert Score.objects.get(member=member).level.name == "Start"


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        (ladder(("A", 0), ("B", 10), ("C", 10)), "Level 3 (C): its threshold 10 must be higher"),
        (ladder(("A", 0), ("B", 10), ("C", 5)), "Level 3 (C): its threshold 5 must be higher"),
        (ladder(("A", 1), ("B", 10)), "Level 1 (A): the first level starts at 0 points."),
        (ladder(("A", 0), ("  ", 10)), "Level 2: give it a name."),
        (ladder(("A", 0), ("B", -3)), "Level 2 (B): the threshold is a whole number"),
        ([], "The ladder needs at least one level"),
        ([{"name": "A", "threshold": 0, "colour": "red"}], "Level 1 (A): A colour is written"),
    ],
)
def test_it_refuses_a_bad_ladder_with_a_clear_error(admin, rows, error):
    before = list(Level.objects.values_list("name", "threshold"))
    with pytest.raises(ValidationError) as refused:
        save_levels(admin, levels=rows)
    assert refused.value.messages[0].startswith(error)
    assert list(Level.objects.values_list("name", "threshold")) == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["member", "moderator"])
def test_it_refuses_a_ladder_change_by_anyone_but_an_admin(persona, request):
    with pytest.raises(PermissionDenied):
        save_levels(request.getfixturevalue(persona), levels=ladder(("A", 0)))
    assert Level.objects.count() == 9
