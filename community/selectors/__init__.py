"""Every non-trivial read in the community app, one module per subject."""

from .members import api_tokens, member_profile, space_by_slug, spaces_for, tiers

__all__ = ["api_tokens", "member_profile", "space_by_slug", "spaces_for", "tiers"]
