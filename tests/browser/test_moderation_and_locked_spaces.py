"""A moderator finds the report queue from the header and sees the content as the site shows
it; a member without the tier finds the paid space locked, with how to get in."""

import re

import pytest
from playwright.sync_api import expect

from community import services
from community.models import Tier
from tests.factories import AdminFactory, ModeratorFactory, UserFactory

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


def test_a_moderator_follows_the_header_to_the_rendered_report_queue(
    live_server, page, console, screenshot
):
    admin = AdminFactory()
    general = services.create_space(admin, name="General", visibility="members")
    author = UserFactory(display_name="Troll Tom")
    post = services.create_post(author, space=general, body="Buy **now** at my shop")
    services.report(UserFactory(), target=post, reason="Selling stuff")
    moderator = ModeratorFactory(display_name="Max Moderator")
    console.attach(page)

    sign_in(page, live_server.url, moderator)
    account = page.get_by_role("navigation", name="Account")
    link = account.get_by_role("link", name=re.compile(r"^Reports"))
    expect(link).to_contain_text("1")
    link.click()
    expect(page).to_have_url(re.compile(r"/moderation/reports/$"))
    item = page.locator(".report-item").first
    expect(item.locator("strong", has_text="now")).to_be_visible()  # rendered, not Markdown
    expect(item).not_to_contain_text("**")
    screenshot(page, "report-queue-01")

    # Hide the post from the queue, then resolve the report.
    item.get_by_role("button", name="Hide the post").click()
    expect(page).to_have_url(re.compile(r"/moderation/reports/$"))
    item = page.locator(".report-item").first
    expect(item.get_by_role("button", name="Unhide the post")).to_be_visible()
    item.get_by_role("button", name="Resolve").click()
    expect(page.locator(".report-item").first).to_contain_text("Report resolved")
    console.assert_clean()


def test_a_member_without_the_tier_finds_the_paid_space_locked(
    live_server, page, console, screenshot
):
    admin = AdminFactory()
    pro = Tier.objects.create(name="Pro", slug="pro", listed=True)
    services.create_space(admin, name="General", visibility="members")
    lounge = services.create_space(
        admin, name="Pro lounge", icon="⭐", visibility="paid", required_tier=pro,
        description="Office hours, deep dives.",
    )  # fmt: skip
    services.create_post(admin, space=lounge, body="The secret plan")
    member = UserFactory(display_name="Mei Member")
    console.attach(page)

    sign_in(page, live_server.url, member)
    spaces = page.get_by_role("complementary", name="Spaces")
    locked = spaces.get_by_role("link", name=re.compile(r"^Pro lounge\s*\(locked\)$"))
    expect(locked).to_be_visible()
    locked.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pro lounge")
    expect(page.get_by_text("Office hours, deep dives.")).to_be_visible()
    expect(page.get_by_role("link", name="See plans")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("The secret plan")
    screenshot(page, "locked-space-01")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("link", name="See plans")).to_be_visible()
    screenshot(page, "locked-space-01-phone")
    console.assert_clean()
