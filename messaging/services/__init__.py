"""Every write of messaging: notifications told and read; direct messages sent, edited,
deleted and read; blocks and the direct-message switch."""

from . import conversations, notifications

__all__ = ["conversations", "notifications"]
