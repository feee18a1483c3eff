"""The benchmark's gamification (bench/gamification.py): the tiny scale's ledger equals a
recount from its sources (posts, comments, likes, lessons, courses, RSVPs) with the default
rules' points and the sources' times, the scores and period rows equal the ledger's sums,
the checks see a corrupted score and a like without its award, a scale loaded before the
ledger gets it added, and the leaderboard scenarios answer 200 for the reader within their
query budgets, a number that does not grow with the data."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from bench import gamification as bench_gamification
from bench.checks import CHECKS, run_checks
from bench.scales import SCALES
from bench.scenarios import SCENARIOS
from community.models import Comment, Like, Post, User
from courses.models import Enrollment, LessonProgress
from events.models import Rsvp
from gamification.models import Action, Level, PeriodScore, PointAward, Score
from gamification.periods import period_start, start_moment
from gamification.services.awards import reconcile_award
from gamification.services.scores import recompute_score
from tests.factories import (
    CommentFactory,
    LikeFactory,
    PostFactory,
    UserFactory,
)

from .conftest import seed_tiny
from .reader import ScenarioReader

TINY = SCALES["tiny"]
SCENARIO_NAMES = bench_gamification.GAMIFICATION_SCENARIOS
pytestmark = pytest.mark.usefixtures("bench_app", "default_ladder")


def registered():
    return {scenario.name: scenario for scenario in SCENARIOS.registered()}


def tiny_members():
    ids = User.objects.filter(handle__startswith="bench-tiny-").values_list("pk", flat=True)
    return min(ids), max(ids)


def bad_checks():
    return [r.line() for r in run_checks() if not r.ok]


def check(name):
    return next(r for r in run_checks() if r.name == name)


def test_the_leaderboards_and_the_own_profile_are_registered_read_scenarios():
    scenarios = registered()
    for name in SCENARIO_NAMES:
        scenario = scenarios[name]
        assert scenario.needs
        if name.startswith("api-"):
            assert scenario.auth == "token"
        else:
            assert scenario.auth == "session"
        assert [t.describe() for t in scenario.targets] == ["≥ 0.5x feed-probe req/s"]
    names = [name for name, _build in CHECKS]
    assert bench_gamification.SCORE_CHECK in names
    assert bench_gamification.LIKE_AWARD_CHECK in names


@pytest.mark.django_db
def test_the_checks_see_a_corrupted_score_and_a_like_without_its_award(
    django_capture_on_commit_callbacks,
):
    """On any database (the checks are plain SQL): the likes' awards written by the real
    service (reconcile_award, then the recompute after commit); then each is broken."""
    author, liker = UserFactory(), UserFactory()
    post = PostFactory(author=author)
    comment = CommentFactory(post=post, author=liker)
    likes = [
        (LikeFactory(user=liker, target=post), "community.post", post.pk),
        (LikeFactory(user=author, target=comment), "community.comment", comment.pk),
        (LikeFactory(user=author, target=post), "community.post", post.pk),  # earns nothing
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for like, source, source_id in likes:
            reconcile_award(
                action=Action.LIKE_RECEIVED, source=source, source_id=source_id,
                actor_id=like.user_id,
            )  # fmt: skip
    assert PointAward.objects.filter(action="like_received").count() == 2
    assert Score.objects.get(member=author).points == 1
    assert check(bench_gamification.SCORE_CHECK).ok
    likes_check = check(bench_gamification.LIKE_AWARD_CHECK)
    assert likes_check.ok and likes_check.checked == 4, likes_check.line()

    Score.objects.filter(member=author).update(points=999)
    result = check(bench_gamification.SCORE_CHECK)
    assert (result.bad, result.ok) == (1, False)
    Score.objects.filter(member=author).update(points=1)
    assert check(bench_gamification.SCORE_CHECK).ok
    # A member with awards and no Score row is as wrong as a wrong one.
    Score.objects.filter(member=liker).delete()
    assert check(bench_gamification.SCORE_CHECK).bad == 1
    recompute_score(liker.pk)
    assert check(bench_gamification.SCORE_CHECK).ok

    # A like without its award, then an award without its like.
    PointAward.objects.filter(action="like_received", member=liker).delete()
    assert check(bench_gamification.LIKE_AWARD_CHECK).bad == 1
    Like.objects.filter(user=author, object_id=comment.pk).delete()
    assert check(bench_gamification.LIKE_AWARD_CHECK).ok
    Like.objects.filter(user=liker).delete()
    result = check(bench_gamification.LIKE_AWARD_CHECK)
    assert (result.bad, result.ok) == (1, False)


def _between(field, lo, hi):
    return {f"{field}__gte": lo, f"{field}__lte": hi}


def _recount(lo, hi):
    """The awards the tiny scale's sources give, counted per action in Python (the ORM)."""

    def alive_posts():
        return Post.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)

    post_ids = set(alive_posts().values_list("pk", flat=True))
    comment_ids = set(Comment.objects.filter(deleted_at__isnull=True).values_list("pk", flat=True))
    authors = dict(Post.objects.values_list("pk", "author_id"))
    comment_authors = dict(Comment.objects.values_list("pk", "author_id"))
    likes = {"post": 0, "comment": 0}
    for user_id, model, object_id in Like.objects.values_list(
        "user_id", "content_type__model", "object_id"
    ):
        alive, owner = (post_ids, authors) if model == "post" else (comment_ids, comment_authors)
        if object_id in alive and owner[object_id] != user_id and lo <= owner[object_id] <= hi:
            likes[model] += 1
    return {
        "post_created": alive_posts().filter(**_between("author_id", lo, hi)).count(),
        "comment_created": Comment.objects.filter(
            deleted_at__isnull=True, **_between("author_id", lo, hi)
        ).count(),
        "like_received": likes["post"] + likes["comment"],
        "lesson_completed": LessonProgress.objects.filter(**_between("user_id", lo, hi)).count(),
        "course_completed": Enrollment.objects.filter(
            completed_at__isnull=False, **_between("user_id", lo, hi)
        ).count(),
        "event_going": Rsvp.objects.filter(status="going", **_between("user_id", lo, hi)).count(),
    }


def _ledger_by_action():
    counts = {}
    for action in PointAward.objects.values_list("action", flat=True):
        counts[action] = counts.get(action, 0) + 1
    return counts


def _assert_scores_are_the_ledgers(lo, hi):
    sums = dict(
        PointAward.objects.values("member_id")
        .annotate(n=Sum("points"))
        .values_list("member_id", "n")
    )
    levels = list(Level.objects.order_by("threshold"))
    scores = {s.member_id: s for s in Score.objects.all()}
    assert set(scores) == set(range(lo, hi + 1))
    for member_id, score in scores.items():
        assert score.points == sums.get(member_id, 0), member_id
        reached = [level for level in levels if level.threshold <= score.points]
        assert score.level_id == (reached[-1].pk if reached else None), member_id
    for period in ("week", "month"):
        starts_on = period_start(period)
        expected = {
            member_id: n
            for member_id, n in PointAward.objects.filter(created_at__gte=start_moment(starts_on))
            .values("member_id")
            .annotate(n=Sum("points"))
            .values_list("member_id", "n")
            if n
        }
        rows = dict(
            PeriodScore.objects.filter(period=period, starts_on=starts_on).values_list(
                "member_id", "points"
            )
        )
        assert rows == expected, period
        assert rows, period  # the tiny scale has points this week and month


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_ledger_equals_a_recount_from_the_sources_and_the_scores_its_sums():
    seed_tiny()
    lo, hi = tiny_members()
    assert bench_gamification.loaded("tiny")
    expected = _recount(lo, hi)
    assert _ledger_by_action() == expected
    assert all(expected.values()), expected  # every kind of source gives awards
    # Row by row (member, action, source, actor, points, created_at), both ways.
    assert bench_gamification.ledger_mismatches(lo, hi) == {}
    # The default rules' points and the sources' times, on samples.
    assert set(
        PointAward.objects.filter(action="post_created").values_list("points", flat=True)
    ) == {2}
    assert set(
        PointAward.objects.filter(action="course_completed").values_list("points", flat=True)
    ) == {10}
    post = Post.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True).first()
    award = PointAward.objects.get(action="post_created", source_id=post.pk)
    assert (award.member_id, award.actor_id, award.created_at) == (
        post.author_id, post.author_id, post.created_at,
    )  # fmt: skip
    like = PointAward.objects.filter(action="like_received").first()
    assert like.member_id != like.actor_id
    _assert_scores_are_the_ledgers(lo, hi)
    assert bad_checks() == []

    # A drifted ledger is seen row by row.
    PointAward.objects.filter(pk=award.pk).update(points=7)
    assert bench_gamification.ledger_mismatches(lo, hi) == {"post_created": (1, 0)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_scale_loaded_before_gamification_gets_the_same_ledger_added():
    seed_tiny()
    lo, hi = tiny_members()
    shape = (PointAward.objects.count(), Score.objects.count(), PeriodScore.objects.count())
    PointAward.objects.all().delete()
    Score.objects.all().delete()
    PeriodScore.objects.all().delete()
    assert not bench_gamification.loaded("tiny")
    out = seed_tiny()
    assert "Added" in out and "point awards" in out
    assert (PointAward.objects.count(), Score.objects.count(), PeriodScore.objects.count()) == (
        shape
    )
    assert bench_gamification.ledger_mismatches(lo, hi) == {}
    _assert_scores_are_the_ledgers(lo, hi)
    assert "point awards" not in seed_tiny()  # once
    assert bad_checks() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_leaderboard_scenarios_answer_within_their_query_budgets():
    seed_tiny()
    reader = ScenarioReader()
    ctx = reader.ctx
    assert reader.path("leaderboard-week") == "/leaderboard/?period=week"
    assert reader.path("api-leaderboard-month") == "/api/v1/leaderboards/month/"
    assert reader.path("profile-own-score") == f"/members/{reader.member.pk}/"
    assert ctx.extra["reader_points"] == Score.objects.get(member=reader.member).points > 0
    assert ctx.extra["board_all_rows"] >= ctx.extra["board_month_rows"] > 0
    before = reader.responses(SCENARIO_NAMES)
    for name, (count, _response) in before.items():
        assert count <= bench_gamification.QUERY_BUDGETS[name], (name, count)

    # Twice the members on every board (new members with awards this week), some above
    # the reader: the number of queries stays.
    now = timezone.now()
    for k in range(TINY.members):
        member = UserFactory()
        post = PostFactory(author=member)
        PointAward.objects.filter(member=member).update(created_at=now - timedelta(minutes=k))
        for _ in range(k % 3):
            PostFactory(author=member)
        recompute_score(member.pk)
        assert post.pk
    after = reader.responses(SCENARIO_NAMES)
    for name in SCENARIO_NAMES:
        assert after[name][0] == before[name][0], (name, before[name][0], after[name][0])
