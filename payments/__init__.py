"""Payments: plans for the tiers, Stripe Checkout and the Customer Portal, webhooks that
grant and revoke access, coupons, billing history.

Library: the official `stripe` package with a small mirror of our own (models.py), not
dj-stripe. Read both (dj-stripe 2.11.0, December 2026) before choosing:
- dj-stripe's Subscription reads `current_period_end` from the subscription object; since
  API 2025-03-31.basil Stripe puts the period on the subscription item, so for the API
  version our webhooks carry (2026-07-29.dahlia) its period is empty and "is this active"
  answers wrong. Our sync reads the item.
- It pins `stripe<16` and declares Django up to 6.0; we run Django 6.1 and stripe 16.
- Its handlers copy the object in each event as it comes, so an old `updated` delivered
  after a newer one writes the old state back. We keep the Stripe time of the newest state
  applied and make grants a function of that state (sync.py), so any order ends the same.
- It processes an event inside the request unless a callback is configured, and brings
  ~60 tables and database-configured endpoints for what needs seven.
What the stripe package does, we do not write: signature checking is
`stripe.Webhook.construct_event`, every API call goes through `stripe.StripeClient`.

Flow: webhooks.receive (request: verify, store by unique event id, 200) -> tasks.
process_webhook_event -> processing.process_event (once per id, retried with backoff) ->
sync (mirror, then grants through community's services with the system actor).
"""
