from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from community import access, audit, services
from community.models import AccessGrant, AuditEntry, Space
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def spaces(admin, pro):
    make = services.create_space
    return {
        "public": make(admin, name="Announcements", visibility="public", post_permission="admins"),
        "members": make(admin, name="General", visibility="members"),
        "paid": make(admin, name="Pro lounge", visibility="paid", required_tier=pro),
        "mods": make(admin, name="Moderators' desk", visibility="members",
                     post_permission="moderators"),
    }  # fmt: skip


def slugs(response):
    return [space["slug"] for space in response.json()["results"]]


def test_visitors_see_only_public_spaces(spaces):
    assert list(access.visible_spaces(AnonymousUser())) == [spaces["public"]]


def test_members_see_public_and_members_spaces_but_not_paid_ones(member, spaces):
    visible = set(access.visible_spaces(member))
    assert visible == {spaces["public"], spaces["members"], spaces["mods"]}
    with pytest.raises(Http404):
        access.check_can_see_space(member, spaces["paid"])


def test_an_active_grant_opens_a_paid_space_and_revoking_closes_it(admin, member, pro, spaces):
    grant = services.grant_access(admin, member=member, tier=pro)
    assert spaces["paid"] in access.visible_spaces(member)
    assert AuditEntry.objects.filter(action=audit.GRANT).exists()
    services.revoke_access(admin, grant=grant)
    member = type(member).objects.get(pk=member.pk)  # a new request: no remembered tiers
    assert spaces["paid"] not in access.visible_spaces(member)


def test_an_expired_or_future_grant_does_not_open_a_paid_space(member, pro, spaces):
    now = timezone.now()
    AccessGrant.objects.create(user=member, tier=pro, starts_at=now - timedelta(days=30),
                               ends_at=now - timedelta(days=1))  # fmt: skip
    AccessGrant.objects.create(user=member, tier=pro, starts_at=now + timedelta(days=1))
    assert not access.can_see_space(member, spaces["paid"])


def test_moderators_see_every_live_space(moderator, spaces):
    assert set(access.visible_spaces(moderator)) == set(spaces.values())


def test_a_banned_member_sees_only_what_visitors_see(member, moderator, spaces):
    services.ban_member(moderator, member=member, reason="spam")
    assert list(access.visible_spaces(member)) == [spaces["public"]]
    assert not access.can_post_in_space(member, spaces["members"])


def test_who_may_post_follows_the_space_setting(member, moderator, admin, spaces):
    assert access.can_post_in_space(member, spaces["members"])
    assert not access.can_post_in_space(member, spaces["mods"])
    assert access.can_post_in_space(moderator, spaces["mods"])
    assert not access.can_post_in_space(moderator, spaces["public"])
    assert access.can_post_in_space(admin, spaces["public"])
    with pytest.raises(PermissionDenied):
        access.check_can_post_in_space(member, spaces["public"])


def test_a_deleted_space_is_gone_for_everyone(admin, moderator, spaces):
    services.delete_space(admin, space=spaces["members"])
    for viewer in (admin, moderator):
        assert spaces["members"] not in access.visible_spaces(viewer)
        assert not access.can_post_in_space(viewer, spaces["members"])


def test_only_admins_manage_spaces(moderator, member, spaces):
    for actor in (moderator, member):
        with pytest.raises(PermissionDenied):
            services.create_space(actor, name="Nope", visibility="members")
        with pytest.raises(PermissionDenied):
            services.delete_space(actor, space=spaces["members"])
    assert Space.objects.alive().count() == 4


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"name": "", "visibility": "members"}, "name"),
        ({"name": "x" * 101, "visibility": "members"}, "name"),
        ({"name": "Paid", "visibility": "paid"}, "required_tier"),
        ({"name": "Odd", "visibility": "everyone"}, "visibility"),
        ({"name": "Reorder", "slug": "reorder", "visibility": "members"}, "slug"),
    ],
)
def test_bad_space_input_is_refused_by_field(admin, fields, error_field):
    with pytest.raises(ValidationError) as error:
        services.create_space(admin, **fields)
    assert error_field in error.value.message_dict
    assert not Space.objects.exists()


def test_new_spaces_go_last_with_a_unique_slug(admin):
    first = services.create_space(admin, name="Show & tell", visibility="members")
    second = services.create_space(admin, name="Show & Tell", visibility="members")
    assert (first.slug, second.slug) == ("show-tell", "show-tell-2")
    assert second.position == first.position + 1


def test_reorder_applies_the_full_order_at_once(admin, spaces):
    order = [spaces[key].pk for key in ("paid", "mods", "public", "members")]
    services.reorder_spaces(admin, space_ids=order)
    assert list(Space.objects.order_by("position").values_list("pk", flat=True)) == order


@pytest.mark.parametrize("bad", ["missing", "duplicate", "unknown"])
def test_reorder_refuses_an_incomplete_order_and_changes_nothing(admin, spaces, bad):
    before = list(Space.objects.order_by("position").values_list("pk", flat=True))
    ids = list(before)
    if bad == "missing":
        ids.pop()
    elif bad == "duplicate":
        ids[-1] = ids[0]
    else:
        ids.append(999_999)
    with pytest.raises(ValidationError):
        services.reorder_spaces(admin, space_ids=ids)
    assert list(Space.objects.order_by("position").values_list("pk", flat=True)) == before


def test_api_lists_spaces_per_viewer_in_order(member, moderator, spaces):
    assert slugs(api_as(member).get("/api/v1/spaces/")) == [
        "announcements", "general", "moderators-desk"
    ]  # fmt: skip
    page = api_as(moderator).get("/api/v1/spaces/").json()
    assert len(page["results"]) == 4 and page["next_cursor"] is None
    assert api_as(member).get("/api/v1/spaces/pro-lounge/").status_code == 404
    general = api_as(member).get("/api/v1/spaces/general/").json()
    assert general["can_post"] is True


def test_api_space_list_costs_the_same_queries_for_more_spaces(admin, member, pro):
    services.grant_access(admin, member=member, tier=pro)
    client = None

    def add_paid_spaces(n):
        nonlocal client
        for i in range(n):
            services.create_space(admin, name=f"Paid {n}-{i}", visibility="paid", required_tier=pro)
        # As a new request: the member's tiers are read again, not remembered from the last.
        client = api_as(type(member).objects.get(pk=member.pk))

    add_paid_spaces(5)
    # The member's tiers (1 query, remembered) and the spaces with their tier (1 query).
    five, fifty = assert_constant_queries(
        lambda: client.get("/api/v1/spaces/?size=100"), grow=lambda: add_paid_spaces(45), bound=3
    )
    assert (len(five.json()["results"]), len(fifty.json()["results"])) == (5, 50)


def test_api_admins_create_edit_reorder_and_delete(admin, member, pro, spaces):
    client = api_as(admin)
    created = client.post("/api/v1/spaces/", {"name": "Wins", "icon": "🏆",
                                              "visibility": "members"}, format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["slug"] == "wins"
    edited = client.patch("/api/v1/spaces/wins/", {"visibility": "paid", "required_tier": "pro"},
                          format="json")  # fmt: skip
    assert edited.json()["required_tier"] == "pro"
    bad = client.patch("/api/v1/spaces/wins/", {"visibility": "public"}, format="json")
    assert bad.status_code == 400 and "required_tier" in bad.json()["fields"]
    listed = client.get("/api/v1/spaces/").json()["results"]
    order = list(reversed([space["id"] for space in listed]))
    reordered = client.post("/api/v1/spaces/reorder/", {"order": order}, format="json")
    assert [space["id"] for space in reordered.json()] == order
    assert client.delete("/api/v1/spaces/wins/").status_code == 204
    assert client.get("/api/v1/spaces/wins/").status_code == 404


def test_api_refuses_members_who_manage_spaces(member, spaces):
    client = api_as(member)
    response = client.post("/api/v1/spaces/", {"name": "Mine", "visibility": "members"},
                           format="json")  # fmt: skip
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    ids = [s.pk for s in spaces.values()]
    assert client.post("/api/v1/spaces/reorder/", {"order": ids}, format="json").status_code == 403


def test_admin_site_creates_spaces_through_the_service(client, admin, pro):
    client.force_login(admin)
    response = client.post("/admin/community/space/add/", {
        "name": "Office hours", "slug": "office-hours", "icon": "", "description": "",
        "visibility": "paid", "required_tier": pro.pk, "post_permission": "all",
    })  # fmt: skip
    assert response.status_code == 302
    space = Space.objects.get(slug="office-hours")
    assert AuditEntry.objects.filter(action=audit.SPACE_CREATE,
                                     target_id=space.pk).exists()  # fmt: skip
    client.post(
        "/admin/community/space/",
        {"action": "delete_selected", "_selected_action": [space.pk], "post": "yes"},
    )
    space.refresh_from_db()
    assert space.deleted_at is not None  # soft, never purged by the bulk action


def test_tiers_api_lists_tiers(member, pro):
    assert api_as(member).get("/api/v1/tiers/").json() == {
        "results": [{"id": pro.pk, "name": "Pro", "slug": "pro", "description": ""}],
        "next_cursor": None,
    }


def test_a_grant_must_end_after_it_starts(admin, member, pro):
    with pytest.raises(ValidationError) as error:
        services.grant_access(admin, member=member, tier=pro,
                              ends_at=timezone.now() - timedelta(days=1))  # fmt: skip
    assert "A grant must end after it starts." in error.value.messages
    assert not AccessGrant.objects.exists()


def test_only_admins_grant_and_revoke_tiers(admin, moderator, member, pro):
    with pytest.raises(PermissionDenied):
        services.grant_access(moderator, member=member, tier=pro)
    grant = services.grant_access(admin, member=member, tier=pro)
    with pytest.raises(PermissionDenied):
        services.revoke_access(moderator, grant=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_reorder_is_audited_with_the_new_order(admin, spaces):
    order = [spaces[key].pk for key in ("mods", "paid", "members", "public")]
    services.reorder_spaces(admin, space_ids=order)
    entry = AuditEntry.objects.get(action=audit.SPACE_REORDER)
    assert entry.reason == "order: " + ",".join(map(str, order))


def test_services_refuse_fields_they_do_not_know(admin, spaces):
    with pytest.raises(TypeError):
        services.update_space(admin, space=spaces["members"], position=99)


def test_revoking_a_grant_twice_changes_nothing_the_second_time(admin, member, pro):
    grant = services.grant_access(admin, member=member, tier=pro)
    first = services.revoke_access(admin, grant=grant, reason="refund")
    again = services.revoke_access(admin, grant=grant, reason="refund again")
    assert again.revoked_at == first.revoked_at
    assert AuditEntry.objects.filter(action="community.revoke").count() == 1
