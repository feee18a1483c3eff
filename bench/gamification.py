# ruff: noqa: S608 - SQL built from our own table names and integers (see bench/bulk.py)
"""The gamification side of the benchmark dataset (issue 16): the points ledger (PointAward)
generated from the dataset's own sources so that it says what gamification.services.awards
would have written for them, the members' Score rows and this week's and this month's
PeriodScore rows summed from it, the facts and query budgets of the leaderboard scenarios,
and the checks that scores equal the ledger and the ledger agrees with the likes.

One award per source, in SQL (INSERT … SELECT, no row goes through Python), with the
points of the active PointRule (the defaults of gamification/migrations/0002) and the
source's own time as created_at:

- post_created: every live post (not deleted, not hidden), to its author;
- comment_created: every live comment, to its author;
- like_received: every like on a live post or comment by someone other than its author, to
  the author, with the liker as actor (source: the liked post or comment);
- lesson_completed: every LessonProgress row (source: the lesson);
- course_completed: every enrollment with completed_at (source: the course);
- event_going: every RSVP "going" (source: the RSVP, its status_changed_at).

On large that is about 14 million rows (1M posts + 3M comments + ~5M likes + 5M lessons
+ the completed courses + the going RSVPs): more than the issue's 10 million, so no source
is scaled up. Score: one row per member of the scale (0 points for those with none), its
level the highest rung of the ladder its points reach; PeriodScore: a row per member with
points this week and this month (gamification.periods, the community's time zone).

A scale loaded before gamification existed gets its ledger when `seed_bench` runs
(`dataset.add_gamification`, in its own transaction); the marker is a post_created award
of member bench-<scale>-0 (the most active author).
"""

from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from community.models import Comment, Like, Post, User
from courses.models import Course, Enrollment, Lesson, LessonProgress
from events.models import Rsvp
from gamification.models import Level, PeriodScore, PointAward, PointRule, Score
from gamification.periods import period_start, start_moment

from .bulk import quote

GAMIFICATION_MODELS = (PointAward, Score, PeriodScore)

# Queries per request of the gamification scenarios for the reader (a bench member with a
# score), fixed whatever the size of the boards and the ledger: tests/bench/
# test_gamification.py holds them (Django's test client; its Bearer requests count the
# token's lookup and use, 2 more than the runner's count, which on small showed 6 for each
# board page, 4 for each API board and 10 for the profile).
# A reader below the top pays their rank: two COUNTs (the rows before, the members out of
# standing among them) and, on a week or month board, their points.
QUERY_BUDGETS = {
    "leaderboard-all": 7,
    "leaderboard-month": 7,
    "leaderboard-week": 7,
    "api-leaderboard-all": 7,
    "api-leaderboard-month": 7,
    "api-leaderboard-week": 7,
    "profile-own-score": 10,
}
GAMIFICATION_SCENARIOS = tuple(QUERY_BUDGETS)


def loaded(scale_name):
    """A post_created award of bench-<scale>-0 is the marker: the scale's ledger is there."""
    return PointAward.objects.filter(
        member__handle=f"bench-{scale_name}-0", action=PointAward.Action.POST_CREATED
    ).exists()


def _ct(model):
    return ContentType.objects.get_for_model(model).pk


def _names():
    t = {
        key: quote(model._meta.db_table)
        for key, model in {
            "award": PointAward, "rule": PointRule, "level": Level, "score": Score,
            "period": PeriodScore, "user": User, "post": Post, "comment": Comment,
            "like": Like, "lesson": Lesson, "course": Course, "progress": LessonProgress,
            "enrollment": Enrollment, "rsvp": Rsvp,
        }.items()
    }  # fmt: skip
    t.update(
        ct_post=_ct(Post), ct_comment=_ct(Comment), ct_lesson=_ct(Lesson),
        ct_course=_ct(Course), ct_rsvp=_ct(Rsvp),
    )  # fmt: skip
    return t


def source_selects(lo, hi):
    """(action, SELECT member_id, action, points, source_type_id, source_id, actor_id,
    created_at) of every award the sources give members lo..hi (ids), one per action: what
    reconcile_award would have written. Plain SQL (PostgreSQL and SQLite)."""
    t = _names()
    members = f"BETWEEN {lo:d} AND {hi:d}"

    def rule(action):
        return f"JOIN {t['rule']} r ON r.action = '{action}' AND r.active"

    live_post = "p.deleted_at IS NULL AND p.hidden_at IS NULL"
    live_comment = "c.deleted_at IS NULL AND c.hidden_at IS NULL"
    return [
        ("post_created",
         f"SELECT p.author_id, r.action, r.points, {t['ct_post']}, p.id, p.author_id,"
         f" p.created_at FROM {t['post']} p {rule('post_created')}"
         f" WHERE {live_post} AND p.author_id {members}"),
        ("comment_created",
         f"SELECT c.author_id, r.action, r.points, {t['ct_comment']}, c.id, c.author_id,"
         f" c.created_at FROM {t['comment']} c {rule('comment_created')}"
         f" WHERE {live_comment} AND c.author_id {members}"),
        ("like_received (posts)",
         f"SELECT p.author_id, r.action, r.points, {t['ct_post']}, p.id, l.user_id,"
         f" l.created_at FROM {t['like']} l JOIN {t['post']} p ON p.id = l.object_id"
         f" {rule('like_received')} WHERE l.content_type_id = {t['ct_post']}"
         f" AND l.user_id <> p.author_id AND {live_post} AND p.author_id {members}"),
        ("like_received (comments)",
         f"SELECT c.author_id, r.action, r.points, {t['ct_comment']}, c.id, l.user_id,"
         f" l.created_at FROM {t['like']} l JOIN {t['comment']} c ON c.id = l.object_id"
         f" {rule('like_received')} WHERE l.content_type_id = {t['ct_comment']}"
         f" AND l.user_id <> c.author_id AND {live_comment} AND c.author_id {members}"),
        ("lesson_completed",
         f"SELECT g.user_id, r.action, r.points, {t['ct_lesson']}, g.lesson_id, g.user_id,"
         f" g.completed_at FROM {t['progress']} g {rule('lesson_completed')}"
         f" WHERE g.user_id {members}"),
        ("course_completed",
         f"SELECT e.user_id, r.action, r.points, {t['ct_course']}, e.course_id, e.user_id,"
         f" e.completed_at FROM {t['enrollment']} e {rule('course_completed')}"
         f" WHERE e.completed_at IS NOT NULL AND e.user_id {members}"),
        ("event_going",
         f"SELECT v.user_id, r.action, r.points, {t['ct_rsvp']}, v.id, v.user_id,"
         f" v.status_changed_at FROM {t['rsvp']} v {rule('event_going')}"
         f" WHERE v.status = 'going' AND v.user_id {members}"),
    ]  # fmt: skip


AWARD_COLUMNS = "member_id, action, points, source_type_id, source_id, actor_id, created_at"


def _member_range(ctx):
    return ctx.first_member, ctx.first_member + ctx.scale.members - 1


def _expected_awards(ctx):
    """The sources' rows, roughly (for bulk_table's choice to drop the ledger's indexes)."""
    s = ctx.scale
    return s.posts + s.comments + s.likes + s.progress + s.rsvps // 2


# --- steps (appended to bench.dataset.STEPS) ------------------------------------------------------


def load_awards(ctx):
    """The ledger from the sources (one INSERT … SELECT per action); returns its rows."""
    table = quote(ctx.bulk_table(PointAward, _expected_awards(ctx)))
    lo, hi = _member_range(ctx)
    written = 0
    selects = source_selects(lo, hi)
    # The sources were COPYed in this same transaction: without fresh statistics the
    # planner takes them for empty and joins likes to posts in a nested loop.
    for model in (Post, Comment, Like, LessonProgress, Enrollment, Rsvp, PointRule):
        ctx.cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
    with ctx.progress("point awards", len(selects)) as bar:
        for _action, select in selects:
            ctx.cursor.execute(f"INSERT INTO {table} ({AWARD_COLUMNS}) {select}")
            written += ctx.cursor.rowcount
            bar.advance()
    return written


def load_scores(ctx):
    """Score (every member of the scale) and this week's and this month's PeriodScore rows,
    summed from the ledger in SQL; returns the rows written."""
    t = _names()
    lo, hi = _member_range(ctx)
    now = timezone.now()
    moment = datetime.fromtimestamp(ctx.now, UTC)
    score = quote(ctx.bulk_table(Score, ctx.scale.members))
    period = quote(ctx.bulk_table(PeriodScore, ctx.scale.members))
    written = 0
    with ctx.progress("scores", 3) as bar:
        # A reload over a scale's earlier scores (their indexes may be dropped: no upsert).
        ctx.cursor.execute(f"DELETE FROM {score} WHERE member_id BETWEEN {lo:d} AND {hi:d}")
        ctx.cursor.execute(f"DELETE FROM {period} WHERE member_id BETWEEN {lo:d} AND {hi:d}")
        ctx.cursor.execute(
            f"INSERT INTO {score} (member_id, points, level_id, updated_at)"
            f" SELECT u.id, COALESCE(s.points, 0), (SELECT lv.id FROM {t['level']} lv"
            "  WHERE lv.threshold <= COALESCE(s.points, 0) ORDER BY lv.threshold DESC LIMIT 1),"
            f" %s FROM {t['user']} u LEFT JOIN (SELECT member_id, SUM(points) AS points"
            f"  FROM {t['award']} WHERE member_id BETWEEN {lo:d} AND {hi:d} GROUP BY member_id) s"
            f" ON s.member_id = u.id WHERE u.id BETWEEN {lo:d} AND {hi:d}"
            " ON CONFLICT (member_id) DO UPDATE SET points = EXCLUDED.points,"
            " level_id = EXCLUDED.level_id, updated_at = EXCLUDED.updated_at",
            [now],
        )
        written += ctx.cursor.rowcount
        bar.advance()
        for name in (PeriodScore.Period.WEEK, PeriodScore.Period.MONTH):
            starts_on = period_start(name, moment)
            ctx.cursor.execute(
                f"INSERT INTO {period} (member_id, period, starts_on, points)"
                f" SELECT member_id, %s, %s, SUM(points) FROM {t['award']}"
                f" WHERE member_id BETWEEN {lo:d} AND {hi:d} AND created_at >= %s"
                " GROUP BY member_id HAVING SUM(points) > 0",
                [str(name), starts_on, start_moment(starts_on)],
            )
            written += ctx.cursor.rowcount
            bar.advance()
    return written


# --- checks (bench.checks.CHECKS) -----------------------------------------------------------------


def check_score_points(_t):
    """Members whose Score.points differs from the sum of their ledger rows (members with
    awards and no Score row count as bad too)."""
    t = _names()
    sums = f"SELECT member_id, SUM(points) AS n FROM {t['award']} GROUP BY member_id"
    return (
        "SELECT COALESCE(SUM(CASE WHEN s.points IS NULL OR s.points <> COALESCE(a.n, 0)"
        " THEN 1 ELSE 0 END), 0), COUNT(*) FROM ("
        f"  SELECT member_id FROM {t['score']} UNION SELECT member_id FROM {t['award']}"
        f" ) m LEFT JOIN {t['score']} s ON s.member_id = m.member_id"
        f" LEFT JOIN ({sums}) a ON a.member_id = m.member_id"
    )


def _earning_likes(t):
    """(member_id, source_type_id, source_id, actor_id) of every like that earns an award: by
    someone other than the author, on a live post or comment, while the like_received rule
    is active (with none, reconcile_award gives nothing new), of an author gamification
    keeps a score for (every bench member has a Score row from the load; a row written
    outside the services, as some tests do, has no award and no score, and is not looked
    at)."""
    rule = (
        f"EXISTS (SELECT 1 FROM {t['rule']} r WHERE r.action = 'like_received' AND r.active)"
        f" AND EXISTS (SELECT 1 FROM {t['score']} s WHERE s.member_id = {{author}})"
    )
    return (
        f"SELECT p.author_id AS member_id, {t['ct_post']} AS source_type_id,"
        f" p.id AS source_id, l.user_id AS actor_id FROM {t['like']} l"
        f" JOIN {t['post']} p ON p.id = l.object_id"
        f" WHERE l.content_type_id = {t['ct_post']} AND l.user_id <> p.author_id"
        f" AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND {rule.format(author='p.author_id')}"
        f" UNION ALL SELECT c.author_id, {t['ct_comment']}, c.id, l.user_id FROM {t['like']} l"
        f" JOIN {t['comment']} c ON c.id = l.object_id"
        f" WHERE l.content_type_id = {t['ct_comment']} AND l.user_id <> c.author_id"
        f" AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND {rule.format(author='c.author_id')}"
    )


def check_like_awards(_t):
    """Likes that earn (by a non-author, on a live post or comment) without their award, plus
    like_received awards without such a like; checked: the earning likes and the awards."""
    t = _names()
    likes = _earning_likes(t)
    awards = (
        f"SELECT member_id, source_type_id, source_id, actor_id FROM {t['award']}"
        " WHERE action = 'like_received'"
    )
    return (
        "SELECT"
        f" (SELECT COUNT(*) FROM ({likes}) x WHERE NOT EXISTS (SELECT 1 FROM {t['award']} a"
        "   WHERE a.action = 'like_received' AND a.member_id = x.member_id"
        "   AND a.source_type_id = x.source_type_id AND a.source_id = x.source_id"
        "   AND a.actor_id = x.actor_id))"
        f" + (SELECT COUNT(*) FROM ({awards}) a WHERE NOT EXISTS (SELECT 1 FROM ({likes}) x"
        "   WHERE a.member_id = x.member_id AND a.source_type_id = x.source_type_id"
        "   AND a.source_id = x.source_id AND a.actor_id = x.actor_id)),"
        f" (SELECT COUNT(*) FROM ({likes}) x) + (SELECT COUNT(*) FROM ({awards}) a)"
    )


SCORE_CHECK = "score.points = ledger sum"
LIKE_AWARD_CHECK = "like awards = earning likes"
CHECKS = [
    (SCORE_CHECK, check_score_points),
    (LIKE_AWARD_CHECK, check_like_awards),
]


def ledger_mismatches(lo, hi, using=None):
    """Awards of members lo..hi missing from the ledger or in it without a source, per action
    ({action: (missing, extra)}), comparing the ledger with a recount from the sources
    (source_selects): ({}) when they agree."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    key = "member_id, action, source_type_id, source_id, actor_id"
    out = {}
    with conn.cursor() as cursor:
        for name, select in source_selects(lo, hi):
            action = name.split()[0]
            cols = ("member_id", "action", "points", "source_type_id", "source_id", "actor_id",
                    "created_at")  # fmt: skip
            aliased = _alias(select, cols)
            ct = {"like_received (posts)": "ct_post", "like_received (comments)": "ct_comment"}
            where = f"action = '{action}' AND member_id BETWEEN {lo:d} AND {hi:d}"
            if name in ct:
                where += f" AND source_type_id = {_names()[ct[name]]:d}"
            ledger = f"SELECT {key}, points, created_at FROM {quote(PointAward._meta.db_table)} WHERE {where}"  # noqa: E501
            cursor.execute(
                f"SELECT COUNT(*) FROM ({aliased}) w WHERE NOT EXISTS (SELECT 1 FROM ({ledger}) a"
                " WHERE a.member_id = w.member_id AND a.source_type_id = w.source_type_id"
                " AND a.source_id = w.source_id AND a.actor_id = w.actor_id"
                " AND a.points = w.points AND a.created_at = w.created_at)"
            )
            missing = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT COUNT(*) FROM ({ledger}) a WHERE NOT EXISTS (SELECT 1 FROM ({aliased}) w"
                " WHERE a.member_id = w.member_id AND a.source_type_id = w.source_type_id"
                " AND a.source_id = w.source_id AND a.actor_id = w.actor_id)"
            )
            extra = cursor.fetchone()[0]
            if missing or extra:
                out[name] = (missing, extra)
    return out


def _alias(select, columns):
    """`select` wrapped so that its columns have `columns`' names."""
    inner = ", ".join(f"c{i}" for i in range(len(columns)))
    outer = ", ".join(f"c{i} AS {name}" for i, name in enumerate(columns))
    return f"SELECT {outer} FROM ({select}) AS s ({inner})"


# --- facts for the scenarios ----------------------------------------------------------------------


def scenario_facts(scale_name, viewer):
    """The reader's score, all-time rank and the boards' sizes (for the report's context);
    empty when the scale has no ledger."""
    if not loaded(scale_name):
        return {}
    score = Score.objects.filter(member=viewer).values_list("points", flat=True).first() or 0
    week, month = period_start("week"), period_start("month")
    return {
        "reader_points": score,
        "board_all_rows": Score.objects.filter(points__gt=0).count(),
        "board_month_rows": PeriodScore.objects.filter(period="month", starts_on=month).count(),
        "board_week_rows": PeriodScore.objects.filter(period="week", starts_on=week).count(),
    }
