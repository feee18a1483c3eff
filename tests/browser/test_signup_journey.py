"""A newcomer joins, verifies their address, fills in their profile; another member sees it."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from community.models import User
from tests.factories import PASSWORD, UserFactory

from .conftest import PHONE

pytestmark = pytest.mark.browser

EMAIL = "ada@example.com"
NAME = "Ada Lovelace"
SECRET = "analytical engine 1843"


def _avatar_png(tmp_path):
    path = tmp_path / "avatar.png"
    Image.new("RGB", (64, 64), (79, 70, 229)).save(path, format="PNG")
    return path


def _verification_link(printed):
    """The link as the embedded default prints the mail: whole, on one line."""
    assert printed.count("Subject:") == 1, printed
    assert f"To: {EMAIL}" in printed
    # Quoted-printable would cut the link with soft line breaks ("=" at a line's end).
    assert "quoted-printable" not in printed.lower(), "the mail is quoted-printable"
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", printed)
    assert match, printed
    return match.group(0)


def _phone_shot(page, screenshot, name, desktop):
    page.set_viewport_size(PHONE)
    screenshot(page, name)
    page.set_viewport_size(desktop)


@pytest.fixture
def console_mail(settings, capsys):
    """Mail goes to the embedded default's console backend; returns what it printed."""
    settings.MAILERS = {"default": {"BACKEND": "community.mail.ConsoleBackend"}}
    return lambda: capsys.readouterr().out


def test_newcomer_signs_up_verifies_and_fills_in_profile(
    live_server,
    media_served,
    page,
    browser,
    browser_context_args,
    console,
    console_mail,
    screenshot,
    tmp_path,
):
    desktop = page.viewport_size
    console.attach(page)

    # The home page invites them to join.
    page.goto(live_server.url)
    screenshot(page, "01-home")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Join").click()

    # The sign-up form.
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    # In sentence case, as every page of the site.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    screenshot(page, "02-signup")
    _phone_shot(page, screenshot, "02-signup-phone", desktop)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Display name").fill(NAME)
    page.get_by_label("Password", exact=True).fill(SECRET)
    page.get_by_label("Password (again)").fill(SECRET)
    screenshot(page, "03-signup-filled")
    page.get_by_role("button", name="Sign up", exact=True).click()

    # The site says it sent a verification email.
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("main")).to_contain_text("sent")
    screenshot(page, "04-verification-sent")
    member = User.objects.get(email=EMAIL)
    assert member.display_name == NAME

    # They open the link in the mail as the console printed it, and confirm.
    page.goto(_verification_link(console_mail()))
    screenshot(page, "05-confirm-email")
    page.get_by_role("button", name="Confirm").click()

    # Now signed in.
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    screenshot(page, "06-signed-in-home")

    # Header name link -> own profile -> Edit profile.
    account_nav.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(r"/profile/$"))
    screenshot(page, "07-own-profile-empty")
    page.get_by_role("link", name="Edit profile").click()
    expect(page).to_have_url(re.compile(r"/profile/edit/$"))
    page.get_by_label("Bio").fill("Hello **world**\n\nI write programs for engines.")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Avatar").set_input_files(_avatar_png(tmp_path))
    screenshot(page, "08-edit-profile-filled")
    page.get_by_role("button", name="Save profile").click()

    # The own profile shows the rendered Markdown and the picture.
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.locator(".prose strong")).to_have_text("world")
    expect(page.locator(".prose")).not_to_contain_text("**")
    expect(page.get_by_text("Your time zone: Europe/London")).to_be_visible()
    avatar = page.locator(".profile__header img.avatar")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.complete && img.naturalWidth > 0"), "avatar did not load"
    screenshot(page, "09-own-profile")
    _phone_shot(page, screenshot, "09-own-profile-phone", desktop)
    member.refresh_from_db()
    assert member.time_zone == "Europe/London"
    assert member.avatar

    # Another member, in a browser of their own, signs in and opens the profile.
    other = UserFactory(display_name="Charles Babbage")
    other_context = browser.new_context(**browser_context_args)
    try:
        other_page = console.attach(other_context.new_page())
        other_page.goto(f"{live_server.url}/accounts/login/")
        expect(other_page.get_by_role("heading", level=1)).to_have_text("Sign in")
        # "Remember me" sits beside its checkbox, on the same line.
        remember = other_page.get_by_label("Remember me", exact=True)
        label = other_page.locator("label", has_text="Remember me")
        box, text = remember.bounding_box(), label.bounding_box()
        assert box["y"] < text["y"] + text["height"] and text["y"] < box["y"] + box["height"]
        assert box["x"] >= text["x"]  # inside the label, before its text
        other_page.get_by_label("Email").fill(other.email)
        other_page.get_by_label("Password", exact=True).fill(PASSWORD)
        other_page.get_by_role("button", name="Sign in", exact=True).click()
        expect(other_page.get_by_role("heading", level=1)).to_contain_text("Charles Babbage")

        other_page.goto(f"{live_server.url}/members/{member.pk}/")
        expect(other_page.get_by_role("heading", level=1)).to_have_text(NAME)
        expect(other_page.locator(".prose strong")).to_have_text("world")
        expect(other_page.get_by_role("link", name="Edit profile")).to_have_count(0)
        screenshot(other_page, "10-profile-seen-by-other-member")
    finally:
        other_context.close()

    console.assert_clean()

    # A page that does not exist is the site's own, on a phone too, with a way back. (The
    # browser logs the 404 itself as a console error: only CSP is checked from here on.)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator(".site-header .brand")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "11-not-found-phone")
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    page.set_viewport_size(desktop)
    assert console.csp_violations() == []
