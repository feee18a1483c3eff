"""Every read of messaging: a member's notifications, conversations and threads."""

from . import conversations, notifications

__all__ = ["conversations", "notifications"]
