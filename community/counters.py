"""Denormalized counters set from their source rows, exact when recounts race.

A counter is written by one UPDATE whose value is a count(*) subquery. On PostgreSQL an
UPDATE that waits for another transaction's lock on the row still counts with the snapshot
it took before waiting (READ COMMITTED re-checks the row, not the subquery), so of two
racing recounts the older count could be written last. Locking the rows first and updating
in a second statement (a snapshot taken after the wait) means the last recount to write
counts every row committed before it; a recount runs after the write it follows commits,
so the final value is exact.
"""

from django.db import transaction


def recount(queryset, **counters):
    """Sets `counters` (field name: count expression) on the rows of `queryset`; returns
    how many rows it set."""
    with transaction.atomic():
        list(queryset.select_for_update().values_list("pk", flat=True))
        return queryset.update(**counters)
