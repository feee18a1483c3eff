"""Two members in two browsers, served by daphne: a new post, a comment and a like reach
the other member's open page without a reload."""

import re

from playwright.sync_api import expect

from community import services
from community.models import Post
from tests.factories import AdminFactory, UserFactory

from .conftest import sign_in


def wait_live(page):
    # A selector wait, not wait_for_function: its polling evaluates a string, which the
    # page's CSP (no 'unsafe-eval') refuses whenever the first check is false.
    page.locator("body[data-live='connected']").wait_for(state="attached", timeout=10_000)


def test_posts_comments_and_likes_arrive_live(daphne_server, browser, console, screenshot):
    services.create_space(AdminFactory(), name="General", visibility="members")
    author = UserFactory(display_name="Ada Author")
    reader = UserFactory(display_name="Rui Reader")
    author_page = console.attach(browser.new_context().new_page())
    reader_page = console.attach(browser.new_context().new_page())
    sign_in(author_page, daphne_server, author)
    sign_in(reader_page, daphne_server, reader)
    wait_live(reader_page)

    # The author posts; the reader's feed shows the marker without reloading.
    author_page.goto(f"{daphne_server}/spaces/general/")
    author_page.get_by_label("Title (optional)").fill("Live from the lab")
    author_page.get_by_label("Your post").fill("Does this reach everyone at once?")
    author_page.get_by_role("button", name="Post", exact=True).click()
    expect(author_page.get_by_role("heading", name="Live from the lab")).to_be_visible()

    marker = reader_page.locator(".feed-new__button")
    expect(marker).to_be_visible(timeout=10_000)
    expect(marker).to_contain_text("1 new post")
    screenshot(reader_page, "20-new-posts-marker")
    marker.click()
    card = reader_page.locator(".post-card", has_text="Live from the lab")
    expect(card).to_be_visible()

    # The author watches the post page while the reader opens it, comments and likes.
    post = Post.objects.get(title="Live from the lab")
    author_page.goto(f"{daphne_server}/posts/{post.pk}/")
    wait_live(author_page)
    card.get_by_role("link", name=re.compile("comment")).click()
    wait_live(reader_page)
    reader_page.get_by_label("Add a comment").fill("It reached me instantly!")
    reader_page.get_by_role("button", name="Comment", exact=True).click()
    reader_page.locator(f"#like-post-{post.pk}").get_by_role("button").click()
    expect(reader_page.locator(f"#like-post-{post.pk}")).to_contain_text("Liked")

    expect(author_page.get_by_text("It reached me instantly!")).to_be_visible(timeout=10_000)
    expect(author_page.locator(f"#like-post-{post.pk} .like__count")).to_contain_text(
        "1", timeout=10_000
    )
    screenshot(author_page, "21-post-updated-live")
    assert console.csp_violations() == []
    assert console.unexpected() == []
