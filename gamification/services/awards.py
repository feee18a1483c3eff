"""The ledger made to agree with its sources: awards are reconciled, never incremented.

Each task names one source (and, for a like, a lesson or a course, the member who acted on
it); `reconcile_award` asks the source's claim what is true now (who earns, from whom,
and whether the award should exist) and creates or deletes the one award to match. The
same signal twice, tasks run out of order, or liking and unliking again and again all end
with the ledger saying what the sources say. A member not in good standing (banned,
deactivated) gains nothing while that lasts; what is removed meanwhile still takes its
points back (a spammer's deleted posts).
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from community import access as community_access
from community import effects
from community.models import Comment, Like, Post, User
from courses.models import Enrollment, Lesson, LessonProgress
from events import recurrence
from events.models import Rsvp

from .. import tasks
from ..models import Action, PointAward, PointRule
from .scores import lock_score


@dataclass(frozen=True)
class Claim:
    member_id: int  # who earns
    actor_id: int  # who caused it
    earned: bool  # should the award exist now


def _post_written(post_id, _actor_id):
    post = Post.objects.filter(pk=post_id).values("author_id", "deleted_at", "hidden_at").first()
    if post is None:
        return None
    alive = post["deleted_at"] is None and post["hidden_at"] is None
    return Claim(post["author_id"], post["author_id"], alive)


def _comment_written(comment_id, _actor_id):
    comment = (
        Comment.objects.filter(pk=comment_id).values("author_id", "deleted_at", "hidden_at").first()
    )
    if comment is None:
        return None
    alive = comment["deleted_at"] is None and comment["hidden_at"] is None
    return Claim(comment["author_id"], comment["author_id"], alive)


def _liked(model, shown):
    """like_received on a post or comment: its author earns from each liker, while the like
    exists, the liker is not the author and the liked thing is still shown (`shown`: the
    condition on the target's row)."""

    def claim(target_id, liker_id):
        target = model.objects.filter(pk=target_id).annotate(shown=shown)
        target = target.values("author_id", "shown").first()
        if target is None:
            return None
        liked = Like.objects.filter(
            user_id=liker_id,
            content_type=ContentType.objects.get_for_model(model),
            object_id=target_id,
        ).exists()
        earned = liked and liker_id != target["author_id"] and target["shown"]
        return Claim(target["author_id"], liker_id, earned)

    return claim


def _shown(condition):
    return ExpressionWrapper(condition, output_field=BooleanField())


def _lesson_completed(lesson_id, member_id):
    if not Lesson.objects.filter(pk=lesson_id).exists():
        return None
    done = LessonProgress.objects.filter(lesson_id=lesson_id, user_id=member_id).exists()
    return Claim(member_id, member_id, done)


def _course_completed(course_id, member_id):
    done = Enrollment.objects.filter(
        course_id=course_id, user_id=member_id, completed_at__isnull=False
    ).exists()
    return Claim(member_id, member_id, done)


def _going(rsvp_id, _actor_id):
    """Going to an occurrence that still takes place: not to a deleted or cancelled event,
    a cancelled date, nor a date the series' rule no longer makes."""
    rsvp = Rsvp.objects.select_related("event").filter(pk=rsvp_id).first()
    if rsvp is None:
        return None
    earned = rsvp.status == Rsvp.Status.GOING and rsvp.event.deleted_at is None
    if earned:
        occurrence = recurrence.occurrence_at(rsvp.event, rsvp.occurrence_start)
        earned = occurrence is not None and not occurrence.cancelled
    return Claim(rsvp.user_id, rsvp.user_id, earned)


# (action, source model) -> claim(source_id, actor_id) -> Claim, or None when the source
# no longer exists. The actor is given for actions where several members act on one
# source (likes, lessons, courses); the others derive it from the source.
CLAIMS = {
    (Action.POST_CREATED, "community.post"): _post_written,
    (Action.COMMENT_CREATED, "community.comment"): _comment_written,
    (Action.LIKE_RECEIVED, "community.post"): _liked(
        Post, _shown(Q(deleted_at__isnull=True, hidden_at__isnull=True))
    ),
    (Action.LIKE_RECEIVED, "community.comment"): _liked(
        Comment, _shown(Q(deleted_at__isnull=True, hidden_at__isnull=True))
    ),
    (Action.LESSON_COMPLETED, "courses.lesson"): _lesson_completed,
    (Action.COURSE_COMPLETED, "courses.course"): _course_completed,
    (Action.EVENT_GOING, "events.rsvp"): _going,
}


def reconcile_award(*, action, source, source_id, actor_id=None, recompute=True):
    """Makes the ledger agree with the source now: creates the award (with the points of
    the active rule, if any) or deletes it. `source` is "app_label.model". Returns the id
    of the member whose ledger changed (None: unchanged); their score is then recomputed
    after commit, unless `recompute` is False (the caller recomputes once for many)."""
    claim_of = CLAIMS[(action, source)]
    source_type = ContentType.objects.get_by_natural_key(*source.split("."))
    claim = claim_of(source_id, actor_id)
    if claim is None:
        return _drop_orphans(action, source_type, source_id, actor_id)
    with transaction.atomic():
        # One member's awards change one at a time: the claim read after this lock sees
        # every source change committed before it, so a late task cannot undo a newer one.
        lock_score(claim.member_id)
        claim = claim_of(source_id, actor_id)
        if claim is None:
            return _drop_orphans(action, source_type, source_id, actor_id)
        if claim.earned and not _in_good_standing(claim.member_id):
            return None  # a banned member earns nothing new (what is removed still goes)
        key = {
            "member_id": claim.member_id, "action": action, "source_type": source_type,
            "source_id": source_id, "actor_id": claim.actor_id,
        }  # fmt: skip
        changed = _create(key) if claim.earned else _delete(key)
        if changed and recompute:
            effects.enqueue_on_commit(tasks.recompute_score, claim.member_id)
    return claim.member_id if changed else None


def _in_good_standing(member_id):
    good = User.objects.filter(community_access.in_good_standing(), pk=member_id)
    return good.exists()


def _create(key):
    """The award with the points its rule gives now; none while the rule is inactive."""
    if PointAward.objects.filter(**key).exists():
        return False
    rule = PointRule.objects.filter(action=key["action"], active=True)
    points = rule.values_list("points", flat=True).first()
    if points is None:
        return False
    _, created = PointAward.objects.get_or_create(**key, defaults={"points": points})
    return created


def _delete(key):
    return PointAward.objects.filter(**key).delete()[0] > 0


def _drop_orphans(action, source_type, source_id, actor_id):
    """The source row is gone (purged): so are its awards, and their members' scores are
    recomputed here (returns None: nothing left for the caller to recompute)."""
    awards = PointAward.objects.filter(action=action, source_type=source_type, source_id=source_id)
    if actor_id is not None:
        awards = awards.filter(actor_id=actor_id)
    members = set(awards.values_list("member_id", flat=True))
    awards.delete()
    for member_id in members:
        effects.enqueue_on_commit(tasks.recompute_score, member_id)
    return None


def reconcile_awards_from(*, source, source_id):
    """A post or comment removed or restored: its author's award and every like award on
    it (from the likes there are and the awards there were); the author's score is
    recomputed once, however many likes changed."""
    own = Action.POST_CREATED if source == "community.post" else Action.COMMENT_CREATED
    changed = {reconcile_award(action=own, source=source, source_id=source_id, recompute=False)}
    source_type = ContentType.objects.get_by_natural_key(*source.split("."))
    likers = set(
        Like.objects.filter(content_type=source_type, object_id=source_id).values_list(
            "user_id", flat=True
        )
    ) | set(
        PointAward.objects.filter(
            action=Action.LIKE_RECEIVED, source_type=source_type, source_id=source_id
        ).values_list("actor_id", flat=True)
    )
    for liker_id in sorted(likers):
        like = {"source": source, "source_id": source_id, "actor_id": liker_id}
        changed.add(reconcile_award(action=Action.LIKE_RECEIVED, recompute=False, **like))
    for member_id in sorted(changed - {None}):
        effects.enqueue_on_commit(tasks.recompute_score, member_id)


def reconcile_rsvp_award(*, user_id, event_id, occurrence_start):
    """event_going for the member's RSVP to one occurrence (RSVP rows are updated in place)."""
    rsvp_id = (
        Rsvp.objects.filter(event_id=event_id, occurrence_start=occurrence_start, user_id=user_id)
        .values_list("pk", flat=True)
        .first()
    )
    if rsvp_id is not None:
        reconcile_award(action=Action.EVENT_GOING, source="events.rsvp", source_id=rsvp_id)
        return
    # The RSVP was removed (its date left the series): its id is gone with it, so the
    # member's going awards whose RSVP no longer exists go (a member has few RSVPs).
    rsvp_type = ContentType.objects.get_for_model(Rsvp)
    orphaned = (
        PointAward.objects.filter(member_id=user_id, action=Action.EVENT_GOING,
                                  source_type=rsvp_type)
        .exclude(source_id__in=Rsvp.objects.filter(user_id=user_id).values("pk"))
        .values_list("source_id", flat=True)
    )  # fmt: skip
    for source_id in list(orphaned):
        _drop_orphans(Action.EVENT_GOING, rsvp_type, source_id, None)


def reconcile_event_awards(*, event_id, occurrence_start=None):
    """The event_going awards of an event (or one occurrence, its original start in ISO
    8601) that was cancelled, deleted or whose dates changed: every going RSVP's award
    follows whether its date still takes place."""
    going = Rsvp.objects.filter(event_id=event_id, status=Rsvp.Status.GOING)
    if occurrence_start is not None:
        going = going.filter(occurrence_start=occurrence_start)
    for rsvp_id in going.order_by("pk").values_list("pk", flat=True):
        reconcile_award(action=Action.EVENT_GOING, source="events.rsvp", source_id=rsvp_id)
