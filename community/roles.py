"""The admin site's groups, kept in step with the roles in `User.role`.

Two groups, rewritten after every `migrate` (post_migrate, when every model's permissions
exist) to hold exactly the permissions below, and whose members are exactly the members of
the role; a permission or a member added to them by hand is taken away again.

Moderators (role "moderator"):
- change on users (the ban and unban actions; the fields that give power, sign-in and bans
  stay read-only to anyone but a superuser, see UserAdmin), posts, comments and reports (hide,
  pin, delete, resolve; those pages also ask access.can_moderate);
- view on spaces (where a post is), audit entries, conversations, messages and blocks (a
  report of harassment), scores and the points ledger (a report of point farming);
- nothing on tiers, access grants or payments: money and access are the admins' business
  (payments' admin also asks access.can_administer, so a view permission there would not show
  a row), and a member's tiers are explained on the payments pages;
- never add or delete of users, never superuser.

Admins (role "admin"): every permission on the models of community, courses, events,
gamification, messaging and payments, except adding and deleting users (members sign up; an
account is purged by a superuser). The admin classes still decide what is read-only (ledger,
Stripe state, counters) and route every save through the services.

`sync_staff_access(member)` gives a member the admin site (is_staff) and the group of their
role, or takes both away; the role-change service calls it after changing `role`.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS

from .models import User

MODERATORS = "Moderators"
ADMINS = "Admins"

APPS = ["community", "courses", "events", "gamification", "messaging", "payments"]

MODERATOR_PERMISSIONS = {
    "community": {
        "user": ["view", "change"],
        "post": ["view", "change"],
        "comment": ["view", "change"],
        "report": ["view", "change"],
        "space": ["view"],
        "auditentry": ["view"],
    },
    "messaging": {"conversation": ["view"], "message": ["view"], "block": ["view"]},
    "gamification": {"score": ["view"], "pointaward": ["view"]},
}

ADMIN_EXCLUDED = {("community", "add_user"), ("community", "delete_user")}

GROUP_OF_ROLE = {User.Role.MODERATOR: MODERATORS, User.Role.ADMIN: ADMINS}


def moderator_codenames():
    """{(app_label, codename)} of the Moderators group."""
    return {
        (app_label, f"{verb}_{model}")
        for app_label, models in MODERATOR_PERMISSIONS.items()
        for model, verbs in models.items()
        for verb in verbs
    }


def _group_permissions(permissions):
    """{group name: ids of its permissions}, from the Permission manager to read."""
    in_apps = permissions.filter(content_type__app_label__in=APPS).select_related("content_type")
    pairs = {(p.content_type.app_label, p.codename): p.pk for p in in_apps}
    wanted = moderator_codenames()
    missing = wanted - pairs.keys()
    if missing:
        raise LookupError(f"Moderators' permissions not found: {sorted(missing)}")
    return {
        MODERATORS: [pairs[pair] for pair in sorted(wanted)],
        ADMINS: [pk for pair, pk in sorted(pairs.items()) if pair not in ADMIN_EXCLUDED],
    }


def sync_groups(using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """post_migrate: the groups' permissions and members made exact (idempotent)."""
    for label in APPS:
        # Another app's post_migrate may not have run yet: make its permissions now.
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using,
                           apps=apps)  # fmt: skip
    groups = apps.get_model("auth", "Group").objects.using(using)
    permissions = apps.get_model("auth", "Permission").objects.using(using)
    members = apps.get_model("community", "User").objects.using(using)
    for name, permission_ids in _group_permissions(permissions).items():
        group, _ = groups.get_or_create(name=name)
        group.permissions.set(permission_ids)
    for role, name in GROUP_OF_ROLE.items():
        groups.get(name=name).user_set.set(members.filter(role=role).values_list("pk", flat=True))


def sync_staff_access(member):
    """The member's admin-site access follows their role: moderators and admins are staff
    and in their role's group, members are neither. Superuser is never given or taken here.
    Call inside the transaction that changed `member.role`."""
    member.is_staff = member.role in GROUP_OF_ROLE
    member.save(update_fields=["is_staff", "updated_at"])
    managed = Group.objects.filter(name__in=GROUP_OF_ROLE.values())
    member.groups.remove(*managed.exclude(name=GROUP_OF_ROLE.get(member.role)))
    if member.role in GROUP_OF_ROLE:
        member.groups.add(managed.get(name=GROUP_OF_ROLE[member.role]))
    return member
