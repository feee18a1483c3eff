import pytest
from django.conf import settings
from django.core.cache import caches

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_all_services_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_a_cache_that_is_down_is_reported_not_replaced(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    caches._settings = None  # the cache handler re-reads CACHES
    try:
        response = client.get("/healthz")
    finally:
        caches._settings = None
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["cache"]["ok"] is False
    assert "Connection" in body["checks"]["cache"]["error"]  # the kind, never the host
    assert "127.0.0.1" not in body["checks"]["cache"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_a_channel_layer_that_is_down_is_reported(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CLOSED_PORT_REDIS]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["ok"] is False


@pytest.fixture
def celery_conf():
    """Celery's conf is not Django settings: restore what a test changes."""
    saved = {
        "task_always_eager": celery_app.conf.task_always_eager,
        "broker_url": celery_app.conf.broker_url,
    }
    yield celery_app.conf
    celery_app.conf.update(saved)


def test_a_broker_that_is_down_is_reported(client, celery_conf):
    celery_conf.update(task_always_eager=False, broker_url=CLOSED_PORT_REDIS)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the PostgreSQL+Redis pass)")
def test_the_real_redis_broker_is_checked(client, celery_conf):
    celery_conf.update(task_always_eager=False)
    response = client.get("/healthz")
    assert response.json()["checks"]["broker"] == {"ok": True, "backend": "redis"}


def test_the_broker_check_reaches_the_projects_celery_app_from_any_thread():
    """health.py reaches the app as celery.current_app (community never imports config):
    it must be config's app in the server's worker threads too, not Celery's fallback."""
    from concurrent.futures import ThreadPoolExecutor

    from community import health

    with ThreadPoolExecutor(1) as pool:
        in_thread = pool.submit(lambda: health.celery_app._get_current_object()).result()
    assert in_thread is celery_app
