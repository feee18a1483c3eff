"""Agora's one settings module.

With no environment variables the app runs on the embedded default (SQLite, in-memory
channel layer, eager Celery, local-memory cache, console email, files under media/).
Production is switched on by variables; a variable that is set is used and never silently
replaced by its embedded counterpart.
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.functional import lazy

from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless asked for: `make run` sets DEBUG=1 for its server on 127.0.0.1. An install that
# sets nothing never shows Django's debug page to whoever reaches it.
DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("AGORA_TESTING")
# Benchmark mode (bench/run.py sets it): installs the bench app, that is its management
# commands (seed_bench, bench_check, bench_token) and the probes /bench/hello and
# /bench/feed-probe. Never set it in production.
AGORA_BENCHMARK = env_bool("AGORA_BENCHMARK")

# Without ALLOWED_HOSTS the site answers only this machine's own names: a local install
# (plain HTTP, a generated secret key, no HTTPS policy). Production sets ALLOWED_HOSTS.
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
LOCAL_ONLY = not env("ALLOWED_HOSTS")


def _custom_domain():
    from community.branding import domain_for_host_check

    return domain_for_host_check()


# The last entry is the custom domain admins may set on /manage/branding/: a lazy string,
# evaluated (from the cache) each time Django compares a request's Host with it, so a new
# domain is accepted without a restart; "" (none set) matches no host. community.branding
# explains it; community.middleware.CsrfViewMiddleware trusts https://<that domain> too.
ALLOWED_HOSTS = [*env_list("ALLOWED_HOSTS", ",".join(LOOPBACK_HOSTS)), lazy(_custom_domain, str)()]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


def _local_secret_key(path):
    """A random key kept in var/ for a local install, made on first use; one per process
    if var/ cannot be written (sessions then end when it restarts)."""
    import secrets

    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x") as file:  # two processes starting at once: the first one wins
            file.write(key)
    except FileExistsError:
        return path.read_text().strip()
    except OSError:
        return key
    return key


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "agora-development-only-key-never-used-with-debug-off"  # noqa: S105
    elif LOCAL_ONLY:
        SECRET_KEY = _local_secret_key(BASE_DIR / "var" / "secret_key")
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off and ALLOWED_HOSTS names the site."
        )

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "community",
    "courses",
    "events",
    "payments",
    "gamification",
    "messaging",
]
if AGORA_BENCHMARK:
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "community.middleware.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "community.middleware.CsrfViewMiddleware",  # Django's, trusting the custom domain too
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "community.middleware.BannedMemberMiddleware",
    "community.middleware.MemberTimezoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.context_processors.site",
                "gamification.context_processors.score",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # DB_POOL_MAX_SIZE > 0: each server process keeps a psycopg pool of up to that many
    # connections, and a request takes one and gives it back when it ends. Without it
    # (0), a request opens its own connection: daphne runs each request in a thread of its
    # own, so persistent connections (DB_CONN_MAX_AGE) would pile up instead of being reused.
    # bench/README.md has the numbers that chose between them.
    DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0)
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=0 if DB_POOL_MAX_SIZE else env_int("DB_CONN_MAX_AGE", 0),
            conn_health_checks=not DB_POOL_MAX_SIZE,
        )
    }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        # What follows (options, the pool, search's SQL) is PostgreSQL's: another engine
        # would fail later, on its first connection, with a TypeError naming none of this.
        raise ImproperlyConfigured(
            "DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/name)."
            " Leave it unset for the embedded SQLite database (SQLITE_PATH names its file)."
        )
    # Django's, with a pool that lends its newest idle connection first (the module says why).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # Server settings sent when connecting, after any the URL gives (?options=…). By default
    # no JIT compilation: it is for long analytical queries, and it compiled a web page's
    # short ones whose row estimates are high (search's prefixes: a fixed guess) for 10 to
    # 60 ms each, longer than they then ran. A pooler that refuses startup parameters
    # (PgBouncer's default) wants DB_OPTIONS="" and `ALTER DATABASE … SET jit = off`.
    DB_OPTIONS = env("DB_OPTIONS", "-c jit=off")
    if DB_OPTIONS:
        db_options = DATABASES["default"].setdefault("OPTIONS", {})
        db_options["options"] = f"{db_options.get('options', '')} {DB_OPTIONS}".strip()
    if DB_POOL_MAX_SIZE:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            # A request waits this long for a free connection, then fails loudly.
            "timeout": float(env("DB_POOL_TIMEOUT", "10")),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / env("SQLITE_PATH", "db.sqlite3"),
            # WAL and a busy timeout let daphne, the beat process and shells share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery -----------------------------------------------
REDIS_URL = env("REDIS_URL")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "agora")


def redis_cache(url, key_prefix=CACHE_KEY_PREFIX, timeout=3):
    """The cache entry for a Redis at `url` (tests build one for a dead Redis with it).

    A cache outage degrades to misses, not errors: with IGNORE_EXCEPTIONS django-redis turns
    a failed read into a miss and a failed write into a no-op, and logs each one
    (DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS: logger django_redis.cache, ERROR, with the
    traceback). While Redis is down pages are slower (every card is rendered each time), and
    DRF's API throttles and allauth's rate limits (ACCOUNT_RATE_LIMITS) fail open: nothing
    is counted, nobody is throttled (config/cache.py makes allauth's locks fail open too).
    /healthz pings Redis itself (community/health.py), so the outage shows there.
    A refused connection fails at once; a Redis that does not answer costs up to `timeout`
    seconds to connect and as long again to read (3 s: above TCP's 1 s SYN retransmit)."""
    return {
        "BACKEND": "config.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": timeout,
            "SOCKET_TIMEOUT": timeout,
        },
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    # "redis" keeps each socket's messages in Redis; "redis-pubsub" publishes an event once
    # and each server process hands it to its own sockets: about half the fan-out latency in
    # the benchmark (bench/README.md), but channels_redis still calls that layer beta.
    CHANNEL_LAYER_BACKENDS = {
        "redis": "channels_redis.core.RedisChannelLayer",
        "redis-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    }
    CHANNEL_LAYER = env("CHANNEL_LAYER", "redis")
    if CHANNEL_LAYER not in CHANNEL_LAYER_BACKENDS:
        raise ImproperlyConfigured(
            f"CHANNEL_LAYER must be one of {', '.join(CHANNEL_LAYER_BACKENDS)}, "
            f"not {CHANNEL_LAYER!r}"
        )
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[CHANNEL_LAYER],
            "CONFIG": {
                # Each socket waits on a blocking pop that the server ends after 5 s
                # (channels_redis' brpop_timeout); redis-py 8 also times reads out after 5 s
                # by default, which closed idle sockets with 1011 every few seconds (found by
                # the benchmark). Read timeout above the pop's, so a hung Redis still fails.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": f"{CACHE_KEY_PREFIX}:channels",
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # No broker server: tasks run in the process that sends them, and the beat process
    # (started by `make run`) runs the periodic ones in its own process.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "celerybeat-schedule")
)
# Each app adds its periodic jobs here, next to the task they run.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "community.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
    },
    "reconcile-like-and-comment-counts": {
        "task": "community.tasks.reconcile_counts",
        "schedule": 60 * 15,
    },
    "rank-popular-posts": {
        "task": "community.tasks.rank_popular_posts",
        "schedule": 60,
    },
    "recheck-live-subscriptions-of-ended-grants": {
        "task": "community.tasks.recheck_ended_grants",
        "schedule": 60,
    },
    "retry-due-stripe-events": {
        "task": "payments.tasks.retry_due_events",
        "schedule": 60,
    },
    "reconcile-stripe-subscriptions": {
        "task": "payments.tasks.reconcile_subscriptions",
        "schedule": 60 * 60,
    },
    "unlock-due-course-modules": {
        "task": "courses.tasks.unlock_due",
        "schedule": 60,
    },
    "recount-courses": {
        "task": "courses.tasks.recount_all_courses",
        "schedule": 60 * 60,
    },
    "send-event-reminders": {
        "task": "events.tasks.send_due_reminders",
        "schedule": 60,
    },
    "recount-event-rsvps": {
        "task": "events.tasks.recount_all_events",
        "schedule": 60 * 60,
    },
    # Digests that are due (in each member's own time zone) and mails held by quiet hours.
    "send-due-notification-emails": {
        "task": "messaging.tasks.send_due_emails",
        "schedule": 60 * 5,
    },
    # Repairs: awards recompute their member's score as they happen, and a new member's
    # Score row is made as they join.
    "repair-scores": {
        "task": "gamification.tasks.repair_scores",
        "schedule": 60 * 60 * 24,
    },
    "add-missing-scores": {
        "task": "gamification.tasks.add_missing_scores",
        "schedule": 60 * 60,
    },
    "prune-old-period-scores": {
        "task": "gamification.tasks.prune_period_scores",
        "schedule": 60 * 60 * 24,
    },
    # The analytics' daily rollups, just after each local midnight closes a day.
    "roll-up-analytics": {
        "task": "community.tasks.roll_up_analytics",
        "schedule": crontab(hour=0, minute=15),
    },
    # Search's "Did you mean" vocabulary, from the day's newest texts.
    "refresh-search-terms": {
        "task": "community.tasks.refresh_search_terms",
        "schedule": crontab(hour=0, minute=45),
    },
}

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / env("STATIC_ROOT", "staticfiles")
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = BASE_DIR / "media"
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "private"  # the local "private" storage
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
# Signed S3 links (the default) expire after an hour, django-storages' default.
AWS_QUERYSTRING_AUTH = bool(AWS_STORAGE_BUCKET_NAME) and env_bool("AWS_QUERYSTRING_AUTH", True)
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
                "region_name": env("AWS_S3_REGION_NAME") or None,
                "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") or None,
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": AWS_QUERYSTRING_AUTH,
            },
        },
        # Files only members with access may fetch (course attachments and videos): always
        # signed, short-lived links, handed out by a view that checked access first.
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("AWS_PRIVATE_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
                "location": "private",
                "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
                "region_name": env("AWS_S3_REGION_NAME") or None,
                "file_overwrite": False,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Outside MEDIA_ROOT, with no URL: served only through views that check access.
        "private": {"BACKEND": "community.storage.PrivateFileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
# How long a rendered card (community/cards.py) is kept: a card holds its author's avatar
# link, so with signed links it must not outlive the link.
AGORA_CARD_CACHE_SECONDS = env_int(
    "AGORA_CARD_CACHE_SECONDS", 30 * 60 if AWS_QUERYSTRING_AUTH else 24 * 60 * 60
)
# A request body over this many bytes is refused with 413 before it is read
# (community/limits.py, under daphne and uvicorn): the largest upload (an image,
# AGORA_IMAGE_MAX_BYTES, 10 MB) plus 2 MB of form. 0 turns the check off.
MAX_REQUEST_BODY_SIZE = env_int("MAX_REQUEST_BODY_SIZE", 12 * 1024 * 1024)
# The body minus its files (form fields, a JSON body): Django answers 400 above it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Uploaded files go to temporary files as they are parsed, never to memory; the raw body
# of an ASGI request is kept in memory up to this size, then on disk.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, 2.5 MB
# Course files (community.uploads.clean_file): an attachment, and a lesson's uploaded video
# (a YouTube or Vimeo link suits long videos better). Daphne holds a whole request body in
# memory before Django runs: serve large uploads with uvicorn or granian, which stream it.
COURSE_ATTACHMENT_MAX_BYTES = env_int("COURSE_ATTACHMENT_MAX_BYTES", 100 * 1024 * 1024)
COURSE_VIDEO_MAX_BYTES = env_int("COURSE_VIDEO_MAX_BYTES", 200 * 1024 * 1024)
# Paths (prefixes) that take a larger body than MAX_REQUEST_BODY_SIZE: the admins' course
# pages and the courses API, up to the largest course file plus 2 MB of form.
LARGE_UPLOAD_PATHS = {
    prefix: max(COURSE_ATTACHMENT_MAX_BYTES, COURSE_VIDEO_MAX_BYTES) + 2 * 1024 * 1024
    for prefix in ("/courses/manage/", "/api/v1/courses/", "/api/v1/modules/", "/api/v1/lessons/")
}

# --- Email ----------------------------------------------------------------------------------
# Both backends keep text lines whole (7bit/8bit, not quoted-printable): community/mail.py.
smtp_host = env("EMAIL_HOST")
if smtp_host:
    MAILERS = {
        "default": {
            "BACKEND": "community.mail.SMTPBackend",
            "OPTIONS": {
                "host": smtp_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env("EMAIL_HOST_USER"),
                "password": env("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "community.mail.ConsoleBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Agora <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "community.User"
# Email is unique case-insensitively through a functional constraint (user_email_ci_unique),
# which this check cannot see.
# security.W003 looks for Django's CsrfViewMiddleware by its path; the project's subclass
# (community.middleware) runs in its place, and check community.W102 asks for one of them.
SILENCED_SYSTEM_CHECKS = ["auth.W004", "security.W003"]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "community:feed"
ACCOUNT_LOGOUT_REDIRECT_URL = "community:feed"
ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "community.forms.SignupDetailsForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{env('AGORA_SITE_NAME', 'Agora')}] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
}
SOCIALACCOUNT_ADAPTER = "community.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_PROVIDERS = {}
if env("GOOGLE_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env("GOOGLE_CLIENT_ID"), "secret": env("GOOGLE_CLIENT_SECRET")}],
        "SCOPE": ["profile", "email"],
    }
if env("GITHUB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env("GITHUB_CLIENT_ID"), "secret": env("GITHUB_CLIENT_SECRET")}],
        "SCOPE": ["user:email"],
    }

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "community.api.authentication.BearerTokenAuthentication",
        "community.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "community.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "community.api.schema.AgoraAutoSchema",
    "EXCEPTION_HANDLER": "community.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "community.api.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "60/min"),
        "user": env("API_THROTTLE_USER", "600/min"),
        "write": env("API_THROTTLE_WRITE", "120/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Agora API",
    # Markdown shown at /api/docs/: authentication, conventions and the live socket.
    "DESCRIPTION": (BASE_DIR / "community" / "api" / "description.md").read_text(),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two fields named target_type (a report's, a mute's): each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "MuteTargetEnum": "messaging.models.Mute.Target",
        "ReportStatusEnum": "community.models.Report.Status",
        "ReportTargetEnum": ["post", "comment", "member"],
        # Two fields named kind: a notification's, an analytics series'.
        "AnalyticsKindEnum": "community.analytics.KINDS",
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions stay in the database, also with Redis: cached_db saves one query (~0.45 ms of a
# 20+ ms page, measured for issue 12), but Django's cached_db raises when Redis is down
# (it writes the cache after a database read), so every signed-in page would fail with it.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# HTTPS policy for the site reached by others; a local install (LOCAL_ONLY) speaks plain HTTP.
HTTPS_POLICY = not DEBUG and not LOCAL_ONLY
SESSION_COOKIE_SECURE = HTTPS_POLICY
CSRF_COOKIE_SECURE = HTTPS_POLICY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS_POLICY:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preload is on so `check --deploy` is clean; set SECURE_HSTS_PRELOAD=0 for a domain that
    # must stay reachable over plain HTTP on subdomains.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "https:"],
    "connect-src": [CSP.SELF, "ws:", "wss:"],
    "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF, "https:"],
    "frame-ancestors": [CSP.NONE],
}

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The language search stems words in (a PostgreSQL text search configuration: english,
# french, german, simple, …). The index is built in it: after changing it, run
# `manage.py rebuild_search_index` (community/search/indexes.py).
SEARCH_LANGUAGE = env("SEARCH_LANGUAGE", "english")
# How many of a kind's newest matches are ranked (community/search/service.py): a common
# word matches hundreds of thousands of rows, and ranking them all took seconds. A search of
# one kind (a tab, `kinds=posts`) ranks SEARCH_CANDIDATES; one of several kinds at once (the
# "All" tab, the palette, the API without `kinds`) shows each kind's best few and ranks its
# SEARCH_OVERVIEW_CANDIDATES, so that every kind together answers as fast as one.
SEARCH_CANDIDATES = max(1, env_int("SEARCH_CANDIDATES", 1000))
SEARCH_OVERVIEW_CANDIDATES = max(1, env_int("SEARCH_OVERVIEW_CANDIDATES", 100))
# Celery's crontab schedules (the nightly analytics rollup) follow the community's clock.
CELERY_TIMEZONE = TIME_ZONE

# --- Logging -------------------------------------------------------------------------------------


def _client_error_without_traceback(record):
    """A 4xx is expected (a 403 from access.py, a bad request): Django logs it as a warning
    with the exception attached; the console shows the one line, not the traceback. Returns
    a copy, so other handlers (mail_admins) still get the record whole."""
    import copy

    if record.exc_info and 400 <= (getattr(record, "status_code", None) or 0) < 500:
        record = copy.copy(record)
        record.exc_info = record.exc_text = None
    return record


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_error_without_traceback": {"()": lambda: _client_error_without_traceback},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_error_without_traceback"],
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    # Every line is printed once, by the root's console handler. Django's own default gives
    # the "django" logger a console handler of its own too (each line twice with DEBUG on):
    # here it keeps only mail_admins and passes the rest up.
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        # One line per task is noise, above all with eager tasks in the embedded default.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# --- The community's own settings ----------------------------------------------------------
AGORA_SITE_NAME = env("AGORA_SITE_NAME", "Agora")
# Where the site is reached, for links in mails sent outside a request (a Celery task).
AGORA_BASE_URL = env("AGORA_BASE_URL", "http://127.0.0.1:8000")
AGORA_PRIMARY_COLOR = env("AGORA_PRIMARY_COLOR", "#4f46e5")
AGORA_IMAGE_MAX_BYTES = 10 * 1024 * 1024
AGORA_AVATAR_SIZE = 512
# Direct messages one member may send in a minute (pages and API alike).
AGORA_MESSAGES_PER_MINUTE = env_int("AGORA_MESSAGES_PER_MINUTE", 30)
# Seconds a direct message waits before its email: a member who reads it by then gets none,
# and the messages of those seconds make one mail.
AGORA_MESSAGE_EMAIL_DELAY = env_int("AGORA_MESSAGE_EMAIL_DELAY", 120)

# A post reported by this many different members is hidden until a moderator decides
# (dismissing its reports brings it back). 0 turns auto-hiding off.
AGORA_AUTO_HIDE_REPORTS = env_int("AGORA_AUTO_HIDE_REPORTS", 0)

# --- Payments (the payments app shows "not configured" while these are empty) --------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Stripe's own default: a signature older than this many seconds is refused (replays).
STRIPE_WEBHOOK_TOLERANCE = 300
# A past_due subscription keeps its tier this many days after the payment that failed.
PAYMENTS_PAST_DUE_GRACE_DAYS = int(env("PAYMENTS_PAST_DUE_GRACE_DAYS", "7"))
