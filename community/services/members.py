"""Every write to members, their profiles, tokens and bans."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from community import audit, effects, live, signals, tasks
from community.access import check_can_administer, check_can_moderate_member
from community.models import ApiToken, User
from community.richtext import render_markdown
from community.roles import sync_staff_access
from community.selectors.member_export import member_export_batches, member_export_header
from community.uploads import clean_avatar

from .common import reject_unknown

PROFILE_FIELDS = ("display_name", "bio", "time_zone", "profile_visibility")


def _validated_profile_changes(member, changes):
    reject_unknown(changes, PROFILE_FIELDS)
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
    visibility_changed = cleaned.get("profile_visibility", actor.profile_visibility) != (
        actor.profile_visibility
    )
    zone_changed = cleaned.get("time_zone", actor.time_zone) != actor.time_zone
    for name, value in cleaned.items():
        setattr(actor, name, value)
    if "bio" in cleaned:
        actor.bio_html = render_markdown(actor.bio)
        update_fields.append("bio_html")
    old_avatar = actor.avatar.name if actor.avatar else ""
    new_avatar = _store_avatar(actor, avatar_file) if avatar_file is not None else ""
    if new_avatar:
        actor.avatar.name = new_avatar
        update_fields.append("avatar")
    try:
        actor.save(update_fields=update_fields)
    except Exception:
        if new_avatar:
            actor.avatar.storage.delete(new_avatar)  # the row never pointed at it
        raise
    storage = actor.avatar.storage
    if new_avatar and old_avatar:
        effects.on_commit(lambda: storage.delete(old_avatar))
    if zone_changed:
        effects.send_signal_on_commit(signals.time_zone_changed, member_id=actor.pk)
    if visibility_changed:
        # Mentions of a member are links only while the profile is public (render_body).
        effects.enqueue_on_commit(tasks.rerender_mentions_of, actor.pk)
    live.publish_on_commit(f"user:{actor.pk}", "profile.updated", id=actor.pk)
    return actor


def _store_avatar(member, avatar_file):
    """Stores the file before the transaction (storage may be slow, and a stored file cannot
    be rolled back); returns its storage name."""
    field = member.avatar.field
    return field.storage.save(field.generate_filename(member, avatar_file.name), avatar_file)


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


def ban_member(actor, *, member, reason, until=None):
    """A banned member cannot sign in, and their open sessions end on the next page they
    open (middleware.BannedMemberMiddleware)."""
    check_can_moderate_member(actor, member)
    with transaction.atomic():
        member.banned_at = timezone.now()
        member.banned_until = until
        member.ban_reason = reason.strip()
        member.save(update_fields=["banned_at", "banned_until", "ban_reason", "updated_at"])
        audit.record(actor, audit.BAN, member, reason)
        live.close_sockets_on_commit(member_id=member.pk)
    return member


def unban_member(actor, *, member, reason=""):
    check_can_moderate_member(actor, member)
    with transaction.atomic():
        member.banned_at = member.banned_until = None
        member.ban_reason = ""
        member.save(update_fields=["banned_at", "banned_until", "ban_reason", "updated_at"])
        audit.record(actor, audit.UNBAN, member, reason)
    return member


def export_members(actor):
    """An admin's export of every member: the audit entry (its target the admin, as the
    export is of no one member; its reason the columns that left), then the header and
    the batches of rows, read only as the caller writes them out."""
    check_can_administer(actor)
    header = member_export_header()
    audit.record(actor, audit.MEMBERS_EXPORTED, actor, f"Columns: {', '.join(header)}")
    return header, member_export_batches()


def change_role(actor, *, member, role, reason=""):
    """An admin makes a member a moderator or an admin, or a member again; admins and
    moderators may use the admin site. The community keeps at least one admin: the last
    one cannot step down (promote another first)."""
    check_can_administer(actor)
    if role not in User.Role.values:
        raise ValidationError(
            {"role": [f"Choose one of: {', '.join(User.Role.values)}."]}, code="invalid"
        )
    with transaction.atomic():
        # Every admin row locked: two admins demoting each other at once cannot both pass
        # the "another admin remains" check.
        admins = set(
            User.objects.select_for_update()
            .filter(role=User.Role.ADMIN, is_active=True)
            .values_list("pk", flat=True)
        )
        member = User.objects.select_for_update().get(pk=member.pk)
        if member.role == role:
            return member
        if member.role == User.Role.ADMIN and admins <= {member.pk}:
            raise ValidationError(
                "The community needs an admin: make another member an admin first.",
                code="last_admin",
            )
        before = member.get_role_display()
        member.role = role
        member.save(update_fields=["role", "updated_at"])
        sync_staff_access(member)
        note = f"{before} → {member.get_role_display()}" + (f": {reason}" if reason else "")
        audit.record(actor, audit.ROLE, member, note)
        # A demoted moderator's sockets may follow topics only moderators may.
        live.close_sockets_on_commit(member_id=member.pk)
    return member
