"""Every write in the community app, one module per subject; callers use `services.<verb>`."""

from .members import (
    ban_member,
    create_api_token,
    revoke_api_token,
    unban_member,
    update_profile,
)
from .spaces import (
    create_space,
    delete_space,
    grant_access,
    reorder_spaces,
    revoke_access,
    update_space,
)

__all__ = [
    "ban_member", "create_api_token", "create_space", "delete_space", "grant_access",
    "reorder_spaces", "revoke_access", "revoke_api_token", "unban_member", "update_profile",
    "update_space",
]  # fmt: skip
