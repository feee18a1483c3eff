"""The integrity check run after generation and after write benchmarks: every denormalized
counter equals a recount from the source rows, no member has two likes on one target, and
every like points at a row that exists.

Plain SQL that also runs on SQLite. A later feature with its own counter
(enrollment_count, rsvp_count, points) appends one entry to CHECKS.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections

from community.models import Comment, Like, Post


@dataclass(frozen=True)
class CheckResult:
    name: str
    bad: int  # rows that fail the check
    checked: int  # rows looked at

    @property
    def ok(self):
        return self.bad == 0

    def line(self):
        status = "ok  " if self.ok else "FAIL"
        return f"{status} {self.name:<28} {self.bad:,} bad of {self.checked:,}"


def _tables():
    return {
        "post": Post._meta.db_table,
        "comment": Comment._meta.db_table,
        "like": Like._meta.db_table,
    }


def _params():
    return {
        "ct_post": ContentType.objects.get_for_model(Post).pk,
        "ct_comment": ContentType.objects.get_for_model(Comment).pk,
    }


def _likes_of(t, ct):
    return (
        f"SELECT object_id, COUNT(*) AS n FROM {t['like']}"  # noqa: S608 - our table names
        f" WHERE content_type_id = %({ct})s GROUP BY object_id"
    )


def _counter(table, column, recount_sql):
    """Rows of `table` whose `column` differs from the recount (grouped by target id)."""
    return (
        f"SELECT COALESCE(SUM(CASE WHEN x.{column} <> COALESCE(r.n, 0) THEN 1 ELSE 0 END), 0),"  # noqa: S608
        f" COUNT(*) FROM {table} x LEFT JOIN ({recount_sql}) r ON r.object_id = x.id"
    )


def _post_like_count(t):
    return _counter(t["post"], "like_count", _likes_of(t, "ct_post"))


def _post_comment_count(t):
    live = (
        f"SELECT post_id AS object_id, COUNT(*) AS n FROM {t['comment']}"  # noqa: S608
        " WHERE deleted_at IS NULL GROUP BY post_id"
    )
    return _counter(t["post"], "comment_count", live)


def _comment_like_count(t):
    return _counter(t["comment"], "like_count", _likes_of(t, "ct_comment"))


def _likes_unique(t):
    return (  # noqa: S608 - our own table names
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {like}"
        " GROUP BY user_id, content_type_id, object_id HAVING COUNT(*) > 1) d),"
        " (SELECT COUNT(*) FROM {like})"
    ).format(**t)


def _like_targets_exist(t):
    return (  # noqa: S608 - our own table names
        "SELECT COALESCE(SUM(CASE"
        " WHEN l.content_type_id = %(ct_post)s"
        "  AND NOT EXISTS (SELECT 1 FROM {post} p WHERE p.id = l.object_id) THEN 1"
        " WHEN l.content_type_id = %(ct_comment)s"
        "  AND NOT EXISTS (SELECT 1 FROM {comment} c WHERE c.id = l.object_id) THEN 1"
        " WHEN l.content_type_id NOT IN (%(ct_post)s, %(ct_comment)s) THEN 1"
        " ELSE 0 END), 0), COUNT(*) FROM {like} l"
    ).format(**t)


# (name, function of the table names returning SQL that selects (bad, checked))
CHECKS = [
    ("post.like_count", _post_like_count),
    ("post.comment_count (live)", _post_comment_count),
    ("comment.like_count", _comment_like_count),
    ("one like per member+target", _likes_unique),
    ("likes point at a row", _like_targets_exist),
]


def run_checks(using=None):
    """Runs every check; returns a list of CheckResult."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    tables, params = _tables(), _params()
    results = []
    with conn.cursor() as cursor:
        for name, build in CHECKS:
            cursor.execute(build(tables), params)
            bad, checked = cursor.fetchone()
            results.append(CheckResult(name, int(bad or 0), int(checked or 0)))
    return results
