"""Settings in both modes, read in a fresh interpreter so the environment decides."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x9!kq2-production-like-secret-with-enough-entropy-0f3a8b7c6d5e4f3a2b1c",
    "ALLOWED_HOSTS": "community.example.com",
    "DATABASE_URL": "postgres://agora:pw@db.example.com:5432/agora",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "agora-media",
    "EMAIL_HOST": "smtp.example.com",
}
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
from config.celery import app
print(json.dumps({
    "debug": settings.DEBUG,
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "mail": settings.MAILERS["default"]["BACKEND"],
    "hasher": settings.PASSWORD_HASHERS[0],
}))
"""


def run_python(code_or_args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV | {"AGORA_TESTING": ""}}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_no_variables_means_the_embedded_default():
    result = run_python(PRINT_SETTINGS, {})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "debug": False,  # off unless asked for (`make run` asks, for 127.0.0.1)
        "db": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "channels": "channels.layers.InMemoryChannelLayer",
        "eager": True,
        "broker": "memory://",
        "storage": "django.core.files.storage.FileSystemStorage",
        "mail": "community.mail.ConsoleBackend",  # Django's console backend, links whole
        "hasher": "django.contrib.auth.hashers.Argon2PasswordHasher",
    }


def test_production_variables_switch_every_service():
    result = run_python(PRINT_SETTINGS, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["db"] == "config.postgresql"  # Django's, with a stack for a pool (its base.py)
    assert values["cache"] == "config.cache.FailOpenRedisCache"
    assert values["channels"] == "channels_redis.core.RedisChannelLayer"
    assert values["eager"] is False
    assert values["broker"] == PRODUCTION_ENV["REDIS_URL"]
    assert values["storage"] == "storages.backends.s3.S3Storage"
    assert values["mail"] == "community.mail.SMTPBackend"  # Django's SMTP backend, links whole


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


PRINT_LOCAL = """
import json, django
from django.conf import settings
django.setup()
# The names the env gives: the last entry is the admins' custom domain, a lazy string read
# from the database on use (community/branding.py), none in a fresh install.
print(json.dumps({"debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS[:-1],
                  "key": settings.SECRET_KEY, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
                  "secure_cookie": settings.SESSION_COOKIE_SECURE}))
"""


def test_with_no_variables_debug_is_off_and_the_site_answers_only_loopback_names():
    runs = [run_python(PRINT_LOCAL, {}) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[0].stderr
    first, second = (json.loads(run.stdout) for run in runs)
    assert first["debug"] is False
    assert first["hosts"] == ["127.0.0.1", "localhost", "[::1]"]
    # A random key kept in var/ (the same on the next start), never the public debug key.
    assert first["key"] == second["key"] == (ROOT / "var" / "secret_key").read_text().strip()
    assert "development" not in first["key"] and len(first["key"]) >= 50
    # Plain HTTP on this machine: no redirect to HTTPS, cookies usable over http://.
    assert first["ssl_redirect"] is False and first["secure_cookie"] is False


def test_debug_only_when_asked_for():
    result = run_python(PRINT_LOCAL, {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is True
    # Reached under a public name with DEBUG off, it needs a real key.
    result = run_python(PRINT_LOCAL, {"ALLOWED_HOSTS": "community.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


FETCH_MISSING_PAGE = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
for host in ("127.0.0.1", "evil.example.com"):
    response = client.get("/no-such-page/", headers={"host": host})
    debug_page = b"Using the URLconf" in response.content or b"DisallowedHost" in response.content
    print(response.status_code, debug_page)
"""


def test_an_install_with_no_variables_never_shows_the_debug_page(tmp_path):
    result = run_python(FETCH_MISSING_PAGE, {"SQLITE_PATH": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["404", "False", "400", "False"]
    # The same request with DEBUG asked for does show it (so the check above means something).
    result = run_python(
        FETCH_MISSING_PAGE, {"DEBUG": "1", "SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    )
    assert result.stdout.split() == ["404", "True", "400", "True"]


@pytest.mark.skipif(not shutil.which("make"), reason="needs make")
def test_make_run_turns_debug_on_only_for_127_0_0_1():
    def announced(*args):
        env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
        result = subprocess.run(
            [shutil.which("make"), "-n", "run", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        return next(line for line in result.stdout.splitlines() if "Agora is at" in line)

    assert "(DEBUG=1)" in announced()
    assert "(DEBUG=0)" in announced("HOST=0.0.0.0")


def test_deploy_check_passes_with_production_variables():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_DATABASE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"conn_max_age": db["CONN_MAX_AGE"], "health": db["CONN_HEALTH_CHECKS"],
                  "pool": db.get("OPTIONS", {}).get("pool")}))
"""


def test_a_database_url_of_another_engine_is_refused_clearly():
    for url in ("sqlite:////tmp/agora.sqlite3", "mysql://agora:pw@db.example.com/agora"):
        result = run_python(PRINT_SETTINGS, {**PRODUCTION_ENV, "DATABASE_URL": url})
        assert result.returncode != 0
        assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
        assert "SQLITE_PATH" in result.stderr


def test_a_connection_per_request_unless_a_pool_is_asked_for():
    result = run_python(PRINT_DATABASE, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"conn_max_age": 0, "health": True, "pool": None}

    result = run_python(PRINT_DATABASE, {**PRODUCTION_ENV, "DB_POOL_MAX_SIZE": "8"})
    assert result.returncode == 0, result.stderr
    # Django refuses persistent connections beside a pool: the pool keeps them instead.
    assert json.loads(result.stdout) == {
        "conn_max_age": 0,
        "health": False,
        "pool": {"min_size": 2, "max_size": 8, "timeout": 10.0},
    }


def test_the_channel_layer_is_chosen_by_name_and_a_typo_is_refused():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.CHANNEL_LAYERS['default']['BACKEND'])"
    )
    result = run_python(code, {**PRODUCTION_ENV, "CHANNEL_LAYER": "redis-pubsub"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "channels_redis.pubsub.RedisPubSubChannelLayer"

    result = run_python(code, {**PRODUCTION_ENV, "CHANNEL_LAYER": "rabbit"})
    assert result.returncode != 0
    assert "CHANNEL_LAYER must be one of redis, redis-pubsub" in result.stderr


def test_benchmark_mode_installs_the_bench_app_and_nothing_else_does():
    code = (
        "import django; from django.apps import apps; django.setup(); "
        "from django.core.management import get_commands; from django.urls import reverse; "
        "from django.urls.exceptions import NoReverseMatch\n"
        "try: probe = reverse('bench-hello')\n"
        "except NoReverseMatch: probe = None\n"
        "print(apps.is_installed('bench'), 'seed_bench' in get_commands(), probe)"
    )
    result = run_python(code, {"AGORA_BENCHMARK": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "None"]

    result = run_python(code, {"AGORA_BENCHMARK": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "/bench/hello"]


def test_environment_values_are_stripped(monkeypatch):
    from config.env import env, env_bool, env_int, env_list

    monkeypatch.setenv("AGORA_T_FLAG", " Yes ")
    monkeypatch.setenv("AGORA_T_EMPTY", "  ")
    monkeypatch.setenv("AGORA_T_LIST", "a, b,,")
    monkeypatch.setenv("AGORA_T_INT", " 42 ")
    assert env_bool("AGORA_T_FLAG") is True
    assert env_bool("AGORA_T_EMPTY", default=True) is True
    assert env("AGORA_T_EMPTY", "fallback") == ""
    assert env_list("AGORA_T_LIST") == ["a", "b"]
    assert env_int("AGORA_T_INT", 0) == 42
    assert env_int("AGORA_T_MISSING", 7) == 7
