"""The PostgreSQL backend (config/postgresql): Django's, with a pool that lends the connection
given back last, so that light traffic keeps to the connections it last used."""

import pytest
from django.db import connection, connections

from config.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.postgres


@pytest.fixture
def pool(db):  # `db`: the test database, which settings_dict then names
    options = {**connection.settings_dict["OPTIONS"], "pool": {"min_size": 0, "max_size": 3}}
    wrapper = DatabaseWrapper({**connection.settings_dict, "OPTIONS": options}, "pool_order")
    wrapper.pool.open()
    yield wrapper.pool
    wrapper.close_pool()


def test_the_settings_choose_this_backend_for_postgresql():
    assert isinstance(connections["default"], DatabaseWrapper)


def test_the_pool_lends_the_connection_given_back_last(pool):
    first, second, third = pool.getconn(), pool.getconn(), pool.getconn()
    for given_back in (first, second, third):
        pool.putconn(given_back)
    assert pool.getconn() is third  # psycopg_pool's own queue would lend `first`
    assert pool.getconn() is second
    pool.putconn(second)
    assert pool.getconn() is second
    assert pool.getconn() is first


def test_the_pool_still_works_as_a_pool(pool):
    borrowed = pool.getconn()
    assert borrowed.execute("SELECT 1").fetchone() == (1,)
    pool.putconn(borrowed)
    assert pool.get_stats()["pool_available"] == 1
