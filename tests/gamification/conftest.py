"""Gamification's scenery: the default rules and ladder (a transactional test's flush
empties the tables the data migration filled, so they are written again when missing)."""

import pytest

from tests.factories import default_rules_and_levels as restore_defaults


@pytest.fixture(autouse=True)
def default_rules_and_levels(db):
    restore_defaults()
