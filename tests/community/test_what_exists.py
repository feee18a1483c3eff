"""The README and the home page describe what exists, and say what is coming only as such."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR, "README.md").read_text()
# The apps of the product's areas that the README's "What is coming" section names.
AREA_APPS = ("courses", "events", "payments", "gamification", "messaging")
# Words on a page that claim an area, and the page that area would have.
AREA_CLAIMS = {
    "courses": r"\bcourses?\b",
    "events": r"\bevents?\b",
    "payments": r"\b(pricing|paid membership|subscribe)",
    "gamification": r"\b(leaderboard|points|levels?)\b",
    "messaging": r"\b(direct messages|inbox|notifications)\b",
}
AREA_PAGES = {
    "courses": "courses:catalog",
    "events": "events:list",
    "payments": "payments:pricing",
    "gamification": "gamification:leaderboard",
    "messaging": "messaging:notifications",
}


def has_pages(app_label):
    path = Path(apps.get_app_config(app_label).path)
    return (path / "urls.py").exists() or (path / "urls").is_dir()


def section(title):
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def page_offers(app_label):
    try:
        reverse(AREA_PAGES[app_label])
    except NoReverseMatch:
        return False
    return True


def test_the_readme_lists_as_coming_exactly_the_areas_without_pages():
    coming = set(re.findall(r"`(\w+)/`", section("What is coming")))
    without_pages = {app for app in AREA_APPS if not has_pages(app)}
    assert coming == without_pages, "update README's 'What is coming' when an app lands"


def test_the_readme_says_what_exists_without_naming_coming_areas():
    today = section("What members can do today").lower()
    for app in AREA_APPS:
        if not has_pages(app):
            assert not re.search(AREA_CLAIMS[app], today), app


def test_the_home_page_names_only_areas_that_exist(client):
    html = client.get(reverse("community:feed")).content.decode()
    words = re.sub(r"<[^>]+>", " ", html).lower()
    claimed = {app for app, claim in AREA_CLAIMS.items() if re.search(claim, words)}
    assert {app for app in claimed if not page_offers(app)} == set()
