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
class Scenario:
    name: str
    description: str
    path: Callable[[Context], str]
    # "session" (the sign-in cookie), "token" (Authorization: Bearer) or "anonymous" (neither)
    auth: str = "session"
    probe: bool = False
    targets: tuple[Target, ...] = ()
    explain: bool = False  # EXPLAIN (ANALYZE, BUFFERS) its queries in the report


def _q(path, **params):
    return f"{path}?{urlencode(params)}"


def _url(name, path):
    """The path of URL name `name`, or `path` (what it is planned to be) while this build
    has no such name: the run then fails on that scenario with the status it got."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return path


# The targets: every HTML page at least half the feed-probe's requests/s, the API
# feed 0.8 of it (each measured in the same run).
HTML_TARGET = Target("ratio", "feed-probe", 0.5)
API_FEED_TARGET = Target("ratio", "feed-probe", 0.8)


SCENARIOS = [
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
    Scenario("api-spaces", "API spaces list (token)", lambda c: "/api/v1/spaces/", auth="token"),
    Scenario("api-tiers", "API tiers list (token)", lambda c: "/api/v1/tiers/", auth="token"),
    Scenario(
        "api-tokens", "API the member's tokens (token)", lambda c: "/api/v1/tokens/", auth="token"
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
]


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
        extra={"top_level_comments": comments["n"], "feed_posts_visible": total},
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
