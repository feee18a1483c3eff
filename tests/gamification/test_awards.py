"""Awards follow their sources: each action earns through the real services and their
signals, is reversed when its source goes, and can never be farmed or given twice."""

import pytest

from community import services as community
from community.models import Like
from courses.services import learning
from events.services import rsvps
from gamification.models import PointAward, Score
from gamification.services import awards
from gamification.services.rules import update_rule
from tests.factories import (
    CommentFactory,
    EnrollmentFactory,
    EventFactory,
    LessonFactory,
    LikeFactory,
    ModuleFactory,
    PostFactory,
    UserFactory,
)


def ledger(member):
    return sorted(PointAward.objects.filter(member=member).values_list("action", "points"))


def points(member):
    score = Score.objects.filter(member=member).first()
    return score.points if score else 0


# --- Each action, and its reversal -----------------------------------------------------------


def test_a_post_earns_and_deleting_it_takes_the_points_back(member, space, committed):
    post = committed(community.create_post, member, space=space, body="Hello")
    assert ledger(member) == [("post_created", 2)] and points(member) == 2
    committed(community.delete_post, member, post=post)
    assert ledger(member) == [] and points(member) == 0


def test_a_hidden_post_earns_nothing_until_unhidden(member, moderator, space, committed):
    post = committed(community.create_post, member, space=space, body="Hello")
    committed(community.hide_post, moderator, post=post)
    assert ledger(member) == []
    committed(community.unhide_post, moderator, post=post)
    assert ledger(member) == [("post_created", 2)]


def test_a_comment_earns_and_deleting_it_takes_the_point_back(member, other_member, committed):
    post = PostFactory(author=other_member)
    comment = committed(community.create_comment, member, post=post, body="Nice")
    assert ledger(member) == [("comment_created", 1)] and points(member) == 1
    committed(community.delete_comment, member, comment=comment)
    assert ledger(member) == [] and points(member) == 0


def test_a_hidden_comment_and_its_likes_earn_nothing_until_unhidden(
    member, other_member, moderator, committed
):
    comment = committed(community.create_comment, member, post=PostFactory(), body="Nice")
    committed(community.like, other_member, target=comment)
    assert points(member) == 2
    committed(community.hide_comment, moderator, comment=comment)
    assert ledger(member) == [] and points(member) == 0
    committed(community.unhide_comment, moderator, comment=comment)
    assert ledger(member) == [("comment_created", 1), ("like_received", 1)]
    assert points(member) == 2


@pytest.mark.parametrize("kind", ["post", "comment"])
def test_a_like_earns_its_author_a_point_until_unliked(member, other_member, committed, kind):
    target = PostFactory(author=member) if kind == "post" else CommentFactory(author=member)
    committed(community.like, other_member, target=target)
    assert ledger(member) == [("like_received", 1)] and points(member) == 1
    assert PointAward.objects.get().actor == other_member
    committed(community.unlike, other_member, target=target)
    assert ledger(member) == [] and points(member) == 0


def test_liking_and_unliking_again_and_again_leaves_one_award(member, other_member, committed):
    post = PostFactory(author=member)
    for _ in range(5):
        committed(community.toggle_like, other_member, target=post)
        committed(community.toggle_like, other_member, target=post)
    committed(community.toggle_like, other_member, target=post)
    assert ledger(member) == [("like_received", 1)] and points(member) == 1


def test_nobody_earns_from_their_own_like(member, committed):
    post = PostFactory(author=member)
    committed(community.like, member, target=post)
    assert ledger(member) == []


def test_removing_a_post_takes_back_the_likes_it_earned(member, moderator, committed):
    post = PostFactory(author=member)
    likers = UserFactory.create_batch(3)
    for liker in likers:
        committed(community.like, liker, target=post)
    assert points(member) == 3
    committed(community.hide_post, moderator, post=post)
    assert points(member) == 0
    committed(community.unhide_post, moderator, post=post)
    # The likes are still there and count again; so does the post itself, shown again.
    assert ledger(member) == [("like_received", 1)] * 3 + [("post_created", 2)]


def test_deleting_a_comment_takes_back_its_likes(member, other_member, committed):
    comment = CommentFactory(author=member)
    committed(community.like, other_member, target=comment)
    committed(community.delete_comment, member, comment=comment)
    assert ledger(member) == []


def test_completing_a_course_earns_the_lessons_and_the_course(member, committed):
    module = ModuleFactory()
    lessons = LessonFactory.create_batch(2, module=module)
    EnrollmentFactory(course=module.course, user=member)
    for lesson in lessons:
        committed(learning.complete_lesson, member, lesson=lesson)
    assert ledger(member) == [
        ("course_completed", 10),
        ("lesson_completed", 2),
        ("lesson_completed", 2),
    ]
    assert points(member) == 14
    committed(learning.uncomplete_lesson, member, lesson=lessons[0])
    assert ledger(member) == [("lesson_completed", 2)] and points(member) == 2


def test_going_to_an_event_earns_until_the_answer_changes(member, committed):
    event = EventFactory()
    answer = {"event": event, "occurrence_start": event.starts_at}
    committed(rsvps.rsvp, member, **answer, status="going")
    assert ledger(member) == [("event_going", 1)]
    committed(rsvps.rsvp, member, **answer, status="not_going")
    assert ledger(member) == []
    committed(rsvps.rsvp, member, **answer, status="going")
    assert ledger(member) == [("event_going", 1)]  # the same RSVP row: one award


def test_going_earns_only_while_the_date_takes_place(member, other_member, admin, committed):
    from datetime import timedelta

    from events.services import authoring, occurrences

    event = EventFactory(weekly=True)
    first, second, third = (event.starts_at + timedelta(weeks=n) for n in range(3))
    for start in (first, second, third):
        committed(rsvps.rsvp, member, event=event, occurrence_start=start, status="going")
    committed(rsvps.rsvp, other_member, event=event, occurrence_start=first, status="going")
    assert ledger(member) == [("event_going", 1)] * 3 and points(member) == 3

    committed(occurrences.cancel_occurrence, admin, event=event, original_start=second)
    assert ledger(member) == [("event_going", 1)] * 2 and points(member) == 2
    # A new rule without the third date drops its RSVP, and with it the award.
    committed(authoring.update_event, admin, event=event, rrule="FREQ=WEEKLY;COUNT=2")
    assert ledger(member) == [("event_going", 1)] and points(member) == 1
    committed(authoring.cancel_event, admin, event=event)
    assert ledger(member) == ledger(other_member) == [] and points(member) == 0

    one_off = EventFactory()
    committed(rsvps.rsvp, member, event=one_off, occurrence_start=one_off.starts_at,
              status="going")  # fmt: skip
    assert points(member) == 1
    committed(authoring.delete_event, admin, event=one_off)
    assert ledger(member) == [] and points(member) == 0


def test_a_waitlisted_member_earns_once_promoted(member, other_member, committed):
    event = EventFactory(capacity=1)
    answer = {"event": event, "occurrence_start": event.starts_at}
    committed(rsvps.rsvp, other_member, **answer, status="going")
    committed(rsvps.rsvp, member, **answer, status="going")
    assert ledger(member) == []  # on the waitlist
    committed(rsvps.rsvp, other_member, **answer, status="not_going")
    assert ledger(member) == [("event_going", 1)]


# --- Reconciled, never incremented ------------------------------------------------------------


def test_the_same_task_twice_gives_one_award(member, committed):
    post = PostFactory(author=member)
    for _ in range(2):
        committed(awards.reconcile_award, action="post_created", source="community.post",
                  source_id=post.pk)  # fmt: skip
    assert ledger(member) == [("post_created", 2)] and points(member) == 2


def test_a_reversal_run_before_its_award_ends_right(member, other_member, committed):
    """The unlike's task ran first (nothing to delete), then the like's task: it reads the
    like as it is now (gone) and gives nothing."""
    post = PostFactory(author=member)
    key = {"action": "like_received", "source": "community.post", "source_id": post.pk,
           "actor_id": other_member.pk}  # fmt: skip
    committed(awards.reconcile_award, **key)  # unlike's task: no like, no award
    LikeFactory(user=other_member, target=post)
    committed(awards.reconcile_award, **key)  # a later like's task
    assert ledger(member) == [("like_received", 1)]
    Like.objects.all().delete()
    committed(awards.reconcile_award, **key)  # the like's task again, late: the like is gone
    assert ledger(member) == [] and points(member) == 0


def test_a_purged_source_takes_its_awards_with_it(member, committed):
    post = PostFactory(author=member)
    committed(awards.reconcile_award, action="post_created", source="community.post",
              source_id=post.pk)  # fmt: skip
    post_id = post.pk
    post.delete()
    committed(awards.reconcile_award, action="post_created", source="community.post",
              source_id=post_id)  # fmt: skip
    assert ledger(member) == [] and points(member) == 0


# --- Who earns ---------------------------------------------------------------------------------


def test_a_banned_member_gains_nothing_and_what_is_removed_still_goes(
    member, other_member, committed
):
    post = PostFactory(author=member)
    committed(community.like, other_member, target=post)
    liked = PostFactory(author=member)
    committed(community.like, other_member, target=liked)
    member.banned_at = post.created_at
    member.save(update_fields=["banned_at"])
    new_post = PostFactory(author=member)
    committed(awards.reconcile_award, action="post_created", source="community.post",
              source_id=new_post.pk)  # fmt: skip
    committed(community.unlike, other_member, target=post)
    # Nothing new; the like taken back takes its point back (a spammer keeps nothing).
    assert ledger(member) == [("like_received", 1)]
    assert PointAward.objects.get(member=member).source_id == liked.pk


def test_an_inactive_rule_gives_nothing_new(admin, member, space, committed):
    update_rule(admin, action="post_created", active=False)
    committed(community.create_post, member, space=space, body="Hello")
    assert ledger(member) == []


def test_a_changed_rule_leaves_old_awards_their_points(admin, member, space, committed):
    committed(community.create_post, member, space=space, body="Before")
    update_rule(admin, action="post_created", points=7)
    committed(community.create_post, member, space=space, body="After")
    assert ledger(member) == [("post_created", 2), ("post_created", 7)]
    assert points(member) == 9


def test_a_removed_post_recomputes_its_authors_score_once(
    member, django_capture_on_commit_callbacks
):
    post = PostFactory(author=member)
    awards.reconcile_award(action="post_created", source="community.post", source_id=post.pk)
    for liker in UserFactory.create_batch(4):
        Like.objects.create(user=liker, target=post)
        awards.reconcile_award(action="like_received", source="community.post",
                               source_id=post.pk, actor_id=liker.pk)  # fmt: skip
    assert len(ledger(member)) == 5
    post.hidden_at = post.created_at
    post.save(update_fields=["hidden_at"])
    with django_capture_on_commit_callbacks() as queued:
        awards.reconcile_awards_from(source="community.post", source_id=post.pk)
    assert ledger(member) == []
    assert len(queued) == 1  # one recompute of the author, not one per award taken back


def test_reaching_a_level_that_unlocks_a_tier_opens_its_course(member, space, committed):
    """Courses know nothing of levels: the level's tier, granted through community's
    seams, is what opens the paid course."""
    from community.models import User
    from courses import access as course_access
    from gamification.models import Level
    from tests.factories import CourseFactory

    course = CourseFactory(paid=True)
    Level.objects.filter(threshold=5).update(unlocks_tier=course.required_tier)
    assert not course_access.can_enroll(member, course)
    for n in range(3):  # 2 points a post: 6, past the Member level's 5
        committed(community.create_post, member, space=space, body=f"Post {n}")
    assert points(member) == 6
    # As the member's next request sees it (a member object keeps the tiers it read).
    assert course_access.can_enroll(User.objects.get(pk=member.pk), course)
