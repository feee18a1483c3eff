"""The daphne live server of conftest.py's `daphne_server`, started by spawn: a fresh
interpreter, not a fork of the test process. A fork copies Playwright's threads' locks but
not the threads, and a lock held at that moment stays held in the child for good: a rare
hang. A spawned child imports what it runs by name, hence this module of its own (without
pytest and Playwright, which conftest.py brings)."""

import multiprocessing
import os
from functools import partial

from daphne.testing import DaphneProcess

SPAWN = multiprocessing.get_context("spawn")

# A spawned child loads the settings module afresh; it takes these from the test process,
# as a forked one inherited them: the test database (pytest-django's name; on SQLite
# tests/settings.py would name another file, after the child's pid), DEBUG as pytest-django
# set it, the test's own folders and mailer, and the xdist worker's Redis database. Nothing
# else a test changes (another setting, a monkeypatch) reaches the child.
SHARED_SETTINGS = (
    "DATABASES",
    "DEBUG",
    "MEDIA_ROOT",
    "PRIVATE_MEDIA_ROOT",
    "ROOT_URLCONF",
    "MAILERS",
    "CACHES",
    "CHANNEL_LAYERS",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
)


class SpawnedDaphneProcess(DaphneProcess):
    """daphne's DaphneProcess with the spawn context's Process semantics."""

    _start_method = "spawn"

    @staticmethod
    def _Popen(process_obj):
        return SPAWN.Process._Popen(process_obj)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # daphne makes these in the default (fork) context, whose locks a spawned child
        # cannot be handed.
        self.port = SPAWN.Value("i", self.port.value)
        self.ready = SPAWN.Event()
        self.errors = SPAWN.Queue()


def application_factory():
    """What the child calls for its application (it must pickle): this process's shared
    settings and Celery's eager mode (tests/conftest.py turns it on) travel with it."""
    from django.conf import settings

    from config.celery import app

    shared = {name: getattr(settings, name) for name in SHARED_SETTINGS}
    return partial(_make_application, shared, app.conf.task_always_eager)


def _make_application(shared, task_always_eager):
    # The environment's REDIS_URL is already this worker's database: without the worker's
    # name, tests/settings.py does not count it down a second time.
    os.environ.pop("PYTEST_XDIST_WORKER", None)
    from django.conf import settings

    for name, value in shared.items():  # before Django is set up and opens anything
        setattr(settings, name, value)

    from channels.testing.live import make_application
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from config.celery import app

    application = make_application(static_wrapper=ASGIStaticFilesHandler)
    app.conf.task_always_eager = task_always_eager
    return application
