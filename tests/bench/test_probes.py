"""The benchmark probes (bench/probes.py) exist only in benchmark mode (AGORA_BENCHMARK=1),
which installs the bench app; config/urls.py mounts them when it is installed."""

import pytest
from django.apps import apps
from django.test import modify_settings
from django.urls import NoReverseMatch, reverse

from community import services
from tests.factories import AdminFactory

from .conftest import reload_urls


@pytest.mark.django_db
def test_probes_are_absent_by_default(client):
    assert not apps.is_installed("bench")
    with pytest.raises(NoReverseMatch):
        reverse("bench-hello")
    assert client.get("/bench/hello").status_code == 404
    assert client.get("/bench/feed-probe").status_code == 404


@pytest.mark.django_db
def test_hello_answers_in_benchmark_mode(client, bench_app):
    assert reverse("bench-hello") == "/bench/hello"
    response = client.get("/bench/hello")
    assert response.status_code == 200
    assert response.json() == {"hello": "agora"}


@pytest.mark.django_db
def test_ready_answers_through_the_database(client, bench_app, django_assert_num_queries):
    # The runner's drain check: it must wait for a database connection like a scenario does.
    with django_assert_num_queries(1):
        response = client.get("/bench/ready")
    assert response.status_code == 200
    assert response.json() == {"ready": True}


@pytest.mark.django_db
def test_feed_probe_returns_the_members_feed_as_values(client, member, bench_app):
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
def test_the_app_removed_again_removes_them(client, bench_app):
    with modify_settings(INSTALLED_APPS={"remove": "bench"}):
        reload_urls()
        assert client.get("/bench/hello").status_code == 404
