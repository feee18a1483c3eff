"""The benchmark dataset generator and its integrity check (bench/)."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import modify_settings

from bench.checks import run_checks
from bench.dataset import BENCH_PASSWORD
from bench.scales import SCALES
from bench.search import MISSPELT, TWO_WORDS
from community.models import (
    AccessGrant,
    Comment,
    Follow,
    Like,
    Post,
    SearchTerm,
    Space,
    SpaceVisit,
    User,
)
from community.search import suggestion

from .conftest import seed_tiny

TINY = SCALES["tiny"]
# The commands belong to the bench app, installed in benchmark mode (tests/bench/conftest.py).
pytestmark = pytest.mark.usefixtures("bench_app")
needs_sqlite = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="checks the refusal on the embedded database"
)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, EmailAddress, Space, AccessGrant, Follow, SpaceVisit, Post, Comment)
    } | {"Like": Like.objects.count()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tiny_scale_loads_in_range_with_exact_counters_and_is_idempotent():
    output = seed_tiny()
    assert "Loaded scale 'tiny'" in output
    assert "FAIL" not in output
    loaded = counts()
    assert loaded["User"] == TINY.members
    assert loaded["EmailAddress"] == TINY.members
    assert loaded["Space"] == TINY.spaces
    assert loaded["Post"] == TINY.posts
    assert loaded["Comment"] == TINY.comments
    assert 0.8 * TINY.likes <= loaded["Like"] <= TINY.likes
    assert 0.8 * TINY.follows <= loaded["Follow"] <= TINY.follows
    assert loaded["SpaceVisit"] >= TINY.members
    assert loaded["AccessGrant"] >= TINY.members * TINY.granted_share

    # Mixed visibility, a paid space with its tier, replies, likes on both kinds of target.
    visibilities = set(Space.objects.values_list("visibility", flat=True))
    assert visibilities == {"public", "members", "paid"}
    assert not Space.objects.filter(visibility="paid", required_tier=None).exists()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert not Comment.objects.filter(parent__isnull=False, parent__parent__isnull=False).exists()
    liked_types = set(Like.objects.values_list("content_type__model", flat=True))
    assert liked_types == {"post", "comment"}
    assert Post.objects.filter(pinned_at__isnull=False).exists()

    # Skew: the busiest post and member are far above the median.
    top_likes = Post.objects.order_by("-like_count").values_list("like_count", flat=True)[0]
    assert top_likes >= 10 * max(1, sorted(Post.objects.values_list("like_count", flat=True))[
        TINY.posts // 2
    ])  # fmt: skip
    per_author = sorted(
        Post.objects.values("author").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert per_author[-1] >= 5 * per_author[len(per_author) // 2]

    # Counters equal the recount; one like per member and target.
    results = run_checks()
    assert [r.name for r in results if not r.ok] == []
    post_type = ContentType.objects.get_for_model(Post)
    post = Post.objects.order_by("-like_count").first()
    assert post.like_count == Like.objects.filter(content_type=post_type, object_id=post.pk).count()
    assert post.comment_count == post.comments.filter(deleted_at__isnull=True).count()

    # Members sign in with the shared password; their address is verified.
    member = User.objects.get(email="bench-tiny-5@bench.localhost")
    assert authenticate(email=member.email, password=BENCH_PASSWORD) == member
    assert EmailAddress.objects.get(user=member).verified

    # "Did you mean" has its words, and corrects the misspelt scenario's query to them.
    assert SearchTerm.objects.filter(word__in=["design", "feedback"]).count() == 2
    reader = User.objects.get(email="bench-tiny-10@bench.localhost")
    assert suggestion(reader, MISSPELT) == TWO_WORDS
    terms = SearchTerm.objects.count()

    # Running again adds nothing.
    again = seed_tiny()
    assert "already loaded" in again
    assert counts() == loaded
    assert SearchTerm.objects.count() == terms


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_check_reports_a_drifted_counter_and_a_duplicate_like():
    seed_tiny()
    post = Post.objects.order_by("-like_count").first()
    Post.objects.filter(pk=post.pk).update(like_count=post.like_count + 1)
    with pytest.raises(CommandError, match=r"post\.like_count"):
        call_command("bench_check", stdout=StringIO())
    bad = {r.name: r.bad for r in run_checks()}
    assert bad["post.like_count"] == 1
    assert bad["one like per member+target"] == 0


@pytest.mark.django_db
def test_check_passes_and_fails_on_any_database(member, other_member):
    from community.tasks import recount_post

    space = Space.objects.create(name="S", slug="s", visibility="public")
    post = Post.objects.create(space=space, author=member, body="b", body_html="<p>b</p>")
    Like.objects.create(user=other_member, target=post)
    recount_post(post.pk)
    out = StringIO()
    call_command("bench_check", stdout=out)
    assert "All checks passed." in out.getvalue()
    Post.objects.filter(pk=post.pk).update(comment_count=3)
    with pytest.raises(CommandError, match=r"post\.comment_count"):
        call_command("bench_check", stdout=StringIO())


@needs_sqlite
@pytest.mark.django_db
def test_refuses_sqlite_with_a_clear_message():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_bench", scale="tiny", no_progress=True, stdout=StringIO())
    assert not Space.objects.exists()


def test_the_commands_exist_only_in_benchmark_mode(bench_app):
    assert {"seed_bench", "bench_check", "bench_token"} <= set(get_commands())
    with modify_settings(INSTALLED_APPS={"remove": "bench"}):
        assert not {"seed_bench", "bench_check", "bench_token"} & set(get_commands())
        with pytest.raises(CommandError, match="Unknown command"):
            call_command("bench_check", stdout=StringIO())


def test_scales_registry_is_consistent():
    assert {"tiny", "small", "medium", "large"} <= set(SCALES)
    large = SCALES["large"]
    assert (large.members, large.spaces, large.posts) == (100_000, 30, 1_000_000)
    assert (large.comments, large.likes, large.follows) == (3_000_000, 5_000_000, 500_000)
    for name, scale in SCALES.items():
        assert scale.name == name
        assert scale.marker_slug() == f"bench-{name}-0"
