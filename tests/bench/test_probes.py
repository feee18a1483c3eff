"""The benchmark probes (bench/probes.py) exist only in benchmark mode (AGORA_BENCHMARK)."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls
from community import services
from tests.factories import AdminFactory


def _reload_urls():
    clear_url_caches()
    importlib.reload(config.urls)


@pytest.fixture
def benchmark_mode():
    with override_settings(AGORA_BENCHMARK=True):
        _reload_urls()
        yield
    _reload_urls()


@pytest.mark.django_db
def test_probes_are_absent_by_default(client):
    assert not any("bench" in str(p.pattern) for p in config.urls.urlpatterns)
    assert client.get("/bench/hello").status_code == 404
    assert client.get("/bench/feed-probe").status_code == 404


@pytest.mark.django_db
def test_hello_answers_in_benchmark_mode(client, benchmark_mode):
    response = client.get("/bench/hello")
    assert response.status_code == 200
    assert response.json() == {"hello": "agora"}


@pytest.mark.django_db
def test_feed_probe_returns_the_members_feed_as_values(client, member, benchmark_mode):
    admin = AdminFactory()
    space = services.create_space(admin, name="General", visibility="members")
    post = services.create_post(admin, space=space, body="Hello, probe")
    client.force_login(member)
    response = client.get("/bench/feed-probe")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [post.pk]
    assert rows[0]["space__slug"] == post.space.slug
    assert rows[0]["liked"] is False


@pytest.mark.django_db
def test_the_flag_off_again_removes_them(client, benchmark_mode):
    with override_settings(AGORA_BENCHMARK=False):
        _reload_urls()
        assert client.get("/bench/hello").status_code == 404
