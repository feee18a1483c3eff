"""Messaging's pages: notifications and direct messages."""
