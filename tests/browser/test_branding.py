"""An admin brands the community: the picker drives the colour field and the preview, and
the saved name, colour and logo show in the header, with no CSP violation."""

import io
import re

import pytest
from playwright.sync_api import expect

from community import branding
from tests.factories import AdminFactory

from .conftest import PHONE, sign_in

pytestmark = pytest.mark.browser


def logo_file(tmp_path):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 72), (29, 78, 216))
    ImageDraw.Draw(image).rectangle((16, 16, 56, 56), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / "acme-logo.png"
    path.write_bytes(buffer.getvalue())
    return path


def test_an_admin_picks_a_colour_uploads_a_logo_and_every_page_shows_them(
    live_server, context, console, screenshot, media_served, tmp_path
):
    admin = AdminFactory(display_name="Grace Hopper")
    tab = console.attach(context.new_page())
    desktop = tab.viewport_size
    sign_in(tab, live_server.url, admin)

    tab.get_by_role("link", name="Branding").click()
    expect(tab).to_have_url(re.compile(r"/manage/branding/$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text("Branding")

    # Typing a colour moves the picker and recolours the preview before saving.
    tab.get_by_label("Community name").fill("Acme Makers")
    tab.get_by_label("Primary colour", exact=True).fill("#0F766E")
    expect(tab.get_by_label("Pick the primary colour")).to_have_value("#0f766e")
    preview_primary = tab.locator("[data-brand-preview]").evaluate(
        "node => getComputedStyle(node).getPropertyValue('--primary').trim()"
    )
    assert preview_primary == "#0f766e"
    tab.get_by_label("Logo").set_input_files(str(logo_file(tmp_path)))
    tab.get_by_role("button", name="Save branding").click()

    expect(tab.locator(".messages")).to_contain_text("The branding is saved")
    logo = tab.locator(".site-header img.brand__logo")
    expect(logo).to_have_attribute("alt", "Acme Makers")
    # The stored logo is served and decoded. Not wait_for_function: its polling evaluates a
    # string, which the page's CSP (no 'unsafe-eval') refuses whenever the first check fails.
    assert logo.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    assert tab.title().endswith("· Acme Makers")
    primary = tab.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()"
    )
    assert primary == "#0f766e" == branding.current().primary_color
    screenshot(tab, "branding-01-saved")
    tab.set_viewport_size(PHONE)
    screenshot(tab, "branding-01-saved-phone")
    tab.set_viewport_size(desktop)

    console.assert_clean()

    # A colour too light for white text is refused on its field (a 400, as forms shown again
    # with errors are: the browser logs that status, nothing else).
    tab.get_by_label("Primary colour", exact=True).fill("#facc15")
    tab.get_by_role("button", name="Save branding").click()
    expect(tab.locator("#id_primary_color_error")).to_contain_text("Try a darker shade")
    screenshot(tab, "branding-02-refused")
    assert console.csp_violations() == []
