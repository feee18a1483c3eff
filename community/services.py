"""Every write to members, their profiles, tokens and bans."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from . import live
from .access import check_can_administer, check_can_moderate_member
from .models import AccessGrant, ApiToken, AuditEntry, Space, User
from .richtext import render_markdown
from .uploads import clean_avatar

PROFILE_FIELDS = ("display_name", "bio", "time_zone", "profile_visibility")


def _reject_unknown(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _validated_profile_changes(member, changes):
    _reject_unknown(changes, PROFILE_FIELDS)
    cleaned, errors = {}, {}
    for name, value in changes.items():
        field = User._meta.get_field(name)
        if isinstance(value, str):
            value = value.strip() if name == "display_name" else value.replace("\r\n", "\n")
        try:
            cleaned[name] = field.clean(value, member)
        except ValidationError as exc:
            errors[name] = exc.messages
    return cleaned, errors


def update_profile(actor, *, avatar=None, **changes):
    """Change the actor's own profile. Raises ValidationError (by field) and changes nothing
    if any field is bad; a bad avatar leaves the old one in place."""
    cleaned, errors = _validated_profile_changes(actor, changes)
    avatar_file = None
    if avatar is not None:
        try:
            avatar_file = clean_avatar(avatar)
        except ValidationError as exc:
            errors["avatar"] = exc.messages
    if errors:
        raise ValidationError(errors)

    update_fields = [*cleaned, "updated_at"]
    for name, value in cleaned.items():
        setattr(actor, name, value)
    if "bio" in cleaned:
        actor.bio_html = render_markdown(actor.bio)
        update_fields.append("bio_html")
    old_avatar = actor.avatar.name if actor.avatar else ""
    with transaction.atomic():
        if avatar_file is not None:
            actor.avatar.save(avatar_file.name, avatar_file, save=False)
            update_fields.append("avatar")
        actor.save(update_fields=update_fields)
        if avatar_file is not None and old_avatar:
            storage = actor.avatar.storage
            transaction.on_commit(lambda: storage.delete(old_avatar))
        live.publish_on_commit(f"user:{actor.pk}", "profile.updated", id=actor.pk)
    return actor


def create_api_token(actor, *, name):
    """Returns (token, raw_key); the raw key is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name so you can recognise it."]})
    if len(name) > 100:
        raise ValidationError({"name": ["Keep the name under 100 characters."]})
    raw_key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=actor, name=name, key_hash=ApiToken.hash_key(raw_key), hint=raw_key[-4:]
    )
    return token, raw_key


def revoke_api_token(actor, *, token_id):
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=actor, pk=token_id, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise ApiToken.DoesNotExist
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        live.close_sockets_on_commit(token_id=token.pk)
    return token


def _audit(actor, action, target, reason=""):
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        reason=reason,
    )


def ban_member(actor, *, member, reason, until=None):
    """A banned member cannot sign in, and their open sessions end on their next request."""
    check_can_moderate_member(actor, member)
    with transaction.atomic():
        member.banned_at = timezone.now()
        member.banned_until = until
        member.ban_reason = reason.strip()
        member.save(update_fields=["banned_at", "banned_until", "ban_reason", "updated_at"])
        _audit(actor, AuditEntry.Action.BAN, member, reason)
        live.close_sockets_on_commit(member_id=member.pk)
    return member


def unban_member(actor, *, member, reason=""):
    check_can_moderate_member(actor, member)
    with transaction.atomic():
        member.banned_at = member.banned_until = None
        member.ban_reason = ""
        member.save(update_fields=["banned_at", "banned_until", "ban_reason", "updated_at"])
        _audit(actor, AuditEntry.Action.UNBAN, member, reason)
    return member


SPACE_FIELDS = ("name", "slug", "description", "icon", "visibility", "post_permission",
                "required_tier")  # fmt: skip


def _unique_space_slug(name):
    base = slugify(name)[:90] or "space"
    slug, n = base, 1
    while Space.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


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
    _reject_unknown(fields, SPACE_FIELDS)
    with transaction.atomic():
        space = Space(**fields)
        if not space.slug:
            space.slug = _unique_space_slug(space.name or "")
        space.position = (Space.objects.alive().aggregate(last=Max("position"))["last"] or 0) + 1
        _save_space(space)
        _audit(actor, AuditEntry.Action.SPACE_CREATE, space)
    return space


def update_space(actor, *, space, **changes):
    check_can_administer(actor)
    _reject_unknown(changes, SPACE_FIELDS)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(space, name, value)
        _save_space(space)
        _audit(actor, AuditEntry.Action.SPACE_UPDATE, space)
    return space


def delete_space(actor, *, space):
    """Soft delete: the space and its posts disappear from every list; the admin can purge."""
    check_can_administer(actor)
    with transaction.atomic():
        space.deleted_at = timezone.now()
        space.save(update_fields=["deleted_at", "updated_at"])
        _audit(actor, AuditEntry.Action.SPACE_DELETE, space)
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
            _audit(actor, AuditEntry.Action.SPACE_REORDER, spaces[space_ids[0]], f"order: {order}")
    return [spaces[space_id] for space_id in space_ids]


def grant_access(actor, *, member, tier, ends_at=None, source=AccessGrant.Source.MANUAL, note=""):
    check_can_administer(actor)
    with transaction.atomic():
        grant = AccessGrant(user=member, tier=tier, ends_at=ends_at, source=source, note=note,
                            granted_by=actor)  # fmt: skip
        grant.full_clean()
        grant.save()
        _audit(actor, AuditEntry.Action.GRANT, grant, note)
    return grant


def revoke_access(actor, *, grant, reason=""):
    check_can_administer(actor)
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        _audit(actor, AuditEntry.Action.REVOKE, grant, reason)
    return grant
