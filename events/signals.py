"""Events' domain events, sent after commit through community.effects with ids only. An
occurrence is named by its original start (ISO 8601, UTC). Messaging tells members;
gamification may award attendance."""

from django.dispatch import Signal

# status: the new one; None when the RSVP was removed (its date left the series).
rsvp_changed = Signal()  # user_id, event_id, occurrence_start, status
# A seat freed and the first waiting member took it.
waitlist_promoted = Signal()  # user_id, event_id, occurrence_start
# Sent once per member, occurrence and kind ("24h" or "1h") by tasks.send_due_reminders.
reminder_due = Signal()  # user_id, event_id, occurrence_start, kind
# The whole event, or one occurrence (occurrence_start set), was cancelled.
event_cancelled = Signal()  # event_id, occurrence_start (None: every occurrence)
# Time, place or title changed (of one occurrence when occurrence_start is set).
event_changed = Signal()  # event_id, occurrence_start (None: the event)
