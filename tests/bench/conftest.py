import importlib

import pytest
from django.test import modify_settings
from django.urls import clear_url_caches

import config.urls


def reload_urls():
    clear_url_caches()
    importlib.reload(config.urls)


@pytest.fixture
def bench_app():
    """Benchmark mode as AGORA_BENCHMARK=1 gives it: the bench app installed (its management
    commands) and its probe URLs mounted."""
    with modify_settings(INSTALLED_APPS={"append": "bench"}):
        reload_urls()
        yield
    reload_urls()


@pytest.fixture
def default_ladder(request):
    """The default point rules and levels, which every page's header reads (a transactional
    test's flush empties them); nothing for a test without the database."""
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        from tests.factories import default_rules_and_levels

        default_rules_and_levels()


def seed_tiny():
    """Loads the tiny scale (or adds what it lacks); returns what seed_bench printed."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_bench", scale="tiny", no_progress=True, stdout=out)
    return out.getvalue()
