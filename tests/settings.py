"""The project's settings plus an example app that plugs into community's seams
(tests/example_app): tests prove that a new app needs no change to community."""

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_app"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file, not in memory: Django hands an in-memory database's one
    # connection to every thread of the live server, and two requests of a browser test at
    # once (a page and a fetch) then use it together and fail with "bad parameter or other
    # API misuse". With a file each thread opens its own connection, as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"agora-test-{os.getpid()}.sqlite3")
    }
