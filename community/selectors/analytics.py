"""Community's analytics series (community.analytics): members, activity, posts, comments.

Each is one or two aggregate queries bounded by the period: users on user_created_idx,
posts on post_feed_idx, comments on comment_created_idx. Those over posts and comments count
millions of rows on a large community (seconds for a year), so they are rolled up: the page
reads their closed days from the nightly rollups and counts only today. The members' series
stay live: the users table is the community's size, and they count the accounts that exist
today, which a stored figure would not forget.
"""

import datetime

from django.db import connection
from django.db.models.functions import TruncDate

from community.analytics import DAILY, Series, per_period
from community.models import Comment, Post, User


def members_over_time(period):
    """Accounts that exist today, counted on each day from the day they joined: those
    before the period in one count, then each day's joiners added."""
    start, _end = period.bounds()
    total = User.objects.filter(created_at__lt=start).count()
    joined = per_period(User.objects.all(), "created_at", period)
    members = {}
    for day in period.days():
        total += joined.get(day, 0)
        members[day] = total
    return {"members": members}


def new_members(period):
    return {"new_members": per_period(User.objects.all(), "created_at", period)}


def active_members(period):
    """Distinct members who wrote a post or a comment on each day: the (author, day) pairs
    of both tables, made distinct by a UNION, counted per day, in one query."""
    start, end = period.bounds()

    def authored(model):
        return (
            model.objects.filter(created_at__gte=start, created_at__lt=end, author__isnull=False)
            .annotate(day=TruncDate("created_at", tzinfo=period.tz))
            .order_by()
            .values_list("author_id", "day")
        )

    sql, params = authored(Post).union(authored(Comment)).query.sql_with_params()
    with connection.cursor() as cursor:
        query = f"SELECT day, COUNT(*) FROM ({sql}) AS active GROUP BY day"  # noqa: S608 - the ORM's SQL
        cursor.execute(query, params)
        counts = cursor.fetchall()
    # SQLite answers the day as text, PostgreSQL as a date.
    return {"active_members": {datetime.date.fromisoformat(str(day)): n for day, n in counts}}


def posts_per_day(period):
    return {"posts": per_period(Post.objects.all(), "created_at", period)}


def comments_per_day(period):
    return {"comments": per_period(Comment.objects.all(), "created_at", period)}


SERIES = [
    Series(
        key="members",
        label="Members over time",
        description="Accounts on each day, counted from the day they joined (accounts "
        "deleted since are not counted; deactivated and banned ones are).",
        kind=DAILY,
        compute=members_over_time,
    ),
    Series(
        key="new_members",
        label="New members per day",
        description="Accounts created on each day.",
        kind=DAILY,
        compute=new_members,
    ),
    Series(
        key="active_members",
        label="Active members per day",
        description="Members who wrote at least one post or comment that day, each counted "
        "once (reading and likes are not counted).",
        kind=DAILY,
        compute=active_members,
        rolled_up=True,
    ),
    Series(
        key="posts",
        label="Posts per day",
        description="Posts written on each day, those deleted or hidden since included.",
        kind=DAILY,
        compute=posts_per_day,
        rolled_up=True,
    ),
    Series(
        key="comments",
        label="Comments per day",
        description=(
            "Comments and replies written on each day, those deleted or hidden since included."
        ),
        kind=DAILY,
        compute=comments_per_day,
        rolled_up=True,
    ),
]
