"""The admins' page to manage spaces: list, reorder (script and no script), create, edit,
delete; everyone else gets the 404 of a page that does not exist."""

import pytest
from django.urls import reverse

from community import audit, services
from community.models import AuditEntry, Space
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db

MANAGE = reverse("community:manage_spaces")
NEW = reverse("community:new_space")
ORDER = reverse("community:reorder_spaces")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def spaces(admin):
    return [
        services.create_space(admin, name=name, visibility="members", icon=icon)
        for name, icon in [("Announcements", "📣"), ("General", "💬"), ("Help", "🛟")]
    ]


def live_order():
    return list(Space.objects.alive().order_by("position", "id").values_list("name", flat=True))


def form_data(**changes):
    data = {"name": "Book club", "slug": "", "icon": "📚", "description": "Monthly reads.",
            "visibility": "members", "required_tier": "", "post_permission": "all"}  # fmt: skip
    return {**data, **changes}


def urls_for(space):
    return {
        "manage": ("get", MANAGE, {}),
        "new": ("post", NEW, form_data()),
        "edit": ("post", reverse("community:edit_space", args=[space.pk]), form_data()),
        "move": ("post", reverse("community:move_space", args=[space.pk]), {"direction": "up"}),
        "delete": ("post", reverse("community:delete_space", args=[space.pk]), {"confirm": "yes"}),
        "order": ("post", ORDER, {"order": str(space.pk)}),
    }


# --- Who may use it ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "member", "moderator"])
def test_it_answers_404_to_everyone_but_admins(client, who, member, moderator, spaces):
    if who != "visitor":
        client.force_login(member if who == "member" else moderator)
    for name, (method, url, data) in urls_for(spaces[2]).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, name
    assert live_order() == ["Announcements", "General", "Help"]
    assert Space.objects.count() == 3


def test_the_sidebar_links_to_the_page_for_admins_only(client, admin_client, member, spaces):
    assert f'href="{MANAGE}"' in admin_client.get(reverse("community:feed")).content.decode()
    client.force_login(member)
    assert f'href="{MANAGE}"' not in client.get(reverse("community:feed")).content.decode()


# --- The list ---------------------------------------------------------------------------------


def test_the_page_lists_live_spaces_in_order_with_their_settings(admin_client, admin, pro):
    make = services.create_space
    make(admin, name="Lounge", visibility="paid", required_tier=pro,
         post_permission="moderators")  # fmt: skip
    make(admin, name="News", visibility="public", post_permission="admins")
    gone = make(admin, name="Old", visibility="members")
    services.delete_space(admin, space=gone)
    page = admin_client.get(MANAGE).content.decode()
    assert page.index("Lounge") < page.index("News")
    assert "Paid · Pro" in page and "Moderators post" in page
    assert "Public" in page and "Admins post" in page
    assert 'id="space-list"' in page and "Old" not in page
    assert 'nonce="' in page and "spaces-manage.js" in page


def test_the_page_costs_the_same_queries_for_5_and_20_spaces(admin_client, admin, pro):
    def add_rooms():
        for i in range(15):
            services.create_space(admin, name=f"Room {i}", visibility="members")

    for i in range(5):
        services.create_space(admin, name=f"Paid {i}", visibility="paid", required_tier=pro)
    # session, user, the spaces with their tiers, the sidebar's spaces (unread counts inline)
    assert_constant_queries(lambda: admin_client.get(MANAGE), grow=add_rooms, bound=6)


# --- Reordering ---------------------------------------------------------------------------


def test_the_order_endpoint_applies_the_full_new_order(admin_client, spaces):
    first, second, third = spaces
    response = admin_client.post(ORDER, {"order": f"{third.pk},{first.pk},{second.pk}"})
    assert response.status_code == 204
    assert live_order() == ["Help", "Announcements", "General"]
    assert AuditEntry.objects.filter(action=audit.SPACE_REORDER).exists()


def test_the_order_may_come_as_a_repeated_field(admin_client, spaces):
    order = [spaces[1].pk, spaces[2].pk, spaces[0].pk]
    assert admin_client.post(ORDER, {"order": order}).status_code == 204
    assert live_order() == ["General", "Help", "Announcements"]


@pytest.mark.parametrize("order", ["incomplete", "duplicate", "garbage"])
def test_the_order_endpoint_refuses_anything_but_the_full_order(admin_client, spaces, order):
    first, second, third = (space.pk for space in spaces)
    sent = {"incomplete": f"{third},{first}", "duplicate": f"{third},{third},{first},{second}",
            "garbage": f"{third},x,{first}"}[order]  # fmt: skip
    response = admin_client.post(ORDER, {"order": sent})
    assert response.status_code == 400
    body = response.content.decode()
    assert "was not saved" in body and "<html" not in body  # the list fragment, as it is
    assert body.index("Announcements") < body.index("General") < body.index("Help")
    assert live_order() == ["Announcements", "General", "Help"]


def test_move_up_and_down_work_without_the_script(admin_client, spaces):
    first, _, third = spaces
    move = reverse("community:move_space", args=[third.pk])
    response = admin_client.post(move, {"direction": "up"})
    assert response.status_code == 302 and response.url == f"{MANAGE}#space-{third.pk}"
    assert live_order() == ["Announcements", "Help", "General"]
    admin_client.post(reverse("community:move_space", args=[first.pk]), {"direction": "down"})
    assert live_order() == ["Help", "Announcements", "General"]
    page = admin_client.get(MANAGE).content.decode()
    assert "“Announcements” is now number 2 of 3." in page


def test_moving_past_either_end_changes_nothing(admin_client, spaces):
    admin_client.post(reverse("community:move_space", args=[spaces[0].pk]), {"direction": "up"})
    admin_client.post(reverse("community:move_space", args=[spaces[2].pk]), {"direction": "down"})
    assert live_order() == ["Announcements", "General", "Help"]
    assert not AuditEntry.objects.filter(action=audit.SPACE_REORDER).exists()


# --- Creating and editing ---------------------------------------------------------------


def test_an_admin_creates_a_space_last_in_the_list(admin_client, spaces):
    response = admin_client.post(NEW, form_data())
    space = Space.objects.get(name="Book club")
    assert response.status_code == 302 and response.url == f"{MANAGE}#space-{space.pk}"
    assert (space.slug, space.icon, space.visibility) == ("book-club", "📚", "members")
    assert live_order()[-1] == "Book club"


def test_a_paid_space_gets_its_tier(admin_client, pro):
    admin_client.post(NEW, form_data(visibility="paid", required_tier=pro.pk, slug="club"))
    assert Space.objects.get(slug="club").required_tier == pro


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "This field cannot be blank."),
        ({"visibility": "paid"}, "A paid space needs the tier that opens it."),
        ({"slug": "manage"}, "is reserved; choose another."),
        ({"slug": "not a slug!"}, "Enter a valid “slug”"),
    ],
)
def test_bad_input_shows_errors_and_creates_nothing(admin_client, spaces, changes, message):
    response = admin_client.post(NEW, form_data(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Nothing was saved." in page
    assert Space.objects.count() == 3


def test_an_admin_edits_a_space(admin_client, spaces, pro):
    url = reverse("community:edit_space", args=[spaces[1].pk])
    assert 'value="General"' in admin_client.get(url).content.decode()
    data = form_data(name="Lounge", slug="lounge", visibility="paid", required_tier=pro.pk,
                     post_permission="moderators")  # fmt: skip
    assert admin_client.post(url, data).status_code == 302
    space = Space.objects.get(pk=spaces[1].pk)
    assert (space.name, space.slug, space.required_tier, space.post_permission) == (
        "Lounge", "lounge", pro, "moderators")  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field cannot be blank."),
        ({"visibility": "paid"}, "A paid space needs the tier that opens it."),
        ({"slug": "manage"}, "is reserved; choose another."),
    ],
)
def test_a_bad_edit_shows_errors_and_changes_nothing(admin_client, spaces, changes, message):
    space = spaces[1]
    url = reverse("community:edit_space", args=[space.pk])
    response = admin_client.post(url, form_data(**{"slug": space.slug, **changes}))
    assert response.status_code == 400
    assert message in response.content.decode()
    space.refresh_from_db()
    assert (space.name, space.slug, space.visibility) == ("General", "general", "members")


def test_a_deleted_space_cannot_be_edited(admin_client, admin, spaces):
    services.delete_space(admin, space=spaces[0])
    url = reverse("community:edit_space", args=[spaces[0].pk])
    assert admin_client.get(url).status_code == 404


# --- Deleting -----------------------------------------------------------------------------


def test_delete_is_soft_and_leaves_the_list(admin_client, spaces):
    url = reverse("community:delete_space", args=[spaces[1].pk])
    response = admin_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and response.url == MANAGE
    space = Space.objects.get(pk=spaces[1].pk)  # the row is still there
    assert space.deleted_at is not None
    assert live_order() == ["Announcements", "Help"]
    assert "“General” is deleted." in admin_client.get(MANAGE).content.decode()


def test_delete_without_the_script_asks_first(admin_client, spaces):
    url = reverse("community:delete_space", args=[spaces[1].pk])
    page = admin_client.post(url).content.decode()
    assert "Delete “General”?" in page and 'name="confirm" value="yes"' in page
    assert Space.objects.alive().count() == 3


def test_a_space_named_like_a_spaces_path_gets_a_slug_that_is_not(admin):
    space = services.create_space(admin, name="New", visibility="members")
    assert space.slug == "new-space"
