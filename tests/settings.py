"""The project's settings plus an example app that plugs into community's seams
(tests/example_app): tests prove that a new app needs no change to community."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _redis_database_of_this_worker(url, worker):
    """pytest-xdist's workers share the machine's Redis, and every test empties its cache
    (FLUSHDB): each worker takes its own database, counting down from the URL's (gw0 keeps
    it, gw1 the one below, ...), so one worker never empties another's mid-test."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) - int(worker.removeprefix("gw"))
    if number < 0:
        raise RuntimeError(f"Too many test workers for {url}: Redis has no database {number}.")
    return urlunsplit(parts._replace(path=f"/{number}"))


if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["REDIS_URL"] = _redis_database_of_this_worker(
        os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

from config.settings import *  # noqa: E402, F403
from config.settings import DATABASES, INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_app"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file, not in memory: Django hands an in-memory database's one
    # connection to every thread of the live server, and two requests of a browser test at
    # once (a page and a fetch) then use it together and fail with "bad parameter or other
    # API misuse". With a file each thread opens its own connection, as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"agora-test-{os.getpid()}.sqlite3")
    }
