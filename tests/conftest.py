import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from community.models import Tier
from config.celery import app as celery_app

from .factories import AdminFactory, ModeratorFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_services(settings, tmp_path):
    """Each test starts with an empty cache (rate limits), its own media folder and
    Celery tasks run in process, whichever backend the suite runs on."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def other_member(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    return ModeratorFactory()


@pytest.fixture
def admin(db):
    """An admin: the role that runs spaces, tiers and grants."""
    return AdminFactory()


@pytest.fixture
def pro(db):
    """A tier that paid spaces can require."""
    return Tier.objects.create(name="Pro", slug="pro")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL; set DATABASE_URL to run it")
    if connection.vendor != "postgresql":
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip_pg)
