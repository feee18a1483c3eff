"""An admin reorders the spaces by dragging one, then with a Move down button."""

import re

import pytest
from playwright.sync_api import expect

from community import services
from community.models import Space, Tier
from tests.factories import PASSWORD, AdminFactory

from .conftest import PHONE

pytestmark = pytest.mark.browser

NAMES = ["Announcements", "General", "Introductions", "Pro lounge"]


def saved_order():
    return list(Space.objects.alive().order_by("position", "id").values_list("name", flat=True))


def shown_order(page):
    return page.locator(".manage-row__name").all_inner_texts()


def test_an_admin_drags_a_space_to_the_top_then_moves_it_down(
    live_server, page, console, screenshot
):
    admin = AdminFactory(display_name="Grace Hopper")
    pro = Tier.objects.create(name="Pro", slug="pro")
    first = services.create_space(admin, name="Announcements", icon="📣", visibility="public",
                          post_permission="admins", description="News from the team.")  # fmt: skip
    services.create_space(admin, name="General", icon="💬", visibility="members")
    third = services.create_space(admin, name="Introductions", icon="👋", visibility="members")
    services.create_space(admin, name="Pro lounge", icon="⭐", visibility="paid",
                          required_tier=pro, post_permission="moderators")  # fmt: skip
    console.attach(page)
    desktop = page.viewport_size

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Grace Hopper")

    # The sidebar leads admins to the page.
    page.get_by_role("link", name="Manage spaces").click()
    expect(page).to_have_url(re.compile(r"/spaces/manage/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage spaces")
    expect(page.locator(".manage-list.is-sortable")).to_be_visible()  # the script is on
    assert shown_order(page) == NAMES
    screenshot(page, "manage-spaces-01-list")
    page.set_viewport_size(PHONE)
    screenshot(page, "manage-spaces-01-list-phone")
    page.set_viewport_size(desktop)

    # Drag the third space by its handle above the first.
    with page.expect_response(lambda r: r.url.endswith("/spaces/manage/order/")) as answer:
        page.drag_and_drop(f"#space-{third.pk} .manage-row__handle", f"#space-{first.pk}",
                           target_position={"x": 40, "y": 4})  # fmt: skip
    assert answer.value.status == 204
    expected = ["Introductions", "Announcements", "General", "Pro lounge"]
    assert shown_order(page) == expected
    assert saved_order() == expected
    expect(page.get_by_role("button", name="Move Introductions up")).to_be_disabled()
    screenshot(page, "manage-spaces-02-dragged")

    # Move it down one with the keyboard-friendly button; focus stays on the arrow.
    with page.expect_response(lambda r: r.url.endswith("/spaces/manage/order/")) as answer:
        page.get_by_role("button", name="Move Introductions down").click()
    assert answer.value.status == 204
    expected = ["Announcements", "Introductions", "General", "Pro lounge"]
    assert shown_order(page) == expected
    assert saved_order() == expected
    expect(page.get_by_role("button", name="Move Introductions down")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/spaces/manage/$"))  # no page load: the script did it

    # After a reload the page shows the saved order.
    page.reload()
    assert shown_order(page) == expected
    screenshot(page, "manage-spaces-03-moved")

    # The edit form, on both sizes.
    page.get_by_role("link", name="Edit Pro lounge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Pro lounge”")
    expect(page.get_by_label("Required tier", exact=True)).to_be_visible()
    screenshot(page, "manage-spaces-04-edit")
    page.set_viewport_size(PHONE)
    screenshot(page, "manage-spaces-04-edit-phone")
    page.set_viewport_size(desktop)
    page.get_by_label("Members: anyone signed in").check()
    expect(page.get_by_label("Required tier", exact=True)).to_be_hidden()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("“Pro lounge” is saved.")
    assert Space.objects.get(name="Pro lounge").required_tier is None

    console.assert_clean()


def test_an_order_the_server_refuses_or_never_gets_is_put_right_on_the_page(
    live_server, page, console
):
    """The shared order saver (static/agora/order-save.js): a refusal (a space added
    meanwhile) shows the server's list and its error; a network failure puts the last saved
    order back and says so."""
    admin = AdminFactory(display_name="Grace Hopper")
    for name in NAMES[:3]:
        services.create_space(admin, name=name, visibility="members")
    console.attach(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/spaces/manage/")
    expect(page.locator(".manage-list.is-sortable")).to_be_visible()

    # Another admin adds a space while this page is open: the move is refused and the
    # page shows the list as the server has it, with the new space.
    services.create_space(admin, name="Pro lounge", visibility="members")
    with page.expect_response(lambda r: r.url.endswith("/spaces/manage/order/")) as answer:
        page.get_by_role("button", name="Move General up").click()
    assert answer.value.status == 400
    expect(page.locator("[data-order-error]")).to_contain_text("the list changed meanwhile")
    assert shown_order(page) == NAMES
    assert saved_order() == NAMES

    # The server cannot be reached: the row goes back where it was.
    page.route(re.compile(r"/spaces/manage/order/$"), lambda route: route.abort())
    page.get_by_role("button", name="Move General up").click()
    expect(page.locator("[data-order-error]")).to_contain_text("could not be reached")
    expect(page.locator("[data-order-status]")).to_have_text("The new order was not saved.")
    assert shown_order(page) == NAMES
    page.unroute(re.compile(r"/spaces/manage/order/$"))

    # Once it can be reached again, the next move is saved.
    with page.expect_response(lambda r: r.url.endswith("/spaces/manage/order/")) as answer:
        page.get_by_role("button", name="Move General up").click()
    assert answer.value.status == 204
    assert saved_order() == ["General", "Announcements", "Introductions", "Pro lounge"]
    # The browser logs the refused and the failed request; nothing else went wrong.
    assert console.csp_violations() == []
    assert all("Failed to load resource" in error for error in console.unexpected())
