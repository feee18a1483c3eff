"""Pages behave the same way everywhere: the post page asks before deleting as the feed
card does, the post menu closes on Escape, editing a comment breaks no Content-Security-
Policy rule, a member's own reply does not announce itself as "new comments", and on a
phone the composer stays folded until tapped."""

import re
import time

import pytest
from playwright.sync_api import expect

from community import services
from tests.factories import AdminFactory, UserFactory

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


def watch_csp(page):
    """Every 'securitypolicyviolation' the page raises, kept on window for the test."""
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample)); });"
    )


def test_the_post_page_behaves_like_the_feed(live_server, page, console, screenshot):
    admin = AdminFactory()
    general = services.create_space(admin, name="General", visibility="members")
    author = UserFactory(display_name="Ada Author")
    other = UserFactory(display_name="Bo Other")
    post = services.create_post(author, space=general, title="Own page", body="Hello all")
    comment = services.create_comment(other, post=post, body="First comment")
    mine = services.create_comment(author, post=post, body="My own note")
    watch_csp(page)
    console.attach(page)
    sign_in(page, live_server.url, author)
    page.goto(f"{live_server.url}/posts/{post.pk}/")
    card = page.locator(f"#post-{post.pk}")
    expect(card.locator("time").first).to_have_text("just now")

    # Escape closes the post menu and gives focus back to its toggle; so does a click outside.
    menu = card.locator("details.post-menu")
    toggle = menu.locator("summary")
    toggle.click()
    expect(menu).to_have_attribute("open", "")
    menu.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(toggle).to_be_focused()
    toggle.click()
    expect(menu).to_have_attribute("open", "")
    page.locator(".post-page__back").click(position={"x": 400, "y": 5})
    expect(menu).not_to_have_attribute("open", "")

    # Editing a comment: no Content-Security-Policy violation (htmx injects no <style>).
    own = page.locator(f"#comment-{mine.pk}")
    own.locator("summary", has_text="Edit").click()
    own.get_by_label("Edit your comment").fill("My own note, edited")
    own.get_by_role("button", name="Save").click()
    expect(page.locator(f"#comment-{mine.pk} .comment__body")).to_contain_text("edited")
    assert page.evaluate("window.__csp") == []

    # Replying: the live event for the member's own reply may arrive before the response
    # (the socket is quicker than the request); it must not show "New comments: show them".
    def slow_then_announce(route):
        page.evaluate(
            "id => document.body.dispatchEvent(new CustomEvent('live:comment.created',"
            " {detail: {topic: 'post:' + id, type: 'comment.created', id: 999999},"
            " bubbles: true}))",
            post.pk,
        )
        time.sleep(0.3)
        route.continue_()

    page.route(re.compile(rf"/posts/{post.pk}/comments/?$"), slow_then_announce)
    thread = page.locator(f"#comment-{comment.pk}")
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply").fill("A reply of mine")
    thread.get_by_role("button", name="Reply", exact=True).click()
    expect(page.locator(".comment--reply", has_text="A reply of mine")).to_be_visible()
    page.unroute(re.compile(rf"/posts/{post.pk}/comments/?$"))
    page.wait_for_timeout(300)
    expect(page.get_by_role("button", name="New comments: show them")).to_be_hidden()
    screenshot(page, "page-behaviour-01-post-page")

    # Deleting from the post page asks first, as the feed card does.
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    toggle.click()
    menu.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(rf"/posts/{post.pk}/$"))
    assert dialogs == ["Delete this post? This cannot be undone."]
    expect(menu).to_have_attribute("open", "")  # still open: answering "no" changes nothing
    menu.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/spaces/general/$"))
    assert len(dialogs) == 2
    post.refresh_from_db()
    assert post.deleted_at is not None
    assert page.evaluate("window.__csp") == []
    console.assert_clean()


def test_on_a_phone_the_composer_opens_when_tapped(live_server, browser, console, screenshot):
    services.create_space(AdminFactory(), name="General", visibility="members")
    member = UserFactory(display_name="Pat Phone")
    page = console.attach(browser.new_context(viewport=PHONE).new_page())
    watch_csp(page)
    sign_in(page, live_server.url, member)
    page.goto(f"{live_server.url}/")
    body = page.get_by_label("Your post")
    expect(body).to_be_hidden()
    opener = page.get_by_role("button", name="Write a post…")
    expect(opener).to_be_visible()
    screenshot(page, "page-behaviour-02-phone-composer-folded", full_page=False)
    opener.click()
    expect(body).to_be_visible()
    expect(body).to_be_focused()
    expect(opener).to_be_hidden()

    # All errors at once: no space and no body.
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_text("Write something before posting.")).to_be_visible()
    expect(page.locator(".compose")).to_contain_text("Choose a space")
    expect(page.get_by_label("Your post")).to_be_visible()  # a form with errors stays open
    screenshot(page, "page-behaviour-03-phone-composer-errors", full_page=False)
    assert page.evaluate("window.__csp") == []
    assert console.csp_violations() == []
    # The refused post answers 400 (the form with its errors), which Chromium logs.
    assert [e for e in console.unexpected() if "status of 400" not in e] == []
