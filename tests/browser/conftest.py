"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Never run `playwright install`; the browser is the system one at CHROMIUM. Without it,
every test in this package is skipped with the reason.
"""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).resolve().parent
NO_CHROMIUM = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"


def sign_in(page, base, member):
    """Signs `member` in through the sign-in page (their factory password) and waits until
    the header names them."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(member.display_name)


def _in_package(item):
    return HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    """Mark every test in this package `browser` and skip them all when Chromium is missing.

    They also run last: Playwright's event loop stays running in the main thread until the
    session ends, and every test after the first browser test needs async safety off.
    """
    browser_items = [item for item in items if _in_package(item)]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))
    items[:] = [item for item in items if not _in_package(item)] + browser_items


@pytest.fixture(scope="session", autouse=True)
def _allow_async_unsafe():
    """Playwright's sync API runs an event loop in the main thread (from the first browser
    test to the end of the session); Django would otherwise refuse database access from the
    test body ("You cannot call this from an async context").

    Set only while browser tests run, not when this module is imported: the variable is
    inherited by subprocesses, and `check --deploy` rightly fails on it (async.E001).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": DESKTOP}


@pytest.fixture
def media_served(settings):
    """Serve uploaded files from the live server, as `config.urls` does only under DEBUG."""
    settings.ROOT_URLCONF = "tests.browser.urls"


@pytest.fixture
def screenshot(pytestconfig):
    """screenshot(page, name) saves test-results/browser/<name>.png for a person to look at."""
    folder = pytestconfig.rootpath / "test-results" / "browser"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name, *, full_page=True):
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


class ConsoleWatch:
    """Collects a page's console errors and uncaught exceptions."""

    # The live server speaks WSGI only, so live.js's WebSocket to /ws/ cannot connect
    # (sockets need a daphne live server); that failure says nothing about the page.
    EXPECTED = ("WebSocket connection to",)

    def __init__(self):
        self.errors = []

    def attach(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        return page

    def _on_console(self, message):
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def csp_violations(self):
        return [e for e in self.errors if "Content Security Policy" in e or "Refused" in e]

    def unexpected(self):
        return [e for e in self.errors if not any(text in e for text in self.EXPECTED)]

    def assert_clean(self):
        assert self.csp_violations() == [], "blocked by Content-Security-Policy"
        assert self.unexpected() == [], "console errors"


@pytest.fixture
def console():
    return ConsoleWatch()


@pytest.fixture
def daphne_server(transactional_db):
    """The ASGI app (HTTP and WebSocket) served by daphne in a child process, for pages
    whose live updates must really arrive. The child reads the same test database, so it
    must be a server or a file, not SQLite's in-memory one. It has the settings that
    live_server.SHARED_SETTINGS names; other overrides and monkeypatches stay here."""
    from django.db import connection

    from .live_server import SpawnedDaphneProcess, application_factory

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("a daphne live server needs a database another process can open")
    # Spawned, not forked (live_server.py says why).
    process = SpawnedDaphneProcess("localhost", application_factory())
    process.start()
    deadline = time.monotonic() + 30
    while not process.ready.wait(timeout=1):  # a child that died fails the test at once
        if not process.is_alive() or time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError("daphne did not start (its error is in the captured stderr)")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join()
