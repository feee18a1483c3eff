"""Every write to spaces, tiers and access grants (admins only)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from community import audit, effects, live, tasks
from community.access import check_can_administer, is_system
from community.models import AccessGrant, Space

from .common import reject_unknown, unique_slug

SPACE_FIELDS = ("name", "slug", "description", "icon", "visibility", "post_permission",
                "required_tier")  # fmt: skip


# Paths under /spaces/ that a slug must not shadow.
RESERVED_SPACE_SLUGS = {"reorder", "new", "manage"}


def _save_space(space):
    """Validates the whole row (ValidationError by field) before writing it."""
    if isinstance(space.name, str):
        space.name = space.name.strip()
    if space.slug in RESERVED_SPACE_SLUGS:
        raise ValidationError({"slug": [f"“{space.slug}” is reserved; choose another."]})
    space.full_clean()
    space.save()


def create_space(actor, **fields):
    check_can_administer(actor)
    reject_unknown(fields, SPACE_FIELDS)
    with transaction.atomic():
        space = Space(**fields)
        if not space.slug:
            space.slug = unique_slug(
                Space.objects.all(),
                space.name or "",
                noun="space",
                max_length=100,
                reserved=RESERVED_SPACE_SLUGS,
            )
        space.position = (Space.objects.alive().aggregate(last=Max("position"))["last"] or 0) + 1
        _save_space(space)
        audit.record(actor, audit.SPACE_CREATE, space)
    return space


def update_space(actor, *, space, **changes):
    check_can_administer(actor)
    reject_unknown(changes, SPACE_FIELDS)
    gate_before = (space.visibility, space.required_tier_id)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(space, name, value)
        _save_space(space)
        audit.record(actor, audit.SPACE_UPDATE, space)
        if (space.visibility, space.required_tier_id) != gate_before:
            # Who may see it changed: its sockets and its posts' sockets check again.
            effects.enqueue_on_commit(tasks.recheck_space_topics, space.pk)
    return space


def delete_space(actor, *, space):
    """Soft delete: the space and its posts disappear from every list; the admin can purge."""
    check_can_administer(actor)
    with transaction.atomic():
        space.deleted_at = timezone.now()
        space.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, audit.SPACE_DELETE, space)
        effects.enqueue_on_commit(tasks.recheck_space_topics, space.pk)
    return space


def reorder_spaces(actor, *, space_ids):
    """Takes the full new order of the live spaces and applies it in one transaction."""
    check_can_administer(actor)
    with transaction.atomic():
        spaces = {space.pk: space for space in Space.objects.alive().select_for_update()}
        if len(space_ids) != len(set(space_ids)) or set(space_ids) != set(spaces):
            raise ValidationError(
                {"order": ["List every space exactly once (ids of the spaces not deleted)."]}
            )
        for position, space_id in enumerate(space_ids, start=1):
            spaces[space_id].position = position
        Space.objects.bulk_update(spaces.values(), ["position"])
        if space_ids:
            order = ",".join(map(str, space_ids))
            audit.record(actor, audit.SPACE_REORDER, spaces[space_ids[0]], f"order: {order}")
    return [spaces[space_id] for space_id in space_ids]


def grant_access(actor, *, member, tier, ends_at=None, starts_at=None, source=None, note=""):
    """An admin grants a tier by hand (source: manual unless given); the system
    (community.actors.system, e.g. for a payment) grants one with the cause in the audit
    log and must say the source, since "manual" means an admin did it. `starts_at` (default
    now) lets a payment's grant start when the paid period did."""
    check_can_administer(actor)
    if source is None:
        if is_system(actor):
            raise ValueError("The system grants a tier from a source: payment, trial, coupon.")
        source = AccessGrant.Source.MANUAL
    with transaction.atomic():
        grant = AccessGrant(user=member, tier=tier, ends_at=ends_at, source=source, note=note,
                            granted_by=None if is_system(actor) else actor)  # fmt: skip
        if starts_at is not None:
            grant.starts_at = starts_at
        grant.full_clean()
        grant.save()
        audit.record(actor, audit.GRANT, grant, note)
    return grant


def change_grant_end(actor, *, grant, ends_at, reason=""):
    """Moves a grant's end (None: no end), e.g. a renewed subscription's new period or a
    grace period after a failed payment. An end at or before its start ends it at once."""
    check_can_administer(actor)
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if ends_at is not None and ends_at <= grant.starts_at:
            grant.revoked_at = grant.revoked_at or timezone.now()
            grant.save(update_fields=["revoked_at"])
            audit.record(actor, audit.REVOKE, grant, reason)
        elif grant.ends_at != ends_at:
            grant.ends_at = ends_at
            grant.save(update_fields=["ends_at"])
            end = "no end" if ends_at is None else f"ends {ends_at.isoformat()}"
            audit.record(actor, audit.GRANT_CHANGE, grant, f"{end}; {reason}" if reason else end)
        live.recheck_member_on_commit(grant.user_id)
    return grant


def revoke_access(actor, *, grant, reason=""):
    """Ends a grant now; revoking one already revoked changes nothing."""
    check_can_administer(actor)
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            return grant
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit.record(actor, audit.REVOKE, grant, reason)
        live.recheck_member_on_commit(grant.user_id)  # their open sockets check each topic
    return grant
