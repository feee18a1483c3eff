"""Gamification's scenery: the default rules and ladder (a transactional test's flush
empties the tables the data migration filled, so they are written again when missing)."""

import pytest

from tests.factories import default_rules_and_levels as restore_defaults


@pytest.fixture(autouse=True)
def default_rules_and_levels(db):
    restore_defaults()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a write and what it does after commit (signals, their tasks, the recompute)."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run
