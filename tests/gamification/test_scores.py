"""Scores, levels and period points are recomputed from the ledger; a level-up is
announced after commit and may open a tier."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from community.models import AccessGrant
from gamification import tasks
from gamification.models import Level, PeriodScore, PointAward, Score
from gamification.periods import period_start
from gamification.services.scores import recompute_score
from tests.factories import AccessGrantFactory, PostFactory, TierFactory, UserFactory


def award(member, points, *, ago=timedelta(0), action="post_created"):
    """A ledger row written directly (a scene), `ago` before now."""
    post = PostFactory(author=member)
    return PointAward.objects.create(
        member=member, action=action, points=points, actor=member,
        source_type=ContentType.objects.get_for_model(post), source_id=post.pk,
        created_at=timezone.now() - ago,
    )  # fmt: skip


def periods(member):
    return dict(PeriodScore.objects.filter(member=member).values_list("period", "points"))


def test_a_score_is_the_sum_of_the_ledger_with_its_level(member):
    award(member, 3)
    award(member, 4)
    score = recompute_score(member.pk)
    assert (score.points, score.level.name) == (7, "Member")
    score.refresh_from_db()
    assert (score.points, score.level.name) == (7, "Member")


def test_the_period_rows_count_only_this_week_and_this_month(member):
    award(member, 5)
    award(member, 100, ago=timedelta(days=40))  # before this month and week
    recompute_score(member.pk)
    assert Score.objects.get(member=member).points == 105
    assert periods(member) == {"week": 5, "month": 5}
    week = PeriodScore.objects.get(member=member, period="week")
    assert week.starts_on == period_start("week") and week.starts_on.weekday() == 0


def test_a_recompute_twice_changes_nothing_and_follows_a_removed_award(member):
    kept, removed = award(member, 2), award(member, 30)
    recompute_score(member.pk)
    removed.delete()
    recompute_score(member.pk)
    recompute_score(member.pk)
    assert Score.objects.get(member=member).points == kept.points
    assert Score.objects.get(member=member).level.name == "Newcomer"
    assert periods(member) == {"week": 2, "month": 2}


def test_a_level_up_is_announced_after_commit(
    member, live_events, domain_signals, django_capture_on_commit_callbacks
):
    award(member, 1)
    recompute_score(member.pk)
    award(member, 4)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)
        assert live_events.of_type("level.changed") == [] and domain_signals == []
    newcomer, level = Level.objects.get(threshold=0), Level.objects.get(threshold=5)
    assert domain_signals.of("gamification.level_changed") == [
        {"user_id": member.pk, "level_id": level.pk, "previous_level_id": newcomer.pk}
    ]
    assert live_events.of_type("level.changed") == [
        (f"user:{member.pk}", "level.changed",
         {"id": level.pk, "name": "Member", "colour": level.colour, "points": 5})
    ]  # fmt: skip


def test_a_changed_total_is_pushed_to_the_member_and_an_unchanged_one_is_not(
    member, live_events, django_capture_on_commit_callbacks
):
    award(member, 1)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)
        recompute_score(member.pk)  # the same total: nothing to say
    assert live_events.of_type("score.changed") == [
        (f"user:{member.pk}", "score.changed", {"points": 1})
    ]


def test_no_announcement_without_a_level_up(
    member, live_events, domain_signals, django_capture_on_commit_callbacks
):
    award(member, 30)
    recompute_score(member.pk)
    PointAward.objects.filter(member=member).delete()
    award(member, 1)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)  # down from Regular to Newcomer: no level-up
        recompute_score(member.pk)  # the same level again
    assert domain_signals.of("gamification.level_changed") == []
    assert live_events.of_type("level.changed") == []


def test_a_tier_of_a_level_passed_on_the_way_up_is_granted(
    member, django_capture_on_commit_callbacks
):
    tier = TierFactory()
    Level.objects.filter(threshold=5).update(unlocks_tier=tier)  # Member
    award(member, 30)  # straight to Regular
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)
    assert AccessGrant.objects.filter(user=member, tier=tier).count() == 1


def test_a_tier_set_on_a_level_members_hold_already_is_granted_by_the_full_recompute(
    member, django_capture_on_commit_callbacks
):
    award(member, 6)
    recompute_score(member.pk)  # Member, which unlocks nothing yet
    tier = TierFactory()
    Level.objects.filter(threshold=5).update(unlocks_tier=tier)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recompute_all_scores()
    assert AccessGrant.objects.filter(user=member, tier=tier).count() == 1


def test_the_daily_repair_mends_a_drifted_score_and_leaves_the_rest(member, other_member):
    award(member, 6)
    recompute_score(member.pk)
    Score.objects.filter(member=member).update(points=99)  # drift (a lost recompute)
    Score.objects.filter(member=other_member).update(points=4)  # awards gone, score stayed
    untouched = UserFactory()
    tasks.repair_scores()
    assert Score.objects.get(member=member).points == 6
    assert Score.objects.get(member=other_member).points == 0
    assert Score.objects.get(member=untouched).points == 0


def test_the_boards_weeks_are_the_communitys_not_the_members(settings):
    # Sunday 13:00 UTC is Monday 02:00 in Auckland: a member there is in the next week,
    # the community (UTC) is not.
    sunday = timezone.make_aware(timezone.datetime(2026, 12, 6, 13, 0), timezone.UTC)
    settings.TIME_ZONE = "UTC"
    with timezone.override("Pacific/Auckland"):
        assert period_start("week", sunday).isoformat() == "2026-11-30"
        assert period_start("month", sunday).isoformat() == "2026-12-01"


def test_a_level_that_unlocks_a_tier_grants_it_once(member, django_capture_on_commit_callbacks):
    tier = TierFactory()
    Level.objects.filter(threshold=5).update(unlocks_tier=tier)
    award(member, 6)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)
    grant = AccessGrant.objects.get(user=member, tier=tier)
    assert grant.source == AccessGrant.Source.LEVEL and grant.granted_by is None
    tasks.grant_level_tier(member.pk, grant.tier.unlocking_levels.get().pk)  # a second run
    assert AccessGrant.objects.filter(user=member, tier=tier).count() == 1


def test_a_member_holding_the_tier_already_gets_no_second_grant(
    member, django_capture_on_commit_callbacks
):
    tier = TierFactory()
    AccessGrantFactory(user=member, tier=tier)
    Level.objects.filter(threshold=5).update(unlocks_tier=tier)
    award(member, 6)
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)
    assert AccessGrant.objects.filter(user=member, tier=tier).count() == 1


def test_the_command_recomputes_everyone_or_one_member(member, other_member):
    award(member, 3)
    award(other_member, 8)
    out = StringIO()
    call_command("recompute_scores", "--no-progress", stdout=out)
    assert "Recomputed 2 score(s)" in out.getvalue()
    assert dict(Score.objects.values_list("member_id", "points")) == {
        member.pk: 3,
        other_member.pk: 8,
    }
    award(member, 1)
    err = StringIO()
    call_command("recompute_scores", "--member", member.pk, stdout=out, stderr=err)
    assert Score.objects.get(member=member).points == 4
    assert "100.0%" in err.getvalue()  # the progress bar


def test_the_admin_action_recomputes_the_selected_scores(
    admin, member, client, django_capture_on_commit_callbacks
):
    Score.objects.create(member=member, points=99)
    award(member, 2)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/gamification/score/",
            {"action": "recompute_scores", "_selected_action": [member.pk]},
        )
    assert response.status_code == 302
    assert Score.objects.get(member=member).points == 2


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_members_liking_and_unliking_at_once_leave_the_score_equal_to_the_ledger():
    from community import services
    from tests.helpers import run_at_once

    author = UserFactory()
    post = PostFactory(author=author)
    likers = UserFactory.create_batch(64)

    def like_and_unlike(index):
        liker = likers[index]
        for _ in range(index % 3 + 1):
            services.toggle_like(liker, target=post)
            services.toggle_like(liker, target=post)
        if index % 2:
            services.toggle_like(liker, target=post)  # half of them end liking it

    run_at_once(len(likers), like_and_unlike)
    ledger = PointAward.objects.filter(member=author)
    assert ledger.count() == 32 == ledger.filter(action="like_received").count()
    assert Score.objects.get(member=author).points == sum(ledger.values_list("points", flat=True))
    assert PeriodScore.objects.get(member=author, period="week").points == 32


def test_a_first_score_past_a_threshold_is_a_level_up(
    member, domain_signals, django_capture_on_commit_callbacks
):
    award(member, 10)  # a completed course: straight past Member's 5 points
    with django_capture_on_commit_callbacks(execute=True):
        recompute_score(member.pk)
    assert domain_signals.of("gamification.level_changed") == [
        {"user_id": member.pk, "level_id": Level.objects.get(threshold=5).pk,
         "previous_level_id": Level.objects.get(threshold=0).pk}
    ]  # fmt: skip


def test_a_level_removed_from_the_ladder_is_no_level_up(
    admin, member, domain_signals, live_events, django_capture_on_commit_callbacks
):
    from gamification.services.levels import save_levels

    award(member, 25)
    recompute_score(member.pk)
    assert Score.objects.get(member=member).level.name == "Regular"
    kept = [{"id": lv.pk, "name": lv.name, "threshold": lv.threshold, "colour": lv.colour}
            for lv in Level.objects.exclude(name="Regular")]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        save_levels(admin, levels=kept)
    assert Score.objects.get(member=member).level.name == "Member"
    assert domain_signals.of("gamification.level_changed") == []
    assert live_events.of_type("level.changed") == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_full_recompute_while_awards_arrive_ends_with_every_score_equal_to_its_ledger():
    """Recomputing everyone (the admin action, the nightly job) races members earning: each
    member's score is recomputed under their own lock, so none is left behind its ledger."""
    import threading

    from django.db import connection

    from community import services as community
    from tests.factories import SpaceFactory

    space = SpaceFactory()
    writers = [UserFactory() for _ in range(3)]
    barrier, errors = threading.Barrier(len(writers) + 1), []

    def in_thread(work):
        def run():
            try:
                barrier.wait()
                work()
            except Exception as error:  # any failure is the test failing, reported below
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=run)

    def write(member):
        for n in range(6):
            community.create_post(member, space=space, body=f"Post {n} by {member.pk}")

    def recompute_all():
        for _ in range(4):
            tasks.recompute_all_scores()

    threads = [in_thread(lambda m=m: write(m)) for m in writers] + [in_thread(recompute_all)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for member in writers:
        ledger = sum(PointAward.objects.filter(member=member).values_list("points", flat=True))
        assert ledger == 12
        assert Score.objects.get(member=member).points == ledger


def test_period_rows_before_the_previous_week_or_month_are_pruned(member):
    from gamification.services.scores import prune_period_scores

    week, month = PeriodScore.Period.WEEK, PeriodScore.Period.MONTH
    this_week, this_month = period_start(week), period_start(month)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    rows = {
        (week, this_week): True, (week, this_week - timedelta(weeks=1)): True,
        (week, this_week - timedelta(weeks=2)): False,
        (week, this_week - timedelta(weeks=30)): False,
        (month, this_month): True, (month, last_month): True,
        (month, (last_month - timedelta(days=1)).replace(day=1)): False,
    }  # fmt: skip
    for period, starts_on in rows:
        PeriodScore.objects.create(member=member, period=period, starts_on=starts_on, points=3)
    assert prune_period_scores() == 3
    assert prune_period_scores() == 0
    kept = set(PeriodScore.objects.values_list("period", "starts_on"))
    assert kept == {key for key, stays in rows.items() if stays}
