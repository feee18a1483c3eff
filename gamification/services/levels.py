"""The ladder of levels, replaced as a whole by an admin."""

from django.core.exceptions import ValidationError
from django.db import transaction

from community import audit, effects
from community.access import check_can_administer

from .. import tasks
from ..models import COLOUR, THRESHOLD_MAX, Level

LEVELS_UPDATE = audit.register_action("gamification.levels_update", "Changed the levels")


def save_levels(actor, *, levels):
    """Replaces the ladder with `levels`, in order: dicts of name, threshold, colour,
    unlocks_tier (a Tier or None) and optionally the id of the level they edit (levels
    left out are deleted). The first threshold is 0 and each is higher than the one
    before; names are not empty; colours are #rrggbb. A bad row raises ValidationError
    naming it, and nothing changes. Admins only. Every member's level is then recomputed
    by a task (members who rise get their level-up)."""
    check_can_administer(actor)
    rows = clean_ladder(levels)
    with transaction.atomic():
        kept = [row["id"] for row in rows if row.get("id")]
        Level.objects.exclude(pk__in=kept).delete()
        existing = Level.objects.select_for_update().in_bulk(kept)
        missing = set(kept) - set(existing)
        if missing:
            raise ValidationError(f"No level with id {min(missing)} to edit: reload the levels.")
        # Thresholds are unique: move the kept rows out of the way first, so that two levels
        # may swap thresholds within one save.
        for offset, level in enumerate(existing.values(), start=1):
            level.threshold = THRESHOLD_MAX + offset
            level.save(update_fields=["threshold"])
        saved = []
        for row in rows:
            level = existing.get(row.get("id")) or Level()
            level.name, level.threshold = row["name"], row["threshold"]
            level.colour, level.unlocks_tier = row["colour"], row["unlocks_tier"]
            level.save()
            saved.append(level)
        ladder = ", ".join(f"{level.name} {level.threshold}" for level in saved)
        audit.record(actor, LEVELS_UPDATE, saved[0], ladder)
        effects.enqueue_on_commit(tasks.recompute_all_scores)
    return saved


def clean_ladder(levels):
    """The rows of a ladder, trimmed and checked (ValidationError naming the bad row)."""
    rows = [_clean_row(index, row) for index, row in enumerate(levels)]
    seen = set()
    for index, row in enumerate(rows):
        if row.get("id") and row["id"] in seen:
            raise ValidationError(f"Level {index + 1}: it edits a level another row edits too.")
        seen.add(row.get("id"))
    _check_ladder(rows)
    return rows


def _clean_row(index, row):
    where = f"Level {index + 1}"
    name = str(row.get("name") or "").strip()
    if not name:
        raise ValidationError(f"{where}: give it a name.")
    if len(name) > Level._meta.get_field("name").max_length:
        raise ValidationError(f"{where} ({name}): a name is at most 50 characters.")
    threshold = row.get("threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise ValidationError(f"{where} ({name}): the threshold is a whole number, 0 or more.")
    if threshold > THRESHOLD_MAX:
        raise ValidationError(f"{where} ({name}): the threshold is at most {THRESHOLD_MAX:,}.")
    colour = str(row.get("colour") or "")
    try:
        COLOUR(colour)
    except ValidationError as exc:
        raise ValidationError(f"{where} ({name}): {exc.messages[0]}") from exc
    return {**row, "name": name, "threshold": threshold, "colour": colour.lower(),
            "unlocks_tier": row.get("unlocks_tier")}  # fmt: skip


def _check_ladder(rows):
    if not rows:
        raise ValidationError("The ladder needs at least one level, starting at 0 points.")
    if rows[0]["threshold"] != 0:
        raise ValidationError(f"Level 1 ({rows[0]['name']}): the first level starts at 0 points.")
    for index in range(1, len(rows)):
        before, row = rows[index - 1], rows[index]
        if row["threshold"] <= before["threshold"]:
            raise ValidationError(
                f"Level {index + 1} ({row['name']}): its threshold {row['threshold']} must be "
                f"higher than level {index}'s ({before['threshold']})."
            )
