"""`manage.py seed_demo` and the demo data hook: each installed app's demo.py registers a
seeder that runs after community's, without editing community (community/demo.py)."""

import io

import pytest
from django.core.management import call_command
from django.test import modify_settings
from django.utils.module_loading import autodiscover_modules

from community import demo
from community.models import Post, Space, User

pytestmark = pytest.mark.django_db
DEMO_APP = "tests.community.demo_app"


def seed():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo_app():
    with modify_settings(INSTALLED_APPS={"append": DEMO_APP}):
        from tests.community.demo_app import demo as app_demo

        app_demo.calls.clear()
        yield app_demo


def test_an_apps_demo_module_is_discovered_and_its_seeder_runs_after_communitys(demo_app):
    seed()
    assert demo_app.calls == [sorted(key for key, *_ in demo.MEMBERS)]
    assert Space.objects.filter(slug="demo-app-space").exists()
    assert Post.objects.exists()  # community's content came first
    assert demo.seeders()[0] is demo.seed_community
    assert demo.seeders()[-1] is demo_app.seed_demo_app


def test_seeding_twice_changes_nothing_that_exists(demo_app):
    seed()
    counts = (User.objects.count(), Space.objects.count(), Post.objects.count())
    seed()
    assert (User.objects.count(), Space.objects.count(), Post.objects.count()) == counts
    assert len(demo_app.calls) == 2  # every seeder runs each time and must be idempotent


def test_the_seeder_of_an_app_that_is_not_installed_does_not_run(demo_app):
    with modify_settings(INSTALLED_APPS={"remove": DEMO_APP}):
        assert demo_app.seed_demo_app not in demo.seeders()
        seed()
    assert demo_app.calls == []
    assert not Space.objects.filter(slug="demo-app-space").exists()


def test_a_failing_seeder_leaves_no_half_seeded_community(demo_app, monkeypatch):
    def broken(members):
        raise RuntimeError("seeder bug")

    broken.__module__ = demo_app.__name__  # as if the demo app had registered it
    # Every app's seeder registered before the list is swapped: a demo module imported
    # first under the swapped list would register there only, and be missing from the
    # restored one for the rest of the process (seed_demo imports each module once).
    autodiscover_modules("demo")
    monkeypatch.setattr(demo, "_seeders", [*demo._seeders, broken])
    with pytest.raises(RuntimeError, match="seeder bug"):
        seed()
    assert not User.objects.exists()
    assert not Space.objects.exists()
