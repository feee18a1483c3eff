"""A cache that is down costs time, never a page (issue 12, item 6).

Each test points the cache at a Redis that is not there (nothing listens on port 1), built
by the same function as the production entry (config/settings.py, redis_cache): django-redis
with IGNORE_EXCEPTIONS, so a failed read is a miss and a failed write is dropped, each logged.
No Redis server is needed, so these run on both passes.

That a cold cache renders and fills, then hits, on the real Redis of the PostgreSQL+Redis pass
is tests/community/test_cards.py (test_a_cold_cache_renders_and_fills,
test_a_card_is_rendered_once_and_reused_for_every_viewer): the suite runs them on whatever
cache the settings build, which on that pass is this backend on the real Redis.
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from config.settings import redis_cache
from tests.factories import PASSWORD, ApiTokenFactory, CommentFactory, PostFactory

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a call fails at once


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {"default": redis_cache(DEAD_REDIS)}


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_signing_in_works_while_the_cache_is_down(dead_cache, client, member, space):
    next_page = f"/spaces/{space.slug}/"
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD, "next": next_page},
    )
    assert response.status_code == 302
    assert response["Location"] == next_page
    assert client.get(next_page).status_code == 200


def test_pages_answer_while_the_cache_is_down_and_each_failure_is_logged(
    dead_cache, member, space, caplog
):
    post = PostFactory(space=space)
    CommentFactory(post=post)
    client = _signed_in(member)
    with caplog.at_level(logging.ERROR, logger="django_redis"):
        for url in (
            "/",
            f"/spaces/{space.slug}/",
            f"/posts/{post.pk}/",
            f"/members/{post.author_id}/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'id="post-{post.pk}"' in response.content.decode(), url
    ignored = [r for r in caplog.records if r.name.startswith("django_redis")]
    assert ignored and all(r.exc_info for r in ignored)  # with the traceback


def test_the_api_answers_while_the_cache_is_down(dead_cache, member, space):
    """DRF's throttles read and write the cache on every request: they fail open."""
    post = PostFactory(space=space)
    _token, raw_key = ApiTokenFactory.with_key(user=member)
    by_token = Client(headers={"authorization": f"Bearer {raw_key}"})
    for client in (by_token, _signed_in(member)):
        response = client.get("/api/v1/posts/")
        assert response.status_code == 200
        assert post.pk in [item["id"] for item in response.json()["results"]]


def test_healthz_names_the_cache_that_is_down(dead_cache, client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["database"]["ok"] is True
