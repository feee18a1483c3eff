"""What a server process does before its first request (config/startup.py), read in a
fresh interpreter: freezing is process-wide."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Whether a view's class is among the objects the collector still walks.
WALKED = """
import gc
import {entry}
from community.api.views import MeView
print(gc.get_freeze_count() > 0, any(obj is MeView for obj in gc.get_objects()))
"""


@pytest.mark.parametrize("entry", ["config.wsgi", "config.asgi"])
def test_a_server_process_freezes_what_it_loaded_views_included(entry):
    printed = subprocess.run(
        [sys.executable, "-c", WALKED.format(entry=entry)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert printed.split() == ["True", "False"]
