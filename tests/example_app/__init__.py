"""A made-up app that adds a gated, live, audited noun (a workshop) through community's
seams only, as courses and events do: it touches none of community's models, access.py or
consumers.py. Installed by tests/settings.py only, so its table exists in test databases."""
