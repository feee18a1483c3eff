"""The benchmark dataset: members, spaces (public, members-only, paid with a tier and
grants), follows, space visits, posts over two years, comments with replies, and likes on
posts and comments, with Zipf-like skew (a few very active members and spaces, a long
tail; a few posts with thousands of likes and hundreds of comments).

Everything is loaded in ONE transaction with COPY and explicit ids (reserved from each
table's sequence), with the big tables' secondary indexes and constraints dropped during
the load and rebuilt at the end, which also checks them. Counters are then set from a
recount in SQL, and the tables are vacuumed and analyzed. A scale is loaded once: its
marker is the space slug `bench-<scale>-0`; a run that fails leaves nothing behind.

To add a kind of row: a field in bench.scales.Scale, and a step appended to STEPS (a
function of the Context that COPYs its rows and returns how many it wrote).
"""

import itertools
import math
import random
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max

from community.models import (
    AccessGrant,
    Comment,
    Follow,
    Hashtag,
    Like,
    Post,
    Space,
    SpaceVisit,
    Tier,
    User,
)
from community.richtext import render_markdown
from community.services.analytics import roll_up_analytics
from payments.models import Customer, Invoice, Plan, Subscription

from . import (
    billing,
    conversations,
    courses,
    events,
    gamification,
    moderation,
    notifications,
    search,
)
from .accounts import READER, TIER_HOLDER
from .bulk import (
    copy_rows,
    drop_secondary_indexes,
    estimated_rows,
    quote,
    reserve_ids,
    restore_indexes,
)
from .progress import Progress
from .scales import SCALES, Scale

BENCH_PASSWORD = "bench-password-2026"  # noqa: S105 - documented, for signing in as a member
DAY = 86_400.0

# Skew exponents (weight of the item of rank r is r ** -s).
AUTHOR_SKEW = 0.8  # who writes posts and comments
SPACE_SKEW = 1.0  # which space a post goes to
COMMENT_SKEW = 0.6  # which post gets comments
LIKE_SKEW = 0.8  # which post or comment gets likes
LIKER_SKEW = 0.5  # who likes
FOLLOWER_SKEW = 0.6
FOLLOWED_SKEW = 1.1

VISIBILITY_CYCLE = ("public", "members", "paid", "members", "public")
TOPICS = (
    "General", "Introductions", "Show & tell", "Help", "Pro lounge", "Announcements", "Design",
    "Engineering", "Writing", "Careers", "Events", "Resources", "Feedback", "Off topic", "Wins",
)  # fmt: skip
ICONS = ("💬", "👋", "🎨", "🆘", "⭐", "📣", "🖌️", "🛠️", "✍️", "💼", "📅", "📚", "🗣️", "🎲", "🏆")
FIRST = (
    "Ada", "Ben", "Chloé", "Dara", "Emil", "Fatima", "Gus", "Hana", "Ivan", "Jun", "Kemi", "Lena",
    "Marco", "Noor", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomás", "Uma", "Viktor", "Wen",
    "Xenia", "Yusuf", "Zoe", "Aiko", "Bruno", "Carmen", "Dmitri",
)  # fmt: skip
LAST = (
    "Okafor", "Rivera", "Chen", "Patel", "Haddad", "Müller", "Kowalski", "Nakamura", "Silva",
    "Andersen", "Dubois", "Rossi", "García", "Nguyen", "Kim", "Ivanova", "Mensah", "Larsen",
    "Costa", "Fischer", "Novak", "Ahmed", "Tanaka", "Smith", "Jones", "Berg", "Lopez", "Khan",
    "Moreau", "Santos",
)  # fmt: skip
TIME_ZONES = (
    "UTC", "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles",
    "Asia/Tokyo", "Asia/Kolkata", "Africa/Lagos", "Australia/Sydney", "America/Sao_Paulo",
)  # fmt: skip
HASHTAGS = ("python", "design", "career", "writing", "showcase", "help", "events", "wins")
_WORDS = (
    "community course lesson design code question answer today week project idea feedback "
    "draft launch learn share build practice habit progress example tip tool workflow "
    "release bug fix review deadline meetup event recording slides notes chapter module "
    "reading writing coffee morning evening weekend goal plan sprint retro demo thanks "
    "welcome update honest simple quick small better first next last great"
)
WORDS = tuple(_WORDS.split())


class Zipf:
    """Draws items of `population` with weight rank ** -s (rank 1 = population[0])."""

    def __init__(self, population, s, rng):
        self.population = population
        self.rng = rng
        self.cum_weights = list(itertools.accumulate(r**-s for r in range(1, len(population) + 1)))

    def draw(self, k):
        return self.rng.choices(self.population, cum_weights=self.cum_weights, k=k)

    def counts(self, k, cap):
        """How many of k draws fell on each index 0..n-1 (the population must be a
        permutation of range(n)), each capped at `cap`."""
        counts = array("l", bytes(8 * len(self.population)))
        for i in self.draw(k):
            counts[i] += 1
        if cap is not None:
            for i, c in enumerate(counts):
                if c > cap:
                    counts[i] = cap
        return counts


def shuffled(n, rng):
    items = list(range(n))
    rng.shuffle(items)
    return items


def ts(epoch):
    return datetime.fromtimestamp(epoch, UTC)


@dataclass
class Context:
    scale: Scale
    rng: random.Random
    cursor: object
    now: float
    show_progress: bool = True
    stream: object = None
    saved_indexes: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # what each step wrote
    # filled in by the steps, for the steps after them
    first_member: int = 0
    space_ids: list = field(default_factory=list)
    first_post: int = 0
    post_times: array = field(default_factory=lambda: array("d"))
    post_popularity: list = field(default_factory=list)
    first_comment: int = 0
    comment_times: array = field(default_factory=lambda: array("d"))
    course_ids: list = field(default_factory=list)
    course_plan: object = None  # bench.courses.Plan: what the course steps pass on
    event_ids: list = field(default_factory=list)
    event_plan: object = None  # bench.events.Plan: what the event steps pass on
    seed: int = 1  # the load's --seed (the course steps seed their own generator with it)
    _authors: Zipf | None = None

    @property
    def start(self):
        return self.now - self.scale.days * DAY

    def progress(self, label, total):
        return Progress(label, total, stream=self.stream, enabled=self.show_progress)

    def bulk_table(self, model, incoming):
        """Drops the table's secondary indexes for the load when the rows coming in are at
        least half of those already there (then a rebuild is cheaper than upkeep)."""
        table = model._meta.db_table
        if incoming >= estimated_rows(self.cursor, table) / 2:
            self.saved_indexes.append(drop_secondary_indexes(self.cursor, table))
        return table

    def authors(self):
        """Members by activity: bench-<scale>-0 is the most active, the tail writes little."""
        if self._authors is None:
            self._authors = Zipf(range(self.scale.members), AUTHOR_SKEW, self.rng)
        return self._authors

    def member_id(self, index):
        return self.first_member + index


def _sentence(rng, lo=6, hi=16):
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?", "!"))


def _text_pool(rng, size, *, sentences=(1, 4), tags=False):
    """(markdown, html, hashtag or None) triples, rendered once and reused."""
    pool = []
    for i in range(size):
        body = " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))
        tag = HASHTAGS[i % len(HASHTAGS)] if tags and i % 5 == 0 else None
        if tag:
            body += f" #{tag}"
        pool.append((body, render_markdown(body), tag))
    return pool


# --- steps --------------------------------------------------------------------------------


def load_members(ctx):
    scale, rng, n = ctx.scale, ctx.rng, ctx.scale.members
    table = User._meta.db_table
    ctx.first_member = first = reserve_ids(ctx.cursor, table, n)
    password = make_password(BENCH_PASSWORD)  # hashed once, shared by every bench member
    bios = _text_pool(rng, 50, sentences=(1, 2))
    columns = (
        "id", "password", "last_login", "is_superuser", "email", "display_name", "bio",
        "bio_html", "avatar", "time_zone", "profile_visibility", "role", "is_active",
        "is_staff", "banned_at", "banned_until", "ban_reason", "created_at", "updated_at",
        "handle",
    )  # fmt: skip

    def rows():
        for i in range(n):
            role = "admin" if i == 0 else "moderator" if i in (1, 2) else "member"
            joined = ts(ctx.start - rng.random() * 365 * DAY)
            bio, bio_html, _ = rng.choice(bios) if rng.random() < 0.3 else ("", "", None)
            private = i > 10 and rng.random() < 0.05
            yield (
                first + i, password, None, False, f"bench-{scale.name}-{i}@bench.localhost",
                f"{rng.choice(FIRST)} {rng.choice(LAST)}", bio, bio_html, "",
                rng.choice(TIME_ZONES), "private" if private else "public", role, True,
                role != "member", None, None, "", joined, joined, f"bench-{scale.name}-{i}",
            )  # fmt: skip

    with ctx.progress("members", 2 * n) as bar:
        written = copy_rows(ctx.cursor, table, columns, rows(), bar)
        emails = (
            (f"bench-{scale.name}-{i}@bench.localhost", True, True, first + i) for i in range(n)
        )
        copy_rows(
            ctx.cursor,
            EmailAddress._meta.db_table,
            ("email", "verified", "primary", "user_id"),
            emails,
            bar,
        )
    return written


def tier_slug(scale_name):
    return f"bench-{scale_name}-pro"


def load_spaces(ctx):
    """The spaces (space 0 is the busiest, and public), the tier that opens the paid ones,
    and grants of it: most active, some expired or revoked."""
    scale, rng = ctx.scale, ctx.rng
    # Listed: members without it see the paid spaces locked, with the page saying how to get in
    # (the locked-space scenario), as a community selling a tier would have it.
    tier, _ = Tier.objects.get_or_create(
        slug=tier_slug(scale.name),
        defaults={"name": f"Bench {scale.name} Pro", "description": "Benchmark tier.",
                  "listed": True},
    )  # fmt: skip
    position = (Space.objects.aggregate(n=Max("position"))["n"] or 0) + 1
    spaces = []
    for i in range(scale.spaces):
        visibility = VISIBILITY_CYCLE[i % len(VISIBILITY_CYCLE)]
        spaces.append(
            Space(
                name=f"{TOPICS[i % len(TOPICS)]} {i} ({scale.name})",
                slug=f"bench-{scale.name}-{i}",
                description=_sentence(rng),
                icon=ICONS[i % len(ICONS)],
                visibility=visibility,
                required_tier=tier if visibility == "paid" else None,
                position=position + i,
                created_at=ts(ctx.start - 30 * DAY),
            )
        )
    ctx.space_ids = [space.pk for space in Space.objects.bulk_create(spaces)]

    holders = rng.sample(range(scale.members), int(scale.members * scale.granted_share))
    if scale.members > READER:
        holders = sorted({TIER_HOLDER, *holders} - {READER})
    columns = (
        "source", "starts_at", "ends_at", "revoked_at", "note", "created_at", "granted_by_id",
        "user_id", "tier_id",
    )  # fmt: skip

    def grants():
        for i in holders:
            starts = ctx.start + rng.random() * (ctx.now - ctx.start - DAY)
            ends = revoked = None
            roll = rng.random()
            if i != TIER_HOLDER and roll < 0.05:  # expired
                ends = ts(starts + rng.uniform(1, 60) * DAY)
            elif i != TIER_HOLDER and roll < 0.1:  # revoked
                revoked = ts(starts + DAY)
            source = "manual" if roll > 0.9 else "payment"
            yield (source, ts(starts), ends, revoked, "bench", ts(starts), None, ctx.member_id(i),
                   tier.pk)  # fmt: skip

    with ctx.progress("grants", len(holders)) as bar:
        copy_rows(ctx.cursor, AccessGrant._meta.db_table, columns, grants(), bar)
    return len(spaces)


def load_follows(ctx):
    scale, rng, n = ctx.scale, ctx.rng, ctx.scale.members
    target = min(scale.follows, n * (n - 1) // 4)
    followers = Zipf(range(n), FOLLOWER_SKEW, rng)
    followed = Zipf(range(n), FOLLOWED_SKEW, rng)  # bench-<scale>-0.. are the best followed
    pairs, tries = set(), 0
    while len(pairs) < target and tries < 20:
        tries += 1
        batch = target - len(pairs)
        for a, b in zip(followers.draw(batch), followed.draw(batch), strict=True):
            if a != b:
                pairs.add(a * n + b)
    table = ctx.bulk_table(Follow, len(pairs))
    rows = (
        (ts(ctx.start + rng.random() * (ctx.now - ctx.start)), ctx.member_id(p % n),
         ctx.member_id(p // n))
        for p in sorted(pairs)
    )  # fmt: skip
    with ctx.progress("follows", len(pairs)) as bar:
        return copy_rows(ctx.cursor, table, ("created_at", "followed_id", "follower_id"), rows, bar)


def load_space_visits(ctx):
    """Every member has visited a few spaces; the most active members most of them."""
    rng, n = ctx.rng, ctx.scale.members
    spaces = len(ctx.space_ids)
    visits = [
        rng.sample(
            ctx.space_ids, spaces if i < n // 100 else 1 + int((spaces - 1) * rng.random() ** 3)
        )
        for i in range(n)
    ]
    total = sum(len(v) for v in visits)
    table = ctx.bulk_table(SpaceVisit, total)

    def rows():
        for i, chosen in enumerate(visits):
            for space_id in chosen:
                yield (ts(ctx.now - rng.expovariate(1 / (3 * DAY))), space_id, ctx.member_id(i))

    with ctx.progress("space visits", total) as bar:
        return copy_rows(ctx.cursor, table, ("last_visited_at", "space_id", "user_id"), rows(), bar)


def load_posts(ctx):
    """Posts over `days` days, more of them recently; a third are articles (with a title);
    two pinned per space, a few edited, hidden or deleted; some carry a hashtag."""
    rng, n = ctx.rng, ctx.scale.posts
    span = ctx.now - ctx.start
    ctx.post_times = array(
        "d", sorted(ctx.start + span * math.sqrt(rng.random()) for _ in range(n))
    )
    ctx.post_popularity = shuffled(n, rng)
    spaces = Zipf(ctx.space_ids, SPACE_SKEW, rng).draw(n)
    authors = ctx.authors().draw(n)
    pool = _text_pool(rng, 300, tags=True)
    titles = [_sentence(rng, 3, 8).rstrip(".?!") for _ in range(200)]
    tag_ids = {
        name: Hashtag.objects.get_or_create(name=name)[0].pk for name in HASHTAGS
    }  # a handful of rows: the ORM is fine
    pinned, pins_left = set(), dict.fromkeys(ctx.space_ids, 2)
    for i in range(n - 1, -1, -1):
        if pins_left[spaces[i]]:
            pins_left[spaces[i]] -= 1
            pinned.add(i)
        if not any(pins_left.values()):
            break
    ctx.first_post = first = reserve_ids(ctx.cursor, Post._meta.db_table, n)
    table = ctx.bulk_table(Post, n)
    tags_table = ctx.bulk_table(Post.hashtags.through, n // 5)
    tagged = []
    columns = (
        "id", "title", "body", "body_html", "like_count", "comment_count", "pinned_at",
        "hidden_at", "edited_at", "deleted_at", "created_at", "updated_at", "author_id",
        "space_id",
    )  # fmt: skip

    def rows():
        for i in range(n):
            created = ctx.post_times[i]
            body, html, tag = rng.choice(pool)
            if tag:
                tagged.append((first + i, tag_ids[tag]))
            roll = rng.random()
            edited = ts(created + 3600) if roll < 0.03 else None
            hidden = ts(created + 7200) if 0.03 <= roll < 0.032 else None
            deleted = ts(created + 7200) if 0.032 <= roll < 0.037 and i not in pinned else None
            title = rng.choice(titles) if rng.random() < 0.35 else ""
            if search.mentions_rare_word(first + i):
                body, html = body + search.RARE_BODY, html + search.RARE_HTML
            yield (
                first + i, title, body, html, 0, 0, ts(created + 600) if i in pinned else None,
                hidden, edited, deleted, ts(created), edited or ts(created),
                ctx.member_id(authors[i]), spaces[i],
            )  # fmt: skip

    with ctx.progress("posts", n) as bar:
        written = copy_rows(ctx.cursor, table, columns, rows(), bar)
    copy_rows(ctx.cursor, tags_table, ("post_id", "hashtag_id"), tagged)
    return written


def load_comments(ctx):
    """Comments on a skewed choice of posts (the most popular ones get hundreds or
    thousands), each after its post; `reply_share` of them reply to an earlier top-level
    comment of the same post; 1 % are deleted."""
    scale, rng = ctx.scale, ctx.rng
    counts = Zipf(ctx.post_popularity, COMMENT_SKEW, rng).counts(scale.comments, None)
    total = sum(counts)
    authors = ctx.authors().draw(total)
    pool = _text_pool(rng, 300, sentences=(1, 3))
    ctx.first_comment = first = reserve_ids(ctx.cursor, Comment._meta.db_table, total)
    table = ctx.bulk_table(Comment, total)
    times = ctx.comment_times = array("d")
    latest = ctx.now - 1
    columns = (
        "id", "body", "body_html", "like_count", "edited_at", "deleted_at", "created_at",
        "author_id", "parent_id", "post_id",
    )  # fmt: skip

    def rows():
        next_id = first
        for post, count in enumerate(counts):
            if not count:
                continue
            base = ctx.post_times[post]
            tops = []
            for created in sorted(
                min(latest, base + rng.expovariate(1 / (2 * DAY))) for _ in range(count)
            ):
                parent = None
                if tops and rng.random() < scale.reply_share:
                    parent = rng.choice(tops)
                else:
                    tops.append(next_id)
                body, html, _ = rng.choice(pool)
                deleted = ts(created + 60) if rng.random() < 0.01 else None
                yield (
                    next_id, body, html, 0, None, deleted, ts(created),
                    ctx.member_id(authors[next_id - first]), parent, ctx.first_post + post,
                )  # fmt: skip
                times.append(created)
                next_id += 1

    with ctx.progress("comments", total) as bar:
        return copy_rows(ctx.cursor, table, columns, rows(), bar)


def load_likes(ctx):
    """Likes on posts and comments, each member at most once per target; the hottest
    targets get thousands (capped at half the members), most a few or none."""
    scale, rng, n = ctx.scale, ctx.rng, ctx.scale.members
    cap = max(1, n // 2)
    on_posts = int(scale.likes * scale.post_like_share)
    post_counts = Zipf(ctx.post_popularity, LIKE_SKEW, rng).counts(on_posts, cap)
    comment_counts = array("l")
    if ctx.comment_times:
        popularity = shuffled(len(ctx.comment_times), rng)
        comment_counts = Zipf(popularity, LIKE_SKEW, rng).counts(scale.likes - on_posts, cap)
    likers = Zipf(range(n), LIKER_SKEW, rng)
    ct_post = ContentType.objects.get_for_model(Post).pk
    ct_comment = ContentType.objects.get_for_model(Comment).pk
    total = sum(post_counts) + sum(comment_counts)
    table = ctx.bulk_table(Like, total)
    latest = ctx.now - 1

    def distinct_likers(count):
        if count * 3 > n:
            return rng.sample(range(n), count)
        chosen = set()
        while len(chosen) < count:
            chosen.update(likers.draw(count - len(chosen)))
        return chosen

    def rows():
        for content_type, first, counts, times in (
            (ct_post, ctx.first_post, post_counts, ctx.post_times),
            (ct_comment, ctx.first_comment, comment_counts, ctx.comment_times),
        ):
            for i, count in enumerate(counts):
                if not count:
                    continue
                base = times[i]
                for member in distinct_likers(count):
                    created = min(latest, base + rng.expovariate(1 / DAY))
                    yield (first + i, ts(created), content_type, ctx.member_id(member))

    with ctx.progress("likes", total) as bar:
        return copy_rows(
            ctx.cursor, table, ("object_id", "created_at", "content_type_id", "user_id"), rows(),
            bar,
        )  # fmt: skip


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], int]


def load_payments(ctx):
    """The paid tier's plans, Stripe customers, subscriptions and invoices (bench/billing.py);
    returns the number of rows."""
    return sum(billing.seed_payments(ctx.scale, now=ctx.now).values())


STEPS = [
    Step("members", load_members),
    Step("spaces", load_spaces),
    Step("follows", load_follows),
    Step("space visits", load_space_visits),
    Step("posts", load_posts),
    Step("comments", load_comments),
    Step("likes", load_likes),
    Step("payments", load_payments),
    # Notifications (bench/notifications.py): of the comments, likes and follows above.
    Step("notifications", notifications.load_notifications),
    # Direct messages (bench/conversations.py): conversations, their sides and messages.
    Step("direct messages", conversations.load_conversations),
    # Courses (bench/courses.py): courses and modules, lessons, enrollments, progress.
    Step("courses", courses.load_courses),
    Step("lessons", courses.load_lessons),
    Step("enrollments", courses.load_enrollments),
    Step("lesson progress", courses.load_progress),
    # Events (bench/events.py): events and their occurrence changes, RSVPs.
    Step("events", events.load_events),
    Step("rsvps", events.load_rsvps),
    # Gamification (bench/gamification.py): the ledger from the sources above, then the
    # scores and this week's and month's period rows summed from it.
    Step("point awards", gamification.load_awards),
    Step("scores", gamification.load_scores),
    # Reports (bench/moderation.py): open and closed ones, the closed ones' audit entries.
    Step("reports", moderation.load_reports),
]


def _named(*names):
    """The steps of those names, in STEPS' order (what a scale loaded before them adds)."""
    return [step for step in STEPS if step.name in names]


COURSE_STEPS = _named("courses", "lessons", "enrollments", "lesson progress")
EVENT_STEPS = _named("events", "rsvps")
GAMIFICATION_STEPS = _named("point awards", "scores")
NOTIFICATION_STEPS = _named("notifications")
CONVERSATION_STEPS = _named("direct messages")
REPORT_STEPS = _named("reports")


# --- counters -------------------------------------------------------------------------------


def _recount_statement(target, column, source, lo, hi):
    """One set-based UPDATE: `column` of the rows of `target` with ids lo..hi set from a
    grouped count of `source` (SQL selecting object_id, n), touching only rows that differ."""
    return (
        f"UPDATE {target} t SET {column} = r.n FROM ("  # noqa: S608 - our own table names
        f" SELECT x.id, COALESCE(s.n, 0) AS n FROM {target} x"
        f" LEFT JOIN ({source}) s ON s.object_id = x.id WHERE x.id BETWEEN {lo:d} AND {hi:d}"
        f") r WHERE t.id = r.id AND t.{column} <> r.n"
    )


def recount_counters(ctx):
    """like_count and comment_count of the loaded posts and comments from the source rows:
    the same numbers community.tasks.recount_post computes, one UPDATE per counter."""
    posts, comments = quote(Post._meta.db_table), quote(Comment._meta.db_table)
    likes = quote(Like._meta.db_table)
    ct_post = ContentType.objects.get_for_model(Post).pk
    ct_comment = ContentType.objects.get_for_model(Comment).pk
    post_hi = ctx.first_post + ctx.scale.posts - 1
    comment_hi = ctx.first_comment + len(ctx.comment_times) - 1

    def likes_of(content_type, lo, hi):
        return (
            f"SELECT object_id, count(*) AS n FROM {likes} WHERE content_type_id = {content_type:d}"  # noqa: S608
            f" AND object_id BETWEEN {lo:d} AND {hi:d} GROUP BY object_id"
        )

    live_comments = (
        f"SELECT post_id AS object_id, count(*) AS n FROM {comments}"  # noqa: S608
        f" WHERE deleted_at IS NULL AND post_id BETWEEN {ctx.first_post:d} AND {post_hi:d}"
        " GROUP BY post_id"
    )
    statements = [
        ("post.like_count", _recount_statement(
            posts, "like_count", likes_of(ct_post, ctx.first_post, post_hi), ctx.first_post, post_hi
        )),
        ("post.comment_count", _recount_statement(
            posts, "comment_count", live_comments, ctx.first_post, post_hi
        )),
        ("comment.like_count", _recount_statement(
            comments, "like_count", likes_of(ct_comment, ctx.first_comment, comment_hi),
            ctx.first_comment, comment_hi,
        )),
    ]  # fmt: skip
    statements += _course_recounts(ctx)
    statements += _event_recounts(ctx)
    updated = {}
    with ctx.progress("recount", len(statements)) as bar:
        for name, sql in statements:
            ctx.cursor.execute(sql)
            updated[name] = ctx.cursor.rowcount
            bar.advance()
    return updated


def _course_recounts(ctx):
    """lesson_count and enrollment_count of the loaded courses (courses.tasks.recount_course's
    numbers), one UPDATE each."""
    if not ctx.course_ids:
        return []
    table = quote(courses.Course._meta.db_table)
    lo, hi = min(ctx.course_ids), max(ctx.course_ids)
    return [
        (name, _recount_statement(table, name.split(".")[1], source, lo, hi))
        for name, source in courses.recount_statements(lo, hi)
    ]


def _event_recounts(ctx):
    """rsvp_count of the loaded events (events.tasks.recount_event's number), one UPDATE."""
    if not ctx.event_ids:
        return []
    table = quote(events.Event._meta.db_table)
    lo, hi = min(ctx.event_ids), max(ctx.event_ids)
    return [
        (name, _recount_statement(table, name.split(".")[1], source, lo, hi))
        for name, source in events.recount_statements(lo, hi)
    ]


# --- the whole load ---------------------------------------------------------------------------


class NotPostgres(Exception):
    pass


def loaded(scale_name):
    return Space.objects.filter(slug=SCALES[scale_name].marker_slug()).exists()


def seed(scale_name, *, seed=1, show_progress=True, stream=None, log=None):
    """Loads the scale unless it is already there. Returns a report dict: `skipped`, rows
    and seconds per step, counters updated by the recount, total seconds."""
    if connection.vendor != "postgresql":
        raise NotPostgres(
            "seed_bench needs PostgreSQL (it loads with COPY); this database is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://… to a scratch database."
        )
    scale = SCALES[scale_name]
    log = log or (lambda line: None)
    stream = stream or sys.stderr
    if loaded(scale_name):
        log(f"Scale {scale_name!r} is already loaded (space {scale.marker_slug()!r} exists).")
        # Scales loaded before the tier was listed: list it, as a fresh load does.
        Tier.objects.filter(slug=tier_slug(scale_name)).update(listed=True)
        # Scales loaded before payments existed: their plans, customers and subscribers.
        added = billing.seed_payments(scale)
        if added:
            log("Added the paid tier's " + ", ".join(f"{n:,} {k}" for k, n in added.items()) + ".")
        # Scales loaded before courses existed: their courses, enrollments and progress.
        added_courses = add_courses(scale, seed=seed, show_progress=show_progress, stream=stream)
        if added_courses:
            log("Added " + ", ".join(f"{n:,} {k}" for k, n in added_courses.items()) + ".")
        # Scales loaded before events existed: their events and RSVPs.
        added_events = add_events(scale, seed=seed, show_progress=show_progress, stream=stream)
        if added_events:
            log("Added " + ", ".join(f"{n:,} {k}" for k, n in added_events.items()) + ".")
        # Scales loaded before gamification existed: their ledger, scores and period rows.
        added_points = add_gamification(
            scale, seed=seed, show_progress=show_progress, stream=stream
        )
        if added_points:
            log("Added " + ", ".join(f"{n:,} {k}" for k, n in added_points.items()) + ".")
        # Scales loaded before notifications existed: those of their comments, likes, follows.
        added_notifications = add_notifications(
            scale, seed=seed, show_progress=show_progress, stream=stream
        )
        if added_notifications:
            log("Added " + ", ".join(f"{n:,} {k}" for k, n in added_notifications.items()) + ".")
        # Scales loaded before direct messages existed: their conversations and messages.
        added_messages = add_conversations(
            scale, seed=seed, show_progress=show_progress, stream=stream
        )
        if added_messages:
            log("Added " + ", ".join(f"{n:,} {k}" for k, n in added_messages.items()) + ".")
        # Scales loaded before reports existed: their reports and the audit log's decisions.
        added_reports = add_reports(scale, seed=seed, show_progress=show_progress, stream=stream)
        if added_reports:
            log("Added " + ", ".join(f"{n:,} {k}" for k, n in added_reports.items()) + ".")
        # Scales loaded before search existed: the rare word its scenarios look for.
        rare_word_posts = search.add_rare_word(scale_name)
        if rare_word_posts:
            log(f"Added the word {search.RARE_WORD!r} to {rare_word_posts:,} posts.")
        # Scales loaded before "Did you mean": the words it corrects towards.
        search_terms = search.write_vocabulary()
        if search_terms:
            log(f"Wrote the {search_terms:,} words search corrects towards.")
        # The staff in their groups (the admin site), whoever loaded the scale.
        moderation.staff_access(scale_name)
        # The analytics' rollups of the days closed since the last run (every day on a scale
        # loaded before rollups existed): no beat runs the nightly task beside the bench.
        rolled_up = roll_up_analytics()
        return {
            "scale": scale_name,
            "skipped": True,
            "payments_added": added,
            "courses_added": added_courses,
            "events_added": added_events,
            "gamification_added": added_points,
            "notifications_added": added_notifications,
            "conversations_added": added_messages,
            "reports_added": added_reports,
            "rare_word_posts": rare_word_posts,
            "search_terms": search_terms,
            "analytics_days_rolled_up": rolled_up,
        }
    report = {"scale": scale_name, "skipped": False, "rows": {}, "seconds": {}}
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Foreign keys checked at each statement's end, so no trigger events are pending
        # when a later step drops a table's constraints for its load.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        ctx = Context(
            scale=scale, rng=random.Random(seed), cursor=cursor, now=float(int(time.time())),
            show_progress=show_progress, stream=stream, seed=seed,
        )  # fmt: skip
        for step in STEPS:
            step_started = time.monotonic()
            report["rows"][step.name] = step.run(ctx)
            report["seconds"][step.name] = round(time.monotonic() - step_started, 1)
        step_started = time.monotonic()
        report["recounted"] = recount_counters(ctx)
        report["seconds"]["recount"] = round(time.monotonic() - step_started, 1)
        step_started = time.monotonic()
        rebuild = sum(len(s.constraints) + len(s.indexes) for s in ctx.saved_indexes)
        with ctx.progress("indexes", rebuild) as bar:
            for saved in ctx.saved_indexes:
                restore_indexes(cursor, saved, bar)
        report["seconds"]["indexes"] = round(time.monotonic() - step_started, 1)
    step_started = time.monotonic()
    analyze(in_transaction=connection.in_atomic_block)
    report["seconds"]["vacuum analyze"] = round(time.monotonic() - step_started, 1)
    # The analytics pages then read the closed days from the rollups, as they would after
    # the nightly task on a real install.
    step_started = time.monotonic()
    roll_up_analytics()
    report["seconds"]["analytics rollups"] = round(time.monotonic() - step_started, 1)
    step_started = time.monotonic()
    report["rows"]["search terms"] = search.write_vocabulary()
    report["seconds"]["search terms"] = round(time.monotonic() - step_started, 1)
    report["seconds"]["total"] = round(time.monotonic() - started, 1)
    return report


ANALYZED = (
    User, EmailAddress, AccessGrant, Space, SpaceVisit, Follow, Post, Comment, Like, Plan,
    Customer, Subscription, Invoice, *courses.COURSE_MODELS, *events.EVENT_MODELS,
    *gamification.GAMIFICATION_MODELS, *notifications.NOTIFICATION_MODELS,
    *conversations.CONVERSATION_MODELS, *moderation.MODERATION_MODELS,
)  # fmt: skip


def add_courses(scale, *, seed=1, show_progress=True, stream=None):
    """The course steps alone, for a scale loaded before courses existed. Returns {kind:
    rows} ({} when the scale has its courses or has none)."""
    if not scale.courses or courses.loaded(scale.name):
        return {}
    return _add_steps(scale, COURSE_STEPS, _course_recounts, courses.COURSE_MODELS,
                      seed=seed, show_progress=show_progress, stream=stream)  # fmt: skip


def add_events(scale, *, seed=1, show_progress=True, stream=None):
    """The event steps alone, for a scale loaded before events existed. Returns {kind:
    rows} ({} when the scale has its events or has none)."""
    if not scale.events or events.loaded(scale.name):
        return {}
    return _add_steps(scale, EVENT_STEPS, _event_recounts, events.EVENT_MODELS,
                      seed=seed, show_progress=show_progress, stream=stream)  # fmt: skip


def add_gamification(scale, *, seed=1, show_progress=True, stream=None):
    """The gamification steps alone (ledger, scores), for a scale loaded before gamification
    existed, after its courses and events were added. Returns {kind: rows} ({} when the
    scale has its ledger)."""
    if gamification.loaded(scale.name):
        return {}
    return _add_steps(scale, GAMIFICATION_STEPS, lambda ctx: [],
                      gamification.GAMIFICATION_MODELS, seed=seed,
                      show_progress=show_progress, stream=stream)  # fmt: skip


def add_notifications(scale, *, seed=1, show_progress=True, stream=None):
    """The notifications step alone, for a scale loaded before messaging existed. Returns
    {kind: rows} ({} when the scale has its notifications)."""
    if notifications.loaded(scale.name):
        return {}
    return _add_steps(scale, NOTIFICATION_STEPS, lambda ctx: [],
                      notifications.NOTIFICATION_MODELS, seed=seed,
                      show_progress=show_progress, stream=stream)  # fmt: skip


def add_conversations(scale, *, seed=1, show_progress=True, stream=None):
    """The direct-message step alone, for a scale loaded before it existed. Returns
    {"direct messages": messages written} ({} when the scale has them)."""
    if conversations.loaded(scale.name) or not scale.conversations:
        return {}
    return _add_steps(scale, CONVERSATION_STEPS, lambda ctx: [],
                      conversations.CONVERSATION_MODELS, seed=seed,
                      show_progress=show_progress, stream=stream)  # fmt: skip


def add_reports(scale, *, seed=1, show_progress=True, stream=None):
    """The reports step alone, for a scale loaded before reports existed. Returns {"reports":
    reports written} ({} when the scale has them or has none)."""
    if not scale.report_targets or moderation.loaded(scale.name):
        return {}
    return _add_steps(scale, REPORT_STEPS, lambda ctx: [], moderation.MODERATION_MODELS,
                      seed=seed, show_progress=show_progress, stream=stream)  # fmt: skip


def _add_steps(scale, steps, recounts, models, *, seed, show_progress, stream):
    """`steps` alone on a loaded scale: in their own transaction, indexes dropped and rebuilt
    as in a full load, counters recounted (`recounts` of the Context), `models`' tables
    analyzed. Their draws have their own generators, so they add what a fresh load would."""
    first_member = User.objects.filter(handle=f"bench-{scale.name}-0").values_list("pk", flat=True)
    if not first_member:
        return {}
    added = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        ctx = Context(
            scale=scale, rng=random.Random(seed), cursor=cursor, now=float(int(time.time())),
            show_progress=show_progress, stream=stream or sys.stderr, seed=seed,
            first_member=first_member[0],
        )  # fmt: skip
        for step in steps:
            added[step.name] = step.run(ctx)
        for _name, sql in recounts(ctx):
            cursor.execute(sql)
        for saved in ctx.saved_indexes:
            restore_indexes(cursor, saved)
    analyze(in_transaction=connection.in_atomic_block, models=models)
    return added


def analyze(*, in_transaction=False, models=None):
    """VACUUM (ANALYZE) the loaded tables (visibility map for index-only scans, fresh
    statistics); plain ANALYZE when called inside a transaction."""
    command = "ANALYZE" if in_transaction else "VACUUM (ANALYZE)"
    if models is not None:
        tables = [m._meta.db_table for m in models]
    else:
        tables = [m._meta.db_table for m in ANALYZED] + [Post.hashtags.through._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {quote(table)}")
