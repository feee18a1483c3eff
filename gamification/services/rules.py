"""What each action is worth, edited by admins."""

from django.db import transaction

from community import audit
from community.access import check_can_administer

from ..models import PointRule

RULE_UPDATE = audit.register_action("gamification.rule_update", "Changed a point rule")


def update_rule(actor, *, action, points=None, active=None):
    """Sets what `action` is worth (0 to 1000) and whether it earns anything; None leaves a
    value as it is. Admins only. A change applies to new awards: awards already given keep
    their points. No negative values: a penalty is a moderation tool (hide, delete, ban),
    not a game rule, and a ledger of signed amounts could be farmed downwards by a rival's
    unlikes. Bad values raise ValidationError naming the field; nothing changes."""
    check_can_administer(actor)
    with transaction.atomic():
        rule = PointRule.objects.select_for_update().get(action=action)
        before = (rule.points, rule.active)
        if points is not None:
            rule.points = points
        if active is not None:
            rule.active = active
        if (rule.points, rule.active) == before:
            return rule
        rule.full_clean()
        rule.save(update_fields=["points", "active", "updated_at"])
        audit.record(
            actor, RULE_UPDATE, rule,
            f"{rule.action}: {before[0]} -> {rule.points} points, "
            f"{'active' if rule.active else 'inactive'}",
        )  # fmt: skip
    return rule
