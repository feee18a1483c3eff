"""A made-up app with demo content, as a later app (courses, events, …) would add it:
installed only by tests/community/test_seed_demo.py."""
