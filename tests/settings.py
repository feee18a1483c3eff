"""The project's settings plus an example app that plugs into community's seams
(tests/example_app): tests prove that a new app needs no change to community."""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.example_app"]
