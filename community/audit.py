"""The audit log: what moderators, admins and the system did, and why.

Each app registers the actions it records, as dotted names under its own label, from its
module import (community's are below) or its AppConfig.ready:

    GRANT = audit.register_action("payments.grant", "Granted a tier after a payment")

`record` refuses a name nobody registered, so a typo fails the test that exercises it
instead of writing an entry no filter will find.
"""

from django.contrib.contenttypes.models import ContentType

from community.actors import SystemActor
from community.models import AuditEntry

_actions = {}  # dotted name -> label


def register_action(name, label):
    """Declares an action; returns its name for use as a constant. Registering the same name
    twice with the same label is harmless (module reloads), with another label an error."""
    app, dot, verb = name.partition(".")
    if not (app and dot and verb) or len(name) > AuditEntry._meta.get_field("action").max_length:
        raise ValueError(f"An audit action is '<app>.<verb>' (at most 64 characters): {name!r}")
    if _actions.get(name, label) != label:
        raise ValueError(f"Audit action {name!r} is already registered as {_actions[name]!r}")
    _actions[name] = label
    return name


def action_label(name):
    """The human label; an action no longer registered (an app removed) shows its name."""
    return _actions.get(name, name)


def registered_actions():
    return sorted(_actions.items(), key=lambda item: item[1])


def record(actor, action, target, reason=""):
    """Writes one entry. Call inside the transaction of the change it records. `actor` is the
    member who acted, or a SystemActor whose cause is kept with the entry."""
    if action not in _actions:
        raise ValueError(f"Unregistered audit action {action!r}: call register_action first")
    system = isinstance(actor, SystemActor)
    return AuditEntry.objects.create(
        actor=None if system else actor,
        cause=actor.cause if system else "",
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        reason=reason,
    )


BAN = register_action("community.ban", "Banned a member")
UNBAN = register_action("community.unban", "Lifted a ban")
ROLE = register_action("community.role", "Changed a role")
WARN = register_action("community.warn", "Warned a member")
MEMBERS_EXPORTED = register_action("community.members_exported", "Exported the members (CSV)")
COMMUNITY_EXPORTED = register_action(
    "community.community_exported", "Exported the whole community (zip)"
)
SPACE_CREATE = register_action("community.space_create", "Created a space")
SPACE_UPDATE = register_action("community.space_update", "Edited a space")
SPACE_DELETE = register_action("community.space_delete", "Deleted a space")
SPACE_REORDER = register_action("community.space_reorder", "Reordered the spaces")
GRANT = register_action("community.grant", "Granted a tier")
REVOKE = register_action("community.revoke", "Revoked a tier")
GRANT_CHANGE = register_action("community.grant_change", "Changed when a grant ends")
POST_EDIT = register_action("community.post_edit", "Edited a member's post")
POST_DELETE = register_action("community.post_delete", "Deleted a member's post")
POST_HIDE = register_action("community.post_hide", "Hid a post")
POST_UNHIDE = register_action("community.post_unhide", "Unhid a post")
POST_PIN = register_action("community.post_pin", "Pinned a post")
POST_UNPIN = register_action("community.post_unpin", "Unpinned a post")
COMMENT_DELETE = register_action("community.comment_delete", "Deleted a member's comment")
COMMENT_HIDE = register_action("community.comment_hide", "Hid a comment")
COMMENT_UNHIDE = register_action("community.comment_unhide", "Unhid a comment")
REPORT_RESOLVE = register_action("community.report_resolve", "Resolved a report")
REPORT_DISMISS = register_action("community.report_dismiss", "Dismissed a report")
BRANDING = register_action("community.branding", "Changed the branding")
