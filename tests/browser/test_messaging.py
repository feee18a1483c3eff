"""Served by daphne: two members like a post and one comments on it; the author's bell
counts the unread notifications live, without a reload (the likes as one row); opening the
notifications page and then one notification leads to the post, and the count falls."""

from playwright.sync_api import expect

from community import services
from tests.factories import AdminFactory, UserFactory

from .conftest import DESKTOP, PHONE, sign_in
from .test_live_community import wait_live


def test_the_bell_counts_live_and_opening_a_notification_reads_it(
    daphne_server, browser, console, screenshot
):
    space = services.create_space(AdminFactory(), name="General", visibility="members")
    author = UserFactory(display_name="Ada Author")
    post = services.create_post(author, space=space, title="Seed swap", body="Who has beans?")
    ana, ben = UserFactory(display_name="Ana"), UserFactory(display_name="Ben")
    keys = {who: services.create_api_token(who, name="app")[1] for who in (ana, ben)}

    context = browser.new_context(viewport=DESKTOP)
    page = console.attach(context.new_page())
    sign_in(page, daphne_server, author)
    count = page.locator("[data-bell] [data-bell-count]")
    expect(count).to_be_hidden()
    wait_live(page)

    def as_member(who, path, data=None):
        answer = context.request.post(
            f"{daphne_server}/api/v1/{path}", data=data,
            headers={"Authorization": f"Bearer {keys[who]}"},
        )  # fmt: skip
        assert answer.ok, answer.text()

    as_member(ana, f"posts/{post.pk}/like/")
    expect(count).to_have_text("1", timeout=10_000)
    as_member(ben, f"posts/{post.pk}/like/")  # the same row: "Ben and 1 other"
    as_member(ben, f"posts/{post.pk}/comments/", {"body": "Me! Runner beans."})
    expect(count).to_have_text("2", timeout=10_000)
    expect(page.locator("[data-bell]")).to_have_accessible_name("Notifications, 2 unread")
    screenshot(page, "70-bell-live")

    page.locator("[data-bell]").click()
    rows = page.locator(".notification")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Ben commented on your post “Seed swap”")
    expect(rows.nth(0)).to_contain_text("Me! Runner beans.")
    expect(rows.nth(1)).to_contain_text("Ben and 1 other liked your post “Seed swap”")
    screenshot(page, "71-notifications")
    page.set_viewport_size(PHONE)
    screenshot(page, "71-notifications-phone")
    page.set_viewport_size(DESKTOP)

    rows.nth(1).get_by_role("link", name="Ben and 1 other liked your post").click()
    expect(page.get_by_role("heading", name="Seed swap")).to_be_visible()
    expect(count).to_have_text("1")
    page.go_back()
    page.reload()
    expect(page.locator(".notification--unread")).to_have_count(1)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("status")).to_contain_text("Marked 1 notification read.")
    expect(page.locator(".notification--unread")).to_have_count(0)
    expect(count).to_be_hidden()
    assert console.csp_violations() == []
    assert console.unexpected() == []


def test_two_members_talk_live_and_see_the_read_receipt(
    daphne_server, browser, console, screenshot
):
    ana = UserFactory(display_name="Ana")
    ben = UserFactory(display_name="Ben")

    ana_page = console.attach(browser.new_context(viewport=DESKTOP).new_page())
    sign_in(ana_page, daphne_server, ana)
    ana_page.goto(f"{daphne_server}/members/{ben.pk}/")
    ana_page.get_by_role("link", name="Message", exact=True).click()
    ana_page.get_by_label("Your first message").fill("Hi Ben! Coming to the **seed swap**?")
    ana_page.get_by_role("button", name="Send").click()
    expect(ana_page.get_by_role("heading", name="Ben")).to_be_visible()
    wait_live(ana_page)
    receipt = ana_page.locator("#read-receipt")
    expect(receipt).to_be_hidden()

    ben_page = console.attach(browser.new_context(viewport=PHONE).new_page())
    sign_in(ben_page, daphne_server, ben)
    messages_link = ben_page.locator("[data-messages]")
    expect(messages_link).to_have_accessible_name("Messages, 1 with new messages")
    messages_link.click()
    expect(ben_page.locator(".conversation--unread")).to_contain_text("Coming to the seed swap?")
    ben_page.locator(".conversation__link").click()
    expect(ben_page.locator(".dm").last).to_contain_text("Coming to the seed swap?")
    wait_live(ben_page)
    # Ben opened it: Ana sees "Seen" appear without a reload.
    expect(receipt).to_be_visible(timeout=10_000)
    expect(receipt).to_contain_text("Seen")

    ben_page.get_by_label("Message to Ana").fill("Yes! I'll bring runner beans.")
    ben_page.get_by_role("button", name="Send").click()
    expect(ben_page.locator(".dm--mine").last).to_contain_text("runner beans")
    expect(ben_page.get_by_label("Message to Ana")).to_have_value("")
    # Ana's open thread shows it live, and reading it there moves Ben's receipt.
    expect(ana_page.locator(".dm").last).to_contain_text("runner beans", timeout=10_000)
    expect(ben_page.locator("#read-receipt")).to_be_visible(timeout=10_000)
    screenshot(ana_page, "72-thread-desktop")
    screenshot(ben_page, "73-thread-phone")
    assert console.csp_violations() == []
    assert console.unexpected() == []
