"""The read scenarios of the benchmark runner: the one registry a new read path is added to.

A scenario is a name, how it authenticates ("session" cookie or "token" Bearer header), a
function of the `Context` (the bench member, the busy space, the post with most comments,
the deep cursor, …) that returns the path to load, its targets (none or several), and whether
its queries go into the report's EXPLAIN section. Later features append theirs to SCENARIOS
(and, if they need a new fact such as "the busiest course", a field on Context filled in
`build_context`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.search import MISSPELT, PREFIX, RARE_WORD, TWO_WORDS

DEEP_PAGE = 500


@dataclass
class Context:
    scale: str
    member_email: str
    member_id: int
    space_id: int
    space_slug: str
    locked_space_slug: str  # a paid space whose tier the member does not hold
    post_id: int
    post_comments: int
    deep_cursor: str
    deep_page: int
    search: str
    profile_id: int
    extra: dict = field(default_factory=dict)
    # Courses (bench/courses.py): course 0, 20 modules x 20 lessons, in which the member is
    # enrolled part-way, and the member's next lesson in it ("" and 0 on a scale without).
    course_slug: str = ""
    lesson_id: int = 0
    # Events (bench/events.py): the weekly showcase event and its next occurrence (its URL
    # key, 20261210T180000Z), and the month of the month view and API list scenarios.
    event_slug: str = ""
    event_occurrence: str = ""
    events_year: int = 0
    events_month: int = 0
    # Direct messages (bench/conversations.py): the reader's 1,000-message conversation and
    # the API cursor of its 40th page (0 and "" on a scale without).
    conversation_id: int = 0
    thread_deep_cursor: str = ""


@dataclass(frozen=True)
class Target:
    """`kind` "ratio": requests/s ≥ factor x the reference scenario's requests/s;
    "within": requests/s at least (1 - factor) x the reference's (the deep page may not be
    more than `factor` slower than the first)."""

    kind: str
    reference: str
    factor: float

    def describe(self):
        if self.kind == "ratio":
            return f"≥ {self.factor:g}x {self.reference} req/s"
        return f"within {self.factor:.0%} of {self.reference} req/s"

    def met(self, rps, reference_rps):
        if not reference_rps:
            return None
        if self.kind == "ratio":
            return rps >= self.factor * reference_rps
        return rps >= (1 - self.factor) * reference_rps


@dataclass(frozen=True)
class LatencyTarget:
    """The p50 and p99 of one client's requests, each sent when the last answered (wrk with
    one connection): what a member waits, where the load runs measure throughput."""

    p50_ms: float
    p99_ms: float

    def describe(self):
        return f"one client: p50 ≤ {self.p50_ms:g} ms, p99 ≤ {self.p99_ms:g} ms"

    def met(self, measured):
        return measured["p50_ms"] <= self.p50_ms and measured["p99_ms"] <= self.p99_ms


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: Callable[[Context], str]
    # "session" (the sign-in cookie), "token" (Authorization: Bearer) or "anonymous" (neither)
    auth: str = "session"
    probe: bool = False
    targets: tuple[Target, ...] = ()
    latency: LatencyTarget | None = None  # measured by one client too, after the load run
    explain: bool = False  # EXPLAIN (ANALYZE, BUFFERS, SETTINGS) its queries in the report
    # A URL name the scenario's page needs: while this build has no such name, the scenario
    # is registered but not run (a feature's scenarios can land before its pages).
    needs: str = ""
    # Who is signed in (session or token): "reader" (bench-<scale>-10, a plain member),
    # "admin" (bench-<scale>-0) or "moderator" (bench-<scale>-1); bench.accounts.SIGNED_IN.
    member: str = "reader"


def has_url(name):
    """Whether this build's URLconf has the URL name (namespaced "app:name" or plain)."""
    if not name:
        return True
    from django.urls import get_resolver

    resolver = get_resolver()
    namespace, _, view = name.rpartition(":")
    if namespace:
        if namespace not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[namespace][1]
    return view in resolver.reverse_dict


class Registry(list):
    """A list of scenarios whose iteration leaves out those whose page (`needs`) this build
    does not have yet; `registered()` lists them all."""

    def __iter__(self):
        return (s for s in super().__iter__() if has_url(s.needs))

    def registered(self):
        return list(super().__iter__())


def _q(path, **params):
    return f"{path}?{urlencode(params)}"


def _url(name, path, *args):
    """The path of URL name `name` (with `args`), or `path` (what it is planned to be) while
    this build has no such name: the run then fails on that scenario with the status it got."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return path


# The targets: every HTML page at least half the feed-probe's requests/s, the API
# feed 0.8 of it (each measured in the same run).
HTML_TARGET = Target("ratio", "feed-probe", 0.5)
API_FEED_TARGET = Target("ratio", "feed-probe", 0.8)
# Issue 16: each leaderboard within 2x the feed-probe's latency (at a fixed concurrency,
# half its requests/s).
LEADERBOARD_TARGET = Target("ratio", "feed-probe", 0.5)
# Issue 19: the first page of search results, one searcher at a time.
SEARCH_LATENCY = LatencyTarget(p50_ms=30, p99_ms=150)


SCENARIOS = Registry(
    [
        Scenario("hello", "probe: trivial JSON", lambda c: "/bench/hello", probe=True),
        Scenario(
            "feed-probe",
            "probe: the feed's SQL via .values()",
            lambda c: "/bench/feed-probe",
            probe=True,
        ),
        Scenario(
            "feed-all",
            "home feed, All (HTML)",
            lambda c: "/",
            targets=(HTML_TARGET,),
            explain=True,
        ),
        Scenario(
            "feed-following",
            "home feed, Following (HTML)",
            lambda c: _q("/", tab="following"),
            targets=(HTML_TARGET,),
        ),
        Scenario(
            "feed-popular",
            "home feed, Popular (HTML)",
            lambda c: _q("/", tab="popular"),
            targets=(HTML_TARGET,),
        ),
        Scenario(
            "feed-deep",
            "home feed, deep page by cursor (HTML)",
            lambda c: _q("/", cursor=c.deep_cursor),
            targets=(HTML_TARGET, Target("within", "feed-all", 0.15)),
        ),
        Scenario(
            "space-busy",
            "busiest space with pinned posts (HTML)",
            lambda c: f"/spaces/{c.space_slug}/",
            targets=(HTML_TARGET,),
            explain=True,
        ),
        Scenario(
            "space-locked",
            "paid space, member without the tier: the locked preview (HTML)",
            lambda c: f"/spaces/{c.locked_space_slug}/",
            targets=(HTML_TARGET,),
        ),
        Scenario(
            "post-comments",
            "post with the most comments (HTML)",
            lambda c: f"/posts/{c.post_id}/",
            targets=(HTML_TARGET,),
            explain=True,
        ),
        Scenario(
            "directory-search",
            "member directory, name search (HTML)",
            lambda c: _q("/members/", q=c.search),
            targets=(HTML_TARGET,),
            explain=True,
        ),
        Scenario(
            "profile",
            "a busy member's profile (HTML)",
            lambda c: f"/members/{c.profile_id}/",
            targets=(HTML_TARGET,),
        ),
        Scenario(
            "api-feed",
            "API feed /api/v1/posts/ (token)",
            lambda c: "/api/v1/posts/",
            auth="token",
            targets=(API_FEED_TARGET,),
        ),
        Scenario(
            "api-feed-deep",
            "API feed, deep page by cursor (token)",
            lambda c: _q("/api/v1/posts/", cursor=c.deep_cursor),
            auth="token",
            targets=(Target("within", "api-feed", 0.15),),
        ),
        Scenario(
            "api-space-posts",
            "API space posts (token)",
            lambda c: f"/api/v1/spaces/{c.space_slug}/posts/",
            auth="token",
        ),
        Scenario(
            "api-post-comments",
            "API comments of the post with most comments (token)",
            lambda c: f"/api/v1/posts/{c.post_id}/comments/",
            auth="token",
        ),
        Scenario(
            "api-members-search",
            "API member directory, name search (token)",
            lambda c: _q("/api/v1/members/", q=c.search),
            auth="token",
        ),
        Scenario(
            "api-profile",
            "API member detail (token)",
            lambda c: f"/api/v1/members/{c.profile_id}/",
            auth="token",
        ),
        Scenario(
            "api-spaces", "API spaces list (token)", lambda c: "/api/v1/spaces/", auth="token"
        ),
        Scenario("api-tiers", "API tiers list (token)", lambda c: "/api/v1/tiers/", auth="token"),
        Scenario(
            "api-tokens",
            "API the member's tokens (token)",
            lambda c: "/api/v1/tokens/",
            auth="token",
        ),
        # Payments (bench/billing.py seeds the plans; the reader is a former subscriber with
        # READER_INVOICES invoices).
        Scenario(
            "pricing-anonymous",
            "pricing page, signed out (HTML)",
            lambda c: _url("payments:pricing", "/pricing/"),
            auth="anonymous",
            targets=(HTML_TARGET,),
        ),
        Scenario(
            "pricing-member",
            "pricing page, a member without the tier (HTML)",
            lambda c: _url("payments:pricing", "/pricing/"),
            targets=(HTML_TARGET,),
        ),
        Scenario(
            "billing",
            "billing page, a former subscriber with 24 invoices (HTML)",
            lambda c: _url("payments:billing", "/billing/"),
            targets=(HTML_TARGET,),
            explain=True,
        ),
        Scenario(
            "api-plans",
            "API plans for sale (token)",
            lambda c: _url("api-payments-plans", "/api/v1/payments/plans/"),
            auth="token",
        ),
        Scenario(
            "api-my-invoices",
            "API the member's invoices (token)",
            lambda c: _url("api-payments-my-invoices", "/api/v1/payments/me/invoices/"),
            auth="token",
        ),
        # Courses (bench/courses.py): the reader is enrolled in course 0 (20 modules x 20
        # lessons, its last modules on drip) with its first 150 lessons completed, in course 1
        # with all of them, and sees the paid courses locked.
        Scenario(
            "courses-catalog",
            "course catalog with the member's progress on each card (HTML)",
            lambda c: _url("courses:catalog", "/courses/"),
            targets=(HTML_TARGET,),
            explain=True,
            needs="courses:catalog",
        ),
        Scenario(
            "course-page",
            "a 20 x 20 course page, enrolled part-way, drip modules (HTML)",
            lambda c: _url("courses:course", f"/courses/{c.course_slug}/", c.course_slug),
            targets=(HTML_TARGET,),
            explain=True,
            needs="courses:course",
        ),
        Scenario(
            "lesson-page",
            "the member's next lesson: video, attachments, previous / next (HTML)",
            lambda c: _url(
                "courses:lesson",
                f"/courses/{c.course_slug}/lessons/{c.lesson_id}/",
                c.course_slug,
                c.lesson_id,
            ),
            targets=(HTML_TARGET,),
            explain=True,
            needs="courses:lesson",
        ),
        # Events (bench/events.py): the month (this or the next, the busier) and the upcoming
        # 60 days of every event the reader sees, a weekly event's next occurrence with its
        # attendees, and the API's occurrences of the same month.
        Scenario(
            "events-month",
            "month view of the busier of this and next month (HTML)",
            lambda c: _url(
                "events:calendar_month",
                f"/events/calendar/{c.events_year}/{c.events_month}/",
                c.events_year,
                c.events_month,
            ),
            targets=(HTML_TARGET,),
            explain=True,
            needs="events:calendar_month",
        ),
        Scenario(
            "events-upcoming",
            "upcoming events, the next 60 days (HTML)",
            lambda c: _url("events:list", "/events/"),
            targets=(HTML_TARGET,),
            explain=True,
            needs="events:list",
        ),
        Scenario(
            "event-page",
            "the weekly event's occurrence with the most members going (HTML)",
            lambda c: _url(
                "events:occurrence",
                f"/events/{c.event_slug}/{c.event_occurrence}/",
                c.event_slug,
                c.event_occurrence,
            ),
            targets=(HTML_TARGET,),
            explain=True,
            needs="events:occurrence",
        ),
        Scenario(
            "api-events",
            "API occurrences of the month view's month (token)",
            lambda c: _q(
                _url("api-events", "/api/v1/events/"),
                **_event_month_query(c.events_year, c.events_month),
            ),
            auth="token",
            needs="api-events",
        ),
        # Gamification (bench/gamification.py): the three boards as HTML and through the
        # API, read from Score (all time) and this week's / month's PeriodScore rows, never
        # the ledger; and the reader's own profile with its score (the header's score is on
        # every page). Each board's target: within 2x the feed-probe's latency, i.e. at
        # least half its requests/s (wrk keeps the connections busy). Queries per request:
        # bench.gamification.QUERY_BUDGETS.
        *(
            Scenario(
                f"leaderboard-{period}",
                f"leaderboard, {label} (HTML)",
                lambda c, period=period: _q(
                    _url("gamification:leaderboard", "/leaderboard/"), period=period
                ),
                targets=(LEADERBOARD_TARGET,),
                explain=True,
                needs="gamification:leaderboard",
            )
            for period, label in (
                ("all", "all time"),
                ("month", "this month"),
                ("week", "this week"),
            )
        ),
        *(
            Scenario(
                f"api-leaderboard-{period}",
                f"API leaderboard, {label} (token)",
                lambda c, period=period: _url(
                    "api-leaderboard", f"/api/v1/leaderboards/{period}/", period
                ),
                auth="token",
                targets=(LEADERBOARD_TARGET,),
                needs="api-leaderboard",
            )
            for period, label in (
                ("all", "all time"),
                ("month", "this month"),
                ("week", "this week"),
            )
        ),
        Scenario(
            "profile-own-score",
            "the reader's own profile with points, level, progress and rank (HTML)",
            lambda c: f"/members/{c.member_id}/",
            targets=(HTML_TARGET,),
            needs="gamification:leaderboard",
        ),
        # Notifications (bench/notifications.py): the reader's, newest activity first, all
        # and unread only, as cards and through the API, and the bell's count. Queries per
        # request: bench.notifications.QUERY_BUDGETS.
        Scenario(
            "notifications",
            "the reader's notifications, first page (HTML)",
            lambda c: _url("messaging:notifications", "/notifications/"),
            targets=(HTML_TARGET,),
            explain=True,
            needs="messaging:notifications",
        ),
        Scenario(
            "notifications-unread",
            "the reader's unread notifications (HTML)",
            lambda c: _q(_url("messaging:notifications", "/notifications/"), show="unread"),
            targets=(HTML_TARGET,),
            explain=True,
            needs="messaging:notifications",
        ),
        Scenario(
            "api-notifications",
            "API the reader's notifications (token)",
            lambda c: _url("api-notifications", "/api/v1/notifications/"),
            auth="token",
            needs="api-notifications",
        ),
        Scenario(
            "api-notifications-unread-count",
            "API the reader's unread count, the bell's (token)",
            lambda c: _url("api-notifications-unread-count", "/api/v1/notifications/unread-count/"),
            auth="token",
            needs="api-notifications-unread-count",
        ),
        # Direct messages (bench/conversations.py): the reader's conversation list (with
        # each one's latest message and unread count) and their 1,000-message thread, as
        # pages and through the API, its first page and a deep one. Queries per request:
        # bench.conversations.QUERY_BUDGETS.
        Scenario(
            "conversations",
            "the reader's conversations, first page (HTML)",
            lambda c: _url("messaging:conversations", "/messages/"),
            targets=(HTML_TARGET,),
            explain=True,
            needs="messaging:conversations",
        ),
        Scenario(
            "conversation-thread",
            "the reader's 1,000-message conversation, newest page (HTML)",
            lambda c: _url(
                "messaging:thread", f"/messages/{c.conversation_id}/", c.conversation_id
            ),
            targets=(HTML_TARGET,),
            explain=True,
            needs="messaging:thread",
        ),
        Scenario(
            "api-conversations",
            "API the reader's conversations (token)",
            lambda c: _url("api-conversations", "/api/v1/conversations/"),
            auth="token",
            needs="api-conversations",
        ),
        Scenario(
            "api-conversation-messages",
            "API the 1,000-message conversation, newest page (token)",
            lambda c: _url(
                "api-conversation-messages",
                f"/api/v1/conversations/{c.conversation_id}/messages/",
                c.conversation_id,
            ),
            auth="token",
            needs="api-conversation-messages",
        ),
        Scenario(
            "api-conversation-messages-deep",
            "API the 1,000-message conversation, 40th page (token)",
            lambda c: _q(
                _url(
                    "api-conversation-messages",
                    f"/api/v1/conversations/{c.conversation_id}/messages/",
                    c.conversation_id,
                ),
                cursor=c.thread_deep_cursor,
            ),
            auth="token",
            targets=(Target("within", "api-conversation-messages", 0.2),),
            needs="api-conversation-messages",
        ),
        # The admins' and moderators' pages (bench/moderation.py): the Django admin's member
        # list (100,000 rows on large) and a search in it, the directory as the admin sees
        # it, the moderation queue of open reports grouped by target (moderator), the audit
        # log, the analytics and the branding pages (admin), with their API twins. No target:
        # the issue asks for their numbers. Queries per request: bench.moderation.QUERY_BUDGETS.
        Scenario(
            "admin-members",
            "Django admin's member list, newest first (admin, HTML)",
            lambda c: _url("admin:community_user_changelist", "/admin/community/user/"),
            explain=True,
            needs="admin:community_user_changelist",
            member="admin",
        ),
        Scenario(
            "admin-members-search",
            "Django admin's member list, a name search (admin, HTML)",
            lambda c: _q(
                _url("admin:community_user_changelist", "/admin/community/user/"), q=c.search
            ),
            explain=True,
            needs="admin:community_user_changelist",
            member="admin",
        ),
        Scenario(
            "directory-admin",
            "member directory as the admin sees it (HTML)",
            lambda c: _url("community:directory", "/members/"),
            member="admin",
        ),
        Scenario(
            "moderation-queue",
            "moderation queue: open reports grouped by target (moderator, HTML)",
            lambda c: _url("community:reports", "/moderation/reports/"),
            explain=True,
            needs="community:reports",
            member="moderator",
        ),
        Scenario(
            "api-moderation-queue",
            "API moderation queue (moderator token)",
            lambda c: _url("api-mod-queue", "/api/v1/moderation/queue/"),
            auth="token",
            needs="api-mod-queue",
            member="moderator",
        ),
        Scenario(
            "audit-log",
            "audit log, newest first (admin, HTML)",
            lambda c: _url("community:audit_log", "/moderation/audit/"),
            explain=True,
            needs="community:audit_log",
            member="admin",
        ),
        Scenario(
            "api-audit-log",
            "API audit log (admin token)",
            lambda c: _url("api-audit-log", "/api/v1/audit/"),
            auth="token",
            needs="api-audit-log",
            member="admin",
        ),
        Scenario(
            "analytics",
            "analytics page, every series over the last 30 days (admin, HTML)",
            lambda c: _url("community:analytics", "/manage/analytics/"),
            explain=True,
            needs="community:analytics",
            member="admin",
        ),
        Scenario(
            "analytics-year",
            "analytics page, every series over the last 365 days (admin, HTML)",
            lambda c: _q(_url("community:analytics", "/manage/analytics/"), days=365),
            explain=True,
            needs="community:analytics",
            member="admin",
        ),
        Scenario(
            "api-analytics",
            "API the analytics series there are (admin token)",
            lambda c: _url("api-analytics", "/api/v1/analytics/"),
            auth="token",
            needs="api-analytics",
            member="admin",
        ),
        Scenario(
            "api-analytics-active-members",
            "API active members per day, 30 days: the heaviest series (admin token)",
            lambda c: _url(
                "api-analytics-series", "/api/v1/analytics/active_members/", "active_members"
            ),
            auth="token",
            needs="api-analytics-series",
            member="admin",
        ),
        # Search (bench/search.py): the first page of results, every kind the reader may see
        # (posts, comments, members, spaces, …), the API and the results page; the API's
        # targets p50 ≤ 30 ms and p99 ≤ 150 ms for one client's requests (SEARCH_LATENCY).
        Scenario(
            "api-search-two-words",
            "API search, a typical two-word query (common words: tens of thousands of posts)",
            lambda c: _q(_url("api-search", "/api/v1/search/"), q=TWO_WORDS),
            explain=True,
            auth="token",
            needs="api-search",
            latency=SEARCH_LATENCY,
        ),
        Scenario(
            "api-search-rare-word",
            "API search, a rare word (one post in a thousand)",
            lambda c: _q(_url("api-search", "/api/v1/search/"), q=RARE_WORD),
            explain=True,
            auth="token",
            needs="api-search",
            latency=SEARCH_LATENCY,
        ),
        Scenario(
            "api-search-prefix",
            "API search as the member types: a word's first letters, matched as a prefix",
            lambda c: _q(_url("api-search", "/api/v1/search/"), q=PREFIX),
            explain=True,
            auth="token",
            needs="api-search",
            latency=SEARCH_LATENCY,
        ),
        Scenario(
            "api-search-member-name",
            "API search of members by the start of a name (trigram and prefix)",
            lambda c: _q(_url("api-search", "/api/v1/search/"), q=c.search, kinds="members"),
            explain=True,
            auth="token",
            needs="api-search",
            latency=SEARCH_LATENCY,
        ),
        Scenario(
            "api-search-misspelt",
            "API search that finds nothing, and the correction it offers (Did you mean)",
            lambda c: _q(_url("api-search", "/api/v1/search/"), q=MISSPELT),
            explain=True,
            auth="token",
            needs="api-search",
        ),
        Scenario(
            "search-page",
            "search results page, a two-word query, the best of every kind (HTML)",
            lambda c: _q(_url("community:search", "/search/"), q=TWO_WORDS),
            needs="community:search",
        ),
        Scenario(
            "search-palette",
            "the header palette's suggestions for a prefix (HTML fragment)",
            lambda c: _q(_url("community:search_suggestions", "/search/suggestions/"), q=PREFIX),
            needs="community:search_suggestions",
        ),
        Scenario(
            "branding",
            "branding and custom domain page (admin, HTML)",
            lambda c: _url("community:branding", "/manage/branding/"),
            needs="community:branding",
            member="admin",
        ),
        Scenario(
            "api-branding",
            "API the community's branding (admin token)",
            lambda c: _url("api-branding", "/api/v1/branding/"),
            auth="token",
            needs="api-branding",
            member="admin",
        ),
    ]
)


def members_signed_in(scenarios):
    """Who the scenarios sign in as ("reader", "admin", …), each once, the reader first."""
    return list(dict.fromkeys(["reader", *(s.member for s in scenarios if s.auth != "anonymous")]))


def _event_month_query(year, month):
    from bench.events import month_query

    return month_query(year, month)


def by_name():
    return {scenario.name: scenario for scenario in SCENARIOS}


def public_posts(scale):
    """The scale's live posts in its public spaces, which every bench member may see."""
    from community.models import Post

    return Post.objects.filter(
        space__slug__startswith=f"bench-{scale}-",
        space__visibility="public",
        deleted_at__isnull=True,
        hidden_at__isnull=True,
    )


def build_context(scale, *, member=10, profile=4):
    """Facts the scenarios need, read from the loaded scale (Django must be set up)."""
    from django.db.models import Count, Q

    from community.models import Space, User
    from community.pagination import DEFAULT_PAGE_SIZE, encode_cursor
    from community.selectors.feed import _filtered as feed_queryset

    viewer = User.objects.get(email=f"bench-{scale}-{member}@bench.localhost")
    profile_member = User.objects.get(email=f"bench-{scale}-{profile}@bench.localhost")
    space = Space.objects.get(slug=f"bench-{scale}-0")
    post = public_posts(scale).order_by("-comment_count", "-id").first()
    locked = _locked_space(scale, viewer)
    # The 500th page (or the last one on a smaller scale): the cursor the 499th page's "next"
    # link carries is the sort key of its last item, i.e. item 499 x 20 of the viewer's feed.
    # OFFSET is used here, once, outside the timed run; the page itself is a keyset query.
    queryset = feed_queryset(viewer, tab="all").order_by("-created_at", "-id")
    total = queryset.count()
    pages = max(1, -(-total // DEFAULT_PAGE_SIZE))
    deep_page = min(DEEP_PAGE, pages)
    last = queryset.values_list("created_at", "id")[(deep_page - 1) * DEFAULT_PAGE_SIZE - 1]
    # A name search that matches some members: the first word of the profile's name, cut.
    search = profile_member.display_name.split()[-1][:4]
    comments = post.comments.filter(deleted_at__isnull=True).aggregate(
        n=Count("id", filter=Q(parent__isnull=True)), all=Count("id")
    )
    from bench import conversations, events, gamification
    from bench.courses import scenario_facts

    course = scenario_facts(scale, viewer)
    event = events.scenario_facts(scale, viewer)
    points = gamification.scenario_facts(scale, viewer)
    talk = conversations.scenario_facts(scale, viewer)
    return Context(
        scale=scale,
        member_email=viewer.email,
        member_id=viewer.pk,
        space_id=space.pk,
        space_slug=space.slug,
        locked_space_slug=locked.slug,
        post_id=post.pk,
        post_comments=comments["all"],
        deep_cursor=encode_cursor(list(last)) if deep_page > 1 else "",
        deep_page=deep_page,
        search=search,
        profile_id=profile_member.pk,
        extra={
            "top_level_comments": comments["n"],
            "feed_posts_visible": total,
            "course_lessons": course.get("course_lessons", 0),
            "course_lessons_done": course.get("lessons_done", 0),
            "event_going": event.get("event_going", 0),
            "month_occurrences": event.get("month_occurrences", 0),
            # Gamification: the reader's points and how many rows each board ranks.
            **points,
            "thread_messages": talk.get("thread_messages", 0),
            "thread_deep_page": talk.get("thread_deep_page", 0),
        },
        course_slug=course.get("course_slug", ""),
        lesson_id=course.get("lesson_id", 0),
        event_slug=event.get("event_slug", ""),
        event_occurrence=event.get("event_occurrence", ""),
        events_year=event.get("events_year", 0),
        events_month=event.get("events_month", 0),
        conversation_id=talk.get("conversation_id", 0),
        thread_deep_cursor=talk.get("thread_deep_cursor", ""),
    )


def _locked_space(scale, viewer):
    """The first paid space of the scale that the viewer only previews (the seed never gives
    the reader the tier; a database loaded before it did may need reloading)."""
    from community import access
    from community.models import Space

    paid = Space.objects.filter(slug__startswith=f"bench-{scale}-", visibility="paid")
    for space in paid.select_related("required_tier").order_by("id"):
        if access.can_preview_space(viewer, space):
            return space
    raise LookupError(
        f"{viewer.email} may enter every paid space of {scale}: no locked page to load "
        f"(drop the database agora_bench_{scale} and run again to reload it)"
    )
