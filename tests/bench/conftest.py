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
