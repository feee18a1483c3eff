"""Every write of messaging: notifications told and read; direct messages sent, edited,
deleted and read; blocks and the direct-message switch; notification email."""

from . import conversations, email, notifications

__all__ = ["conversations", "email", "notifications"]
