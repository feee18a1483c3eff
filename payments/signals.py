"""Payments' domain events (sent after commit through community.effects, with ids only).
Messaging listens to tell the member; nothing here sends mail about them itself."""

from django.dispatch import Signal

# The subscription went past_due: access is kept until grace_ends_at (ISO 8601).
subscription_past_due = Signal()  # user_id, subscription_id, grace_ends_at
subscription_ended = Signal()  # user_id, subscription_id, reason
payment_failed = Signal()  # user_id, invoice_id, hosted_invoice_url
trial_will_end = Signal()  # user_id, subscription_id, trial_end (ISO 8601)
# Money came in: an invoice paid (kind "invoice") or a one-time purchase ("purchase").
payment_received = Signal()  # user_id, kind, object_id
access_granted = Signal()  # user_id, tier_id, grant_id, source
