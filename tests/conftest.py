"""The test kit every app's tests share; tests/README.md says how a new app uses it.

Personas (each a saved member, except `anonymous`): anonymous, member, other_member,
paid_member (holds the `pro` tier through an active grant), moderator, admin,
banned_member. Also: pro (the tier), space (a members' space "General" where all may
post), api_client, member_client (the Django client signed in as `member`), live_events
and domain_signals (what a test's writes announced; see their docstrings).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from community import branding, live
from community.search import postgres as search_postgres
from config.celery import app as celery_app

from .factories import (
    AccessGrantFactory,
    AdminFactory,
    ModeratorFactory,
    SpaceFactory,
    TierFactory,
    UserFactory,
)
from .helpers import DomainSignals, LiveEvents, domain_signal_modules, domain_signals_of


@pytest.fixture(autouse=True)
def _isolated_services(settings, tmp_path):
    """Each test starts with an empty cache (rate limits), its own media folder and
    Celery tasks run in process, whichever backend the suite runs on."""
    cache.clear()
    # A test's database starts with no Branding row: the cache says so, as it does on a
    # running site after the first page, so query counts measure pages as they run (the
    # first read after the cache is emptied costs one query: community/branding.py).
    branding.remember_no_branding()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _search_tables_count_as_small(monkeypatch):
    """Search walks a table's newest ids first only once its newest id passes a window; a
    test's tables are small, but on PostgreSQL their ids are not (sequences keep counting
    across a worker's rolled-back tests), so the way chosen, and the query count, would
    depend on the tests run before. Every test table counts as small here; the tests of
    the walk (test_search_index.py) set the window themselves."""
    monkeypatch.setattr(search_postgres, "WINDOW_PER_CANDIDATE", 10**9)


# --- Personas -------------------------------------------------------------------------------


@pytest.fixture
def anonymous():
    """A visitor who has not signed in, as `request.user` is for them."""
    return AnonymousUser()


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def paid_member(db, pro):
    """A member holding the `pro` tier through an active manual grant with no end."""
    holder = UserFactory()
    AccessGrantFactory(user=holder, tier=pro)
    return holder


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def admin(db):
    """An admin: the role that runs spaces, tiers and grants."""
    return AdminFactory()


@pytest.fixture
def banned_member(db):
    """A member banned with no end (a row as services.ban_member leaves it)."""
    return UserFactory(banned=True)


# --- Common scenery -------------------------------------------------------------------------


@pytest.fixture
def pro(db):
    """A tier that paid spaces can require."""
    return TierFactory(name="Pro", slug="pro")


@pytest.fixture
def space(db):
    """A members' space, "General" (slug `general`), where every member may post."""
    return SpaceFactory(name="General", slug="general")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


# --- What a write announced -----------------------------------------------------------------
#
# Services broadcast live events and send domain signals after commit. Under the `db`
# fixture a test runs inside a transaction that never commits, so wrap the write:
#
#     with django_capture_on_commit_callbacks(execute=True):
#         services.create_comment(member, post=post, body="Hi")
#     assert live_events.of_type("comment.created") == [...]
#
# (a `transactional_db` test commits for real and needs no wrapping), or use `committed`.


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a write and what follows its commit (signals, their tasks, what those write)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


@pytest.fixture
def live_events(monkeypatch):
    """Records every live event sent (live.broadcast_rollback_unsafe, which publish_on_commit
    calls after commit) as (topic, type, data), then lets the real one send it: see
    helpers.LiveEvents for of_type(), to(), topics()."""
    events = LiveEvents()
    real_broadcast = live.broadcast_rollback_unsafe

    def recording_broadcast(topic, event_type, **data):
        events.record(topic, event_type, data)
        return real_broadcast(topic, event_type, **data)

    monkeypatch.setattr(live, "broadcast_rollback_unsafe", recording_broadcast)
    return events


@pytest.fixture
def domain_signals():
    """Records every domain signal (each Signal in community/signals.py and in the other
    project apps' signals.py) as (name, kwargs): see helpers.DomainSignals for of() and
    names(). Receivers the apps connected still run."""
    by_name = {}
    for module in domain_signal_modules():
        by_name.update(domain_signals_of(module))
    sent = DomainSignals(by_name)
    sent.connect()
    yield sent
    sent.disconnect()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL; set DATABASE_URL to run it")
    if connection.vendor != "postgresql":
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip_pg)
