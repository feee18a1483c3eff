"""Every write in the community app, one module per subject; callers use `services.<verb>`."""

from .branding import update_branding
from .comments import create_comment, delete_comment, edit_comment, hide_comment, unhide_comment
from .likes import like, toggle_like, unlike
from .members import (
    ban_member,
    change_role,
    create_api_token,
    export_members,
    revoke_api_token,
    unban_member,
    update_profile,
)
from .moderation import Action, moderate
from .portability import export_community
from .posts import (
    create_post,
    delete_post,
    edit_post,
    hide_post,
    pin_post,
    unhide_post,
    unpin_post,
    visit_space,
)
from .social import (
    dismiss_report,
    follow,
    report,
    resolve_report,
    unfollow,
)
from .spaces import (
    change_grant_end,
    create_space,
    delete_space,
    grant_access,
    reorder_spaces,
    revoke_access,
    update_space,
)

__all__ = [
    "Action",
    "ban_member",
    "change_grant_end",
    "change_role",
    "create_api_token",
    "create_comment",
    "create_post",
    "create_space",
    "delete_comment",
    "delete_post",
    "delete_space",
    "dismiss_report",
    "edit_comment",
    "edit_post",
    "export_community",
    "export_members",
    "follow",
    "grant_access",
    "hide_comment",
    "hide_post",
    "like",
    "moderate",
    "pin_post",
    "reorder_spaces",
    "report",
    "resolve_report",
    "revoke_access",
    "revoke_api_token",
    "toggle_like",
    "unban_member",
    "unfollow",
    "unhide_comment",
    "unhide_post",
    "unlike",
    "unpin_post",
    "update_branding",
    "update_profile",
    "update_space",
    "visit_space",
]
