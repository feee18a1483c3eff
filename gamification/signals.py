"""Gamification's domain events, sent after commit through community.effects with ids only.
Messaging turns a level-up into a notification."""

from django.dispatch import Signal

# A member reached a higher level (never sent when a level is lost).
level_changed = Signal()  # user_id, level_id, previous_level_id (None: their first level)
