"""The production cache backend: django-redis with failed calls ignored (config/settings.py,
redis_cache), and one change of our own, which django-redis has no option for.

While Redis is down, django-redis answers a failed `add` with None, "not added". allauth
takes a lock with `add` before each rate-limited POST and reads that as "taken by someone
else", so every sign-in would wait a second and be refused (429) for as long as Redis is
down. Here a failed `add` answers True: locks and rate limits fail open, like every other
use of the cache during an outage (logged by django-redis each time).
"""

from django_redis.cache import RedisCache, omit_exception


class FailOpenRedisCache(RedisCache):
    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)
