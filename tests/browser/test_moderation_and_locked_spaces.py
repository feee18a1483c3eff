"""A moderator finds the report queue from the header and sees the content as the site shows
it; a member without the tier finds the paid space locked, with how to get in."""

import re

import pytest
from playwright.sync_api import expect

from community import services
from community.models import Tier
from tests.factories import AdminFactory, ModeratorFactory, UserFactory

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser


def test_a_report_goes_through_the_queue_to_a_hide_and_a_ban(
    live_server, browser, console, screenshot
):
    admin = AdminFactory(display_name="Ada Admin")
    general = services.create_space(admin, name="General", visibility="members")
    author = UserFactory(display_name="Troll Tom")
    post = services.create_post(author, space=general, title="Great deal",
                                body="Buy **now** at my shop")  # fmt: skip
    reporter = UserFactory(display_name="Rita Reporter")
    moderator = ModeratorFactory(display_name="Max Moderator")
    reporter_page, author_page, mod_page, admin_page = (
        console.attach(browser.new_context(viewport=DESKTOP).new_page()) for _ in range(4)
    )

    # A member reports the post from its page.
    sign_in(author_page, live_server.url, author)
    sign_in(reporter_page, live_server.url, reporter)
    reporter_page.goto(f"{live_server.url}/posts/{post.pk}/")
    reporter_page.get_by_role("link", name="Report", exact=True).first.click()
    reporter_page.get_by_label("What is wrong?").fill("Selling stuff")
    reporter_page.get_by_role("button", name=re.compile("report", re.I)).click()
    expect(reporter_page.get_by_text("The moderators will look at your report")).to_be_visible()

    # The moderator follows the header to the queue and sees the post as the site shows it.
    sign_in(mod_page, live_server.url, moderator)
    link = mod_page.get_by_role("navigation", name="Account").get_by_role(
        "link", name=re.compile(r"^Reports")
    )
    expect(link).to_contain_text("1")
    link.click()
    expect(mod_page).to_have_url(re.compile(r"/moderation/reports/$"))
    item = mod_page.locator(".report-item").first
    expect(item.locator("strong", has_text="now")).to_be_visible()  # rendered, not Markdown
    expect(item).to_contain_text("Selling stuff")
    expect(item).to_contain_text("Rita Reporter")
    screenshot(mod_page, "moderation-queue-01")
    mod_page.set_viewport_size(PHONE)
    screenshot(mod_page, "moderation-queue-01-phone")
    mod_page.set_viewport_size(DESKTOP)

    # Hide the post (the reports close), then ban its author from the resolved list.
    item.get_by_label("Reason or warning").fill("Advertising")
    item.get_by_role("button", name="Hide").click()
    expect(mod_page.get_by_text("Post hidden; its author was told.")).to_be_visible()
    expect(mod_page.locator(".report-item")).to_have_count(0)
    services.report(UserFactory(), target=author, reason="Spams everyone")
    mod_page.reload()
    member_item = mod_page.locator(".report-item").first
    member_item.get_by_label("Reason or warning").fill("Repeated advertising")
    member_item.get_by_label("Ban length").select_option(label="For a week")
    member_item.get_by_role("button", name="Ban the member").click()
    expect(mod_page.get_by_text("Author banned and signed out")).to_be_visible()

    # The author's next page signs them out and says why.
    author_page.goto(f"{live_server.url}/")
    expect(author_page.get_by_text("Your account is suspended.")).to_be_visible()
    screenshot(author_page, "moderation-banned-author")

    # An admin finds both decisions in the audit log.
    sign_in(admin_page, live_server.url, admin)
    admin_page.goto(f"{live_server.url}/moderation/audit/")
    table = admin_page.locator(".audit-table")
    expect(table).to_contain_text("Hid a post")
    expect(table).to_contain_text("Banned a member")
    expect(table).to_contain_text("Max Moderator")
    screenshot(admin_page, "audit-log-01")
    admin_page.set_viewport_size(PHONE)
    screenshot(admin_page, "audit-log-01-phone")
    admin_page.set_viewport_size(DESKTOP)

    # The admin's analytics draw their charts, today's post and reports among the figures.
    admin_page.get_by_role("link", name="Analytics").first.click()
    expect(admin_page).to_have_url(re.compile(r"/manage/analytics/"))
    posts_chart = admin_page.get_by_role("region", name="Posts per day")
    expect(posts_chart.locator("svg")).to_be_visible()
    posts_chart.locator("summary", has_text="Table").click()
    expect(posts_chart.locator("table tbody tr").first).to_be_visible()
    screenshot(admin_page, "analytics-01")
    admin_page.set_viewport_size(PHONE)
    screenshot(admin_page, "analytics-01-phone")
    console.assert_clean()


def test_a_member_without_the_tier_finds_the_paid_space_locked(
    live_server, page, console, screenshot
):
    admin = AdminFactory()
    pro = Tier.objects.create(name="Pro", slug="pro", listed=True)
    services.create_space(admin, name="General", visibility="members")
    lounge = services.create_space(
        admin, name="Pro lounge for yearly members", icon="⭐", visibility="paid",
        required_tier=pro,
        description="Office hours, deep dives.",
    )  # fmt: skip
    services.create_post(admin, space=lounge, body="The secret plan")
    member = UserFactory(display_name="Mei Member")
    console.attach(page)

    sign_in(page, live_server.url, member)
    spaces = page.get_by_role("complementary", name="Spaces")
    locked = spaces.get_by_role(
        "link", name=re.compile(r"^Pro lounge for yearly members\s*\(locked\)$")
    )
    expect(locked).to_be_visible()
    # A name too long for the sidebar is cut short, its lock still beside it, not over the page.
    marker, sidebar = locked.locator("[data-locked]").bounding_box(), spaces.bounding_box()
    assert marker["x"] + marker["width"] <= sidebar["x"] + sidebar["width"]
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
