from .analytics import DailyFigure
from .branding import Branding
from .gating import AccessGrant, Gated, Tier
from .members import (
    BIO_MAX,
    DISPLAY_NAME_MAX,
    ApiToken,
    AuditEntry,
    User,
    UserManager,
    validate_time_zone,
)
from .posts import BODY_MAX, Comment, Hashtag, Like, PopularPost, Post
from .search import SearchTerm
from .social import Follow, Report
from .spaces import Space, SpaceVisit

__all__ = [
    "BIO_MAX", "BODY_MAX", "DISPLAY_NAME_MAX", "AccessGrant", "ApiToken", "AuditEntry", "Branding",
    "Comment", "DailyFigure",
    "Follow", "Gated", "Hashtag", "Like", "PopularPost", "Post", "Report", "SearchTerm", "Space",
    "SpaceVisit",
    "Tier", "User", "UserManager",
    "validate_time_zone",
]  # fmt: skip
