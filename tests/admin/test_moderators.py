"""The Moderators and Admins groups: exact permissions after every migrate, membership that
follows the role, and what a moderator may and may not do on the admin site."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from community import roles
from community.models import AuditEntry, Post, User
from payments.models import Plan
from tests.factories import (
    AdminFactory,
    PostFactory,
    ReportFactory,
    TierFactory,
    UserFactory,
)


def _codenames(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_the_moderators_group_holds_exactly_its_permissions(db):
    assert _codenames(roles.MODERATORS) == {
        ("community", "view_user"),
        ("community", "change_user"),
        ("community", "view_post"),
        ("community", "change_post"),
        ("community", "view_comment"),
        ("community", "change_comment"),
        ("community", "view_report"),
        ("community", "change_report"),
        ("community", "view_space"),
        ("community", "view_auditentry"),
        ("messaging", "view_conversation"),
        ("messaging", "view_message"),
        ("messaging", "view_block"),
        ("gamification", "view_score"),
        ("gamification", "view_pointaward"),
    }


def test_the_admins_group_holds_every_app_permission_but_adding_and_deleting_members(db):
    every = set(
        Permission.objects.filter(content_type__app_label__in=roles.APPS).values_list(
            "content_type__app_label", "codename"
        )
    )
    assert _codenames(roles.ADMINS) == every - roles.ADMIN_EXCLUDED
    assert ("payments", "change_plan") in every


def test_a_migrate_puts_the_groups_back_as_they_should_be(db):
    moderators = Group.objects.get(name=roles.MODERATORS)
    moderators.permissions.add(Permission.objects.get(codename="delete_user"))
    moderators.permissions.remove(Permission.objects.get(codename="change_post"))
    stray = UserFactory()
    moderators.user_set.add(stray)
    promoted = UserFactory(role=User.Role.MODERATOR, is_staff=True)
    before = _codenames(roles.ADMINS)

    roles.sync_groups()
    roles.sync_groups()  # twice: the same result

    assert ("community", "delete_user") not in _codenames(roles.MODERATORS)
    assert ("community", "change_post") in _codenames(roles.MODERATORS)
    assert set(moderators.user_set.all()) == {promoted}
    assert _codenames(roles.ADMINS) == before
    assert Group.objects.filter(name__in=[roles.MODERATORS, roles.ADMINS]).count() == 2


@pytest.mark.parametrize(
    ("role", "staff", "groups"),
    [
        (User.Role.MODERATOR, True, [roles.MODERATORS]),
        (User.Role.ADMIN, True, [roles.ADMINS]),
        (User.Role.MEMBER, False, []),
    ],
)
def test_staff_access_follows_the_role(db, role, staff, groups):
    member = UserFactory(role=User.Role.MODERATOR)
    roles.sync_staff_access(member)  # first a moderator, then the role under test
    member.role = role
    member.save(update_fields=["role"])

    roles.sync_staff_access(member)

    member.refresh_from_db()
    assert member.is_staff is staff and member.is_superuser is False
    assert list(member.groups.values_list("name", flat=True)) == groups


def test_staff_access_leaves_groups_given_by_hand(db):
    member = UserFactory(role=User.Role.MODERATOR)
    member.groups.add(Group.objects.create(name="Support"))
    roles.sync_staff_access(member)
    assert set(member.groups.values_list("name", flat=True)) == {"Support", roles.MODERATORS}


# --- What a moderator may do on the admin site ------------------------------------------


@pytest.mark.parametrize(
    "admin_url",
    [
        "admin:index",
        "admin:community_user_changelist",
        "admin:community_post_changelist",
        "admin:community_comment_changelist",
        "admin:community_report_changelist",
        "admin:community_auditentry_changelist",
        "admin:messaging_message_changelist",
        "admin:gamification_score_changelist",
    ],
)
def test_a_moderator_opens_the_pages_they_moderate_from(moderator_client, admin_url):
    ReportFactory()
    assert moderator_client.get(reverse(admin_url)).status_code == 200


def test_a_moderator_bans_a_member_until_a_date_from_the_list(moderator_client, staff_moderator):
    target = UserFactory()
    until = timezone.localtime() + timedelta(days=7)
    response = moderator_client.post(
        reverse("admin:community_user_changelist"),
        {"action": "ban_members", "_selected_action": [target.pk], "reason": "Spam",
         "until": until.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_banned and target.ban_reason == "Spam"
    assert target.banned_until == until.replace(second=0, microsecond=0)
    entry = AuditEntry.objects.get(action="community.ban", target_id=target.pk)
    assert entry.actor == staff_moderator and entry.reason == "Spam"


def test_a_moderator_hides_a_post_from_the_list(moderator_client, staff_moderator):
    post = PostFactory()
    response = moderator_client.post(
        reverse("admin:community_post_changelist"),
        {"action": "hide_posts", "_selected_action": [post.pk], "reason": "Off topic"},
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).hidden_at is not None
    assert AuditEntry.objects.filter(actor=staff_moderator, target_id=post.pk).exists()


@pytest.mark.parametrize(
    "admin_url",
    [
        ("admin:community_user_add", []),
        ("admin:community_user_delete", ["member"]),
        ("admin:community_tier_add", []),
        ("admin:community_accessgrant_add", []),
        ("admin:community_accessgrant_changelist", []),
        ("admin:payments_plan_changelist", []),
        ("admin:payments_plan_change", ["plan"]),
        ("admin:payments_subscription_changelist", []),
        ("admin:courses_course_add", []),
        ("admin:auth_group_changelist", []),
    ],
)
def test_a_moderator_is_refused_what_is_not_theirs(moderator_client, member, pro, admin_url):
    plan = Plan.objects.create(tier=pro, name="Pro monthly", amount=1000, currency="eur",
                               interval="month", stripe_price_id="price_1")  # fmt: skip
    name, arg_names = admin_url
    args = [{"member": member, "plan": plan}[arg].pk for arg in arg_names]
    assert moderator_client.get(reverse(name, args=args)).status_code == 403


def test_a_moderator_cannot_give_power_through_the_members_form(moderator_client, member):
    url = reverse("admin:community_user_change", args=[member.pk])
    page = moderator_client.get(url)
    assert page.status_code == 200
    assert {"is_superuser", "is_staff", "role", "groups"}.isdisjoint(
        page.context["adminform"].form.fields
    )
    moderator_client.post(url, {"display_name": member.display_name, "time_zone": "UTC",
                                "profile_visibility": "public", "is_superuser": "on",
                                "is_staff": "on", "role": "admin"})  # fmt: skip
    member.refresh_from_db()
    assert (member.is_superuser, member.is_staff, member.role) == (False, False, "member")


def test_a_moderator_does_not_see_the_tier_actions(moderator_client):
    page = moderator_client.get(reverse("admin:community_user_changelist"))
    actions = {name for name, _ in page.context["action_form"].fields["action"].choices}
    assert {"ban_members", "unban_members", "recompute_member_scores"} <= actions
    assert {"grant_tier", "revoke_tier", "delete_selected"}.isdisjoint(actions)
    assert "tier" not in page.context["action_form"].fields


def test_a_moderator_does_not_ban_another_moderator(moderator_client):
    other = roles.sync_staff_access(UserFactory(role=User.Role.MODERATOR))
    moderator_client.post(
        reverse("admin:community_user_changelist"),
        {"action": "ban_members", "_selected_action": [other.pk], "reason": "x"},
    )
    other.refresh_from_db()
    assert not other.is_banned


@pytest.mark.parametrize("who", ["member", "banned_member", "anonymous"])
def test_members_and_visitors_are_refused_the_admin_site(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for page in ("admin:index", "admin:community_user_changelist"):
        response = client.get(reverse(page))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_staff_member_who_is_no_longer_a_moderator_sees_nothing(client, db):
    former = UserFactory(role=User.Role.MODERATOR)
    roles.sync_staff_access(former)
    former.role = User.Role.MEMBER
    roles.sync_staff_access(former)
    client.force_login(former)
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_admin_who_is_not_a_superuser_runs_the_community_pages(client, db):
    admin_role = roles.sync_staff_access(AdminFactory(is_superuser=False))
    TierFactory()
    client.force_login(admin_role)
    for page in (
        "admin:courses_course_add",
        "admin:payments_plan_changelist",
        "admin:community_accessgrant_add",
        "admin:gamification_level_changelist",
    ):
        assert client.get(reverse(page)).status_code == 200, page
    assert client.get(reverse("admin:community_user_add")).status_code == 403
