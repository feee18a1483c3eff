"""Shared pieces of the admin site: list pages over tables of millions of rows, and the seam
through which other apps add actions to the members' list (community imports none of them).
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """A paginator whose count never reads a whole large table: it counts at most CAP + 1
    rows (`SELECT COUNT(*) FROM (… LIMIT CAP + 1)`), exact below the cap. Past it,
    PostgreSQL's planner estimate of the filtered list stands in (one EXPLAIN, no rows read);
    other databases (the embedded SQLite default, a small community) count exactly."""

    CAP = 10_000

    @cached_property
    def count(self):
        capped = self.object_list[: self.CAP + 1].count()
        if capped <= self.CAP:
            return capped
        estimate = planner_estimate(self.object_list)
        return max(estimate, capped) if estimate is not None else self.object_list.count()


def planner_estimate(queryset):
    """PostgreSQL's estimate of the rows `queryset` returns, or None on another database."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class LargeTableAdmin:
    """Mixin for the ModelAdmin of a table that can hold millions of rows: no second
    count(*) of the whole table for "N total", a capped count for the pages, and no
    date_hierarchy (its links run aggregates over the table); list filters on such admins
    stay on small tables or on the row's own columns."""

    show_full_result_count = False
    paginator = CappedCountPaginator
    date_hierarchy = None


# --- Actions other apps add to the members' list --------------------------------------------

_member_actions = []


def register_member_action(action):
    """An app (gamification: recompute scores) adds an admin action to the members' list;
    `action(modeladmin, request, queryset)` decorated with @admin.action, as Django expects."""
    if action not in _member_actions:
        _member_actions.append(action)
    return action


def member_actions():
    return list(_member_actions)
