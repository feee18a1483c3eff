"""The admin site's scenery: a moderator as the role-change service leaves them (staff, in
the Moderators group), and clients signed in as them and as an admin."""

import pytest

from community.roles import sync_staff_access
from tests.factories import ModeratorFactory


@pytest.fixture
def staff_moderator(db):
    return sync_staff_access(ModeratorFactory())


@pytest.fixture
def moderator_client(client, staff_moderator):
    client.force_login(staff_moderator)
    return client


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client
