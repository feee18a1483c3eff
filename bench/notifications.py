# ruff: noqa: S608 - SQL built from our own table names and integers (see bench/bulk.py)
"""The notifications side of the benchmark dataset (issue 17): the rows messaging.tasks
would have written for the dataset's own comments, likes and follows, in SQL (INSERT …
SELECT, no row goes through Python), with the facts and query budgets of the notification
scenarios.

- a comment: one notification to the post's author (not for their own comments), its
  group `comment:<id>`, at the comment's time;
- likes of a post: one grouped row to its author (likes by others), the latest liker as
  actor and the rest counted in `others`, from the first like's time to the last's;
- a follow: one notification to the member followed.

Posts deleted or hidden tell nobody, as the tasks skip them. What happened more than three
days before the load is read (a day after it happened); the rest is unread, so the unread
filter and the bell's count have rows to find. On large that is about 5 million rows (3M
comments, ~1M liked posts, the follows), the issue's number, so no source is scaled up.

A scale loaded before notifications existed gets them when `seed_bench` runs
(`dataset.add_notifications`); the marker is a notification of member bench-<scale>-0.
"""

from datetime import UTC, datetime, timedelta

from django.contrib.contenttypes.models import ContentType

from community.models import Comment, Follow, Like, Post
from messaging.models import Notification

from .bulk import quote

NOTIFICATION_MODELS = (Notification,)
UNREAD_FOR = timedelta(days=3)

# Queries per request for the reader, fixed whatever the number of notifications:
# tests/bench/test_notifications.py holds them (Django's test client; its Bearer requests
# count the token's lookup and use, 2 more than the runner's count). A page: session,
# member, the notifications with their actors, the header's score, the sidebar's spaces
# and the reader's tiers (it reads a paid space); through the API, the token's member and
# the notifications (or their count).
QUERY_BUDGETS = {
    "notifications": 6,
    "notifications-unread": 6,
    "api-notifications": 4,
    "api-notifications-unread-count": 4,
}
NOTIFICATION_SCENARIOS = tuple(QUERY_BUDGETS)


def loaded(scale_name):
    return Notification.objects.filter(recipient__handle=f"bench-{scale_name}-0").exists()


def _expected_rows(scale):
    return scale.comments + scale.posts + scale.follows


def _excerpt(column):
    return f"left(regexp_replace({column}, '\\s+', ' ', 'g'), 80)"


def selects(lo, hi, read_before):
    """(kind, SQL) selecting the notification rows of the members with ids lo..hi, in the
    table's column order (COLUMNS); `read_before` is bound as %s."""
    t = {key: quote(model._meta.db_table) for key, model in
         {"post": Post, "comment": Comment, "like": Like, "follow": Follow}.items()}  # fmt: skip
    ct_post = ContentType.objects.get_for_model(Post).pk
    alive = "p.deleted_at IS NULL AND p.hidden_at IS NULL"
    title = _excerpt("COALESCE(NULLIF(p.title, ''), p.body)")
    read = "CASE WHEN {at} < %s THEN {at} + interval '1 day' END"
    return [
        ("comment",
         f"SELECT p.author_id, 'comment', 'comment:' || c.id, c.author_id, 0, 'comment', c.id,"
         f" jsonb_build_object('post_id', p.id, 'title', {title},"
         f"  'excerpt', {_excerpt('c.body')}),"
         f" c.created_at, c.created_at, {read.format(at='c.created_at')}"
         f" FROM {t['comment']} c JOIN {t['post']} p ON p.id = c.post_id"
         f" WHERE p.author_id BETWEEN {lo:d} AND {hi:d} AND c.author_id <> p.author_id"
         f" AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND {alive}"),
        ("like",
         f"SELECT p.author_id, 'like', 'like:post:' || p.id,"
         " (array_agg(l.user_id ORDER BY l.created_at DESC, l.id DESC))[1], COUNT(*) - 1,"
         f" 'post', p.id, jsonb_build_object('post_id', p.id, 'title', {title}),"
         f" MIN(l.created_at), MAX(l.created_at), {read.format(at='MAX(l.created_at)')}"
         f" FROM {t['like']} l JOIN {t['post']} p ON p.id = l.object_id"
         f" WHERE l.content_type_id = {ct_post:d} AND p.author_id BETWEEN {lo:d} AND {hi:d}"
         f" AND l.user_id <> p.author_id AND {alive}"
         " GROUP BY p.id, p.author_id, p.title, p.body"),
        ("follow",
         "SELECT f.followed_id, 'follow', 'follow:' || f.follower_id, f.follower_id, 0,"
         " 'member', f.follower_id, '{}'::jsonb, f.created_at, f.created_at,"
         f" {read.format(at='f.created_at')}"
         f" FROM {t['follow']} f WHERE f.followed_id BETWEEN {lo:d} AND {hi:d}"),
    ]  # fmt: skip


COLUMNS = (
    'recipient_id, kind, "group", actor_id, others, target_type, target_id, data,'
    " created_at, updated_at, read_at"
)


def load_notifications(ctx):
    """The notifications of the scale's comments, likes and follows (one INSERT … SELECT
    per kind); returns the rows written."""
    table = quote(ctx.bulk_table(Notification, _expected_rows(ctx.scale)))
    lo, hi = ctx.first_member, ctx.first_member + ctx.scale.members - 1
    read_before = datetime.fromtimestamp(ctx.now, UTC) - UNREAD_FOR
    for model in (Post, Comment, Like, Follow):
        ctx.cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    written = 0
    kinds = selects(lo, hi, read_before)
    with ctx.progress("notifications", len(kinds)) as bar:
        for _kind, select in kinds:
            ctx.cursor.execute(f"INSERT INTO {table} ({COLUMNS}) {select}", [read_before])
            written += ctx.cursor.rowcount
            bar.advance()
    return written
