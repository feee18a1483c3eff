"""A member opens the search palette with the keyboard, types, moves through the results with
the arrows and opens one; the results page works on a phone."""

import re

import pytest
from playwright.sync_api import expect

from community import services
from community.search.spelling import refresh_vocabulary
from tests.factories import AdminFactory, UserFactory

from .conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser


def test_the_palette_and_the_results_page(live_server, browser, console, screenshot):
    admin = AdminFactory(display_name="Ada Admin")
    general = services.create_space(admin, name="General", visibility="members")
    author = UserFactory(display_name="Grace Hopper")
    body = "A compiler turns <b>source</b> into machine code."
    services.create_post(author, space=general, title="Compilers for everyone", body=body)
    body = "The first compiler bug was a moth."
    services.create_post(author, space=general, title="Debugging stories", body=body)
    refresh_vocabulary()  # the nightly task: "compiler" is in both posts
    member = UserFactory(display_name="Lena Learner")
    page = console.attach(browser.new_context(viewport=DESKTOP).new_page())
    sign_in(page, live_server.url, member)
    page.wait_for_load_state()  # the palette's script runs once the page has loaded

    # The shortcut opens the palette with its box focused; typing shows results as you type.
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox", name="Search the community")
    expect(box).to_be_focused()
    page.keyboard.type("compil")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox.get_by_role("option", name=re.compile("Compilers for everyone"))).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    status = page.locator("#search-palette [role=status]")
    expect(status).to_have_text(re.compile(r"^\d+ results?$"))
    # The matched words are marked; the content's own markup stays text.
    expect(listbox.locator("mark").first).to_contain_text(re.compile("compil", re.I))
    expect(listbox.locator("b")).to_have_count(0)

    # Arrows move the active option (aria-activedescendant), Escape closes, Enter opens.
    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    screenshot(page, "search-palette-01")
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    page.get_by_role("link", name=re.compile("^Search")).click()  # the header's link
    expect(box).to_be_focused()
    page.keyboard.press("ArrowDown")
    chosen = listbox.get_by_role("option").first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{chosen}")

    # Enter with no option chosen opens the results page, with a tab per kind.
    page.keyboard.press("Control+k")
    page.keyboard.type("compiler ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=compiler"))
    expect(page.get_by_role("heading", name="Posts")).to_be_visible()
    expect(page.get_by_role("link", name="Debugging stories")).to_be_visible()
    screenshot(page, "search-results-01")

    # The filters: a space and a first day narrow the results, and the tabs keep them.
    page.get_by_text("Filters").click()
    page.get_by_label("Space", exact=True).select_option(label="General")
    page.get_by_label("From", exact=True).fill("2000-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"space=general"))
    expect(page.get_by_text("Filters (on)")).to_be_visible()
    expect(page.get_by_role("link", name="Debugging stories")).to_be_visible()
    screenshot(page, "search-results-01b-filtered")
    expect(page.get_by_role("navigation", name="Kinds of results").get_by_role(
        "link", name="Posts"
    )).to_have_attribute("href", re.compile(r"space=general"))  # fmt: skip

    page.set_viewport_size(PHONE)
    tabs = page.get_by_role("navigation", name="Kinds of results")
    tabs.get_by_role("link", name="Posts").click()
    expect(page).to_have_url(re.compile(r"kind=posts"))
    expect(page.get_by_role("link", name="Compilers for everyone")).to_be_visible()
    screenshot(page, "search-results-02-phone")
    page.get_by_role("searchbox", name="Search the community").fill("nothingmatchesthis")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No results for “nothingmatchesthis” in posts")).to_be_visible()
    page.get_by_role("link", name="Search everything").click()
    kept = re.compile(r"/search/\?q=nothingmatchesthis&space=general")  # the filters stay
    expect(page).to_have_url(kept)
    screenshot(page, "search-results-03-empty-phone")

    # A misspelt word: the page offers the word the community writes.
    page.get_by_role("searchbox", name="Search the community").fill("compilr")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No results for “compilr”")).to_be_visible()
    screenshot(page, "search-results-04-did-you-mean-phone")
    page.get_by_role("link", name="“compiler”").click()
    expect(page.get_by_role("link", name="Compilers for everyone")).to_be_visible()
