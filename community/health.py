"""/healthz: each backing service, checked for real. A service that is configured but down
is reported as failing (HTTP 503); nothing falls back to an embedded replacement.

The broker is the project's Celery app reached through `celery.current_app` (config/celery.py
makes it the default in every thread), so that community never imports config."""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from celery import current_app as celery_app
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django_redis import get_redis_connection

TIMEOUT_SECONDS = 3
logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _raw_redis():
    """The cache's own Redis client, or None if the cache is not django-redis."""
    try:
        return get_redis_connection("default")
    except NotImplementedError:
        return None


def check_cache():
    # django-redis is set to ignore connection errors (config/settings.py, redis_cache): a
    # failed write is dropped and a failed read is a miss, so the round trip below could
    # only say "not read back". Pinging its Redis first reports the outage as what it is.
    redis = _raw_redis()
    if redis is not None:
        redis.ping()
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


async def _channel_round_trip():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("message sent was not received back")
    return type(layer).__name__


def check_channel_layer():
    async def bounded():
        return await asyncio.wait_for(_channel_round_trip(), TIMEOUT_SECONDS)

    return async_to_sync(bounded)()


def check_broker():
    if celery_app.conf.task_always_eager:
        return "eager (tasks run in process)"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0.2, timeout=TIMEOUT_SECONDS
        )
        return conn.transport_cls


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


def run_checks():
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, "backend": str(check())}
        except Exception as exc:
            # Details name hosts and ports: only for DEBUG; the logs have them always.
            logger.warning("Health check %s failed: %s", name, exc)
            detail = f": {exc}" if settings.DEBUG else ""
            results[name] = {"ok": False, "error": f"{type(exc).__name__}{detail}"[:300]}
    return results


@never_cache
def healthz(request):
    results = run_checks()
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": results},
        status=200 if healthy else 503,
    )
