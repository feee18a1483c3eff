"""The integrity check run after generation and after write benchmarks: every denormalized
counter equals a recount from the source rows, no member has two likes on one target, and
every like points at a row that exists; and every Stripe subscription's member holds
exactly the grants `payments.sync.desired_grants` says of its mirrored state.

Plain SQL that also runs on SQLite (the grants check reads through the ORM, on any database).
A later feature with its own counter (enrollment_count, rsvp_count, points) appends one entry
to CHECKS: the courses' lesson_count and enrollment_count are there, with two checks that
every completed lesson has its member's enrollment and its lesson's course; and the events'
rsvp_count, no occurrence with more members going than its capacity, and the RSVP rush's
seats and waitlist in the order the answers were committed (bench/events.py); and the
scores against a recount of the points ledger, the ledger's like awards against the likes
(bench/gamification.py).
`webhook_checks` checks one run of the webhook scenario (bench/webhooks.py).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections

from community.models import Comment, Like, Post
from courses.models import Course, Enrollment, Lesson, LessonProgress, Module
from messaging.models import Conversation, Message, Participant

from . import events, gamification


@dataclass(frozen=True)
class CheckResult:
    name: str
    bad: int  # rows that fail the check
    checked: int  # rows looked at
    example: str = ""  # the first bad row, said plainly

    @property
    def ok(self):
        return self.bad == 0

    def line(self):
        status = "ok  " if self.ok else "FAIL"
        line = f"{status} {self.name:<28} {self.bad:,} bad of {self.checked:,}"
        return f"{line} (first: {self.example})" if self.example else line


def _tables():
    return {
        "post": Post._meta.db_table,
        "comment": Comment._meta.db_table,
        "like": Like._meta.db_table,
        "course": Course._meta.db_table,
        "module": Module._meta.db_table,
        "lesson": Lesson._meta.db_table,
        "enrollment": Enrollment._meta.db_table,
        "progress": LessonProgress._meta.db_table,
        "conversation": Conversation._meta.db_table,
        "message": Message._meta.db_table,
        "participant": Participant._meta.db_table,
    }


def _params():
    return {
        "ct_post": ContentType.objects.get_for_model(Post).pk,
        "ct_comment": ContentType.objects.get_for_model(Comment).pk,
    }


def _likes_of(t, ct):
    return (
        f"SELECT object_id, COUNT(*) AS n FROM {t['like']}"  # noqa: S608 - our table names
        f" WHERE content_type_id = %({ct})s GROUP BY object_id"
    )


def _counter(table, column, recount_sql):
    """Rows of `table` whose `column` differs from the recount (grouped by target id)."""
    return (
        f"SELECT COALESCE(SUM(CASE WHEN x.{column} <> COALESCE(r.n, 0) THEN 1 ELSE 0 END), 0),"  # noqa: S608
        f" COUNT(*) FROM {table} x LEFT JOIN ({recount_sql}) r ON r.object_id = x.id"
    )


def _post_like_count(t):
    return _counter(t["post"], "like_count", _likes_of(t, "ct_post"))


def _post_comment_count(t):
    live = (
        f"SELECT post_id AS object_id, COUNT(*) AS n FROM {t['comment']}"  # noqa: S608
        " WHERE deleted_at IS NULL AND hidden_at IS NULL GROUP BY post_id"
    )
    return _counter(t["post"], "comment_count", live)


def _comment_like_count(t):
    return _counter(t["comment"], "like_count", _likes_of(t, "ct_comment"))


def _likes_unique(t):
    return (  # noqa: S608 - our own table names
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {like}"
        " GROUP BY user_id, content_type_id, object_id HAVING COUNT(*) > 1) d),"
        " (SELECT COUNT(*) FROM {like})"
    ).format(**t)


def _like_targets_exist(t):
    return (  # noqa: S608 - our own table names
        "SELECT COALESCE(SUM(CASE"
        " WHEN l.content_type_id = %(ct_post)s"
        "  AND NOT EXISTS (SELECT 1 FROM {post} p WHERE p.id = l.object_id) THEN 1"
        " WHEN l.content_type_id = %(ct_comment)s"
        "  AND NOT EXISTS (SELECT 1 FROM {comment} c WHERE c.id = l.object_id) THEN 1"
        " WHEN l.content_type_id NOT IN (%(ct_post)s, %(ct_comment)s) THEN 1"
        " ELSE 0 END), 0), COUNT(*) FROM {like} l"
    ).format(**t)


# --- courses: the counters courses.tasks.recount_course keeps, and progress rows that agree
# with their lesson and an enrollment (complete_lesson enrolls or refuses, never neither).


def _course_lesson_count(t):
    alive = (
        f"SELECT l.course_id AS object_id, COUNT(*) AS n FROM {t['lesson']} l"  # noqa: S608
        f" JOIN {t['module']} m ON m.id = l.module_id"
        " WHERE l.deleted_at IS NULL AND m.deleted_at IS NULL GROUP BY l.course_id"
    )
    return _counter(t["course"], "lesson_count", alive)


def _course_enrollment_count(t):
    enrolled = (
        f"SELECT course_id AS object_id, COUNT(*) AS n FROM {t['enrollment']}"  # noqa: S608
        " GROUP BY course_id"
    )
    return _counter(t["course"], "enrollment_count", enrolled)


def _progress_enrolled(t):
    return (  # noqa: S608 - our own table names
        "SELECT COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM {enrollment} e"
        " WHERE e.course_id = p.course_id AND e.user_id = p.user_id) THEN 1 ELSE 0 END), 0),"
        " COUNT(*) FROM {progress} p"
    ).format(**t)


def _progress_course(t):
    return (  # noqa: S608 - our own table names
        "SELECT COALESCE(SUM(CASE WHEN l.course_id <> p.course_id THEN 1 ELSE 0 END), 0),"
        " COUNT(*) FROM {progress} p JOIN {lesson} l ON l.id = p.lesson_id"
    ).format(**t)


# (name, function of the table names returning SQL that selects (bad, checked))
def _conversation_latest(t):
    """Conversations whose latest message is not their newest (messages sent at once)."""
    newest = (
        f"SELECT conversation_id AS object_id, MAX(id) AS n FROM {t['message']}"  # noqa: S608
        " GROUP BY conversation_id"
    )
    return _counter(t["conversation"], "last_message_id", newest)


def _sides_not_past_latest(t):
    """Sides that read past their conversation's latest message, or whose list time is not
    its latest message's."""
    return (  # noqa: S608 - our own table names
        "SELECT COALESCE(SUM(CASE WHEN p.last_read_id > c.last_message_id"
        " OR p.latest_at IS DISTINCT FROM m.created_at THEN 1 ELSE 0 END), 0), COUNT(*)"
        " FROM {participant} p JOIN {conversation} c ON c.id = p.conversation_id"
        " JOIN {message} m ON m.id = c.last_message_id"
    ).format(**t)


CHECKS = [
    ("post.like_count", _post_like_count),
    ("post.comment_count (live)", _post_comment_count),
    ("comment.like_count", _comment_like_count),
    ("one like per member+target", _likes_unique),
    ("likes point at a row", _like_targets_exist),
    ("course.lesson_count", _course_lesson_count),
    ("course.enrollment_count", _course_enrollment_count),
    ("progress has its enrollment", _progress_enrolled),
    ("progress course = lesson's", _progress_course),
    # Direct messages (bench/conversations.py and the message-send write scenario).
    ("conversation.last_message = newest", _conversation_latest),
    ("conversation sides follow it", _sides_not_past_latest),
    # Events (bench/events.py): event.rsvp_count, capacity held, the RSVP rush's order.
    *events.CHECKS,
    # Gamification (bench/gamification.py): every member's Score.points equals the sum of
    # their ledger rows, and the like awards are exactly the likes that earn one.
    *gamification.CHECKS,
]


def run_checks(using=None):
    """Runs every check; returns a list of CheckResult."""
    conn = connections[using or DEFAULT_DB_ALIAS]
    tables, params = _tables(), _params()
    results = []
    with conn.cursor() as cursor:
        for name, build in CHECKS:
            cursor.execute(build(tables), params)
            bad, checked = cursor.fetchone()
            results.append(CheckResult(name, int(bad or 0), int(checked or 0)))
    results.append(subscription_grants(using=using))
    return results


# --- payments ---------------------------------------------------------------------------


def _grant_note(stripe_id):
    return f"Stripe subscription {stripe_id}"  # what payments.sync.apply_grants writes


def subscription_grants(subscriptions=None, using=None):
    """For every subscription with a member (or those of `subscriptions`, a queryset): the
    member's unrevoked grants noted with the subscription equal `desired_grants(sub)`
    (tier, source, start, end, none missing, none extra) and are the ones it points at."""
    from community.models import AccessGrant
    from payments.models import Subscription
    from payments.sync import desired_grants

    db = using or DEFAULT_DB_ALIAS
    subs = subscriptions if subscriptions is not None else Subscription.objects.all()
    subs = subs.using(db).filter(user__isnull=False).select_related("plan")
    held = defaultdict(set)
    grants = AccessGrant.objects.using(db).filter(
        revoked_at__isnull=True, note__startswith=_grant_note("")
    )
    for pk, user_id, note, tier_id, source, starts, ends in grants.values_list(
        "pk", "user_id", "note", "tier_id", "source", "starts_at", "ends_at"
    ):
        held[(user_id, note)].add((pk, tier_id, source, starts, ends))
    bad = checked = 0
    example = ""
    for sub in subs.iterator(chunk_size=2000):
        checked += 1
        want = {
            (sub.plan.tier_id, d.source, d.starts_at, d.ends_at)
            for d in desired_grants(sub)
            if d is not None
        }
        have = held.get((sub.user_id, _grant_note(sub.stripe_id)), set())
        pointed = {sub.trial_grant_id, sub.paid_grant_id} - {None}
        if want != {row[1:] for row in have} or pointed != {row[0] for row in have}:
            bad += 1
            example = example or (
                f"{sub.stripe_id} ({sub.status}): wants {sorted(want, key=str)}, "
                f"holds {sorted((r[1:] for r in have), key=str)}"
            )
    return CheckResult("grants = desired_grants(sub)", bad, checked, example[:300])


def webhook_checks(event_ids, final_states, using=None):
    """The webhook scenario's checks, once the task queue has drained: every event sent
    (`event_ids`, duplicates counted once) is stored once and processed, every subscription
    of `final_states` ({stripe id: (status, Stripe `created` of its newest event)}) shows
    its newest state whatever order the events came in, and its member's grants are what
    desired_grants says."""
    from payments.models import Subscription, WebhookEvent

    db = using or DEFAULT_DB_ALIAS
    event_ids = set(event_ids)
    stored = defaultdict(list)
    for stripe_id, state, error in (
        WebhookEvent.objects.using(db)
        .filter(stripe_id__in=event_ids)
        .values_list("stripe_id", "state", "last_error")
    ):
        stored[stripe_id].append((state, error))
    missing = [e for e in sorted(event_ids) if len(stored.get(e, [])) != 1]
    unprocessed = [
        (e, rows[0])
        for e, rows in sorted(stored.items())
        if rows[0][0] != WebhookEvent.State.PROCESSED
    ]
    subs = Subscription.objects.using(db).filter(stripe_id__in=final_states)
    mirrored = {
        s: (status, at) for s, status, at in subs.values_list("stripe_id", "status", "state_at")
    }
    stale = []
    for stripe_id, (status, created) in sorted(final_states.items()):
        row = mirrored.get(stripe_id)
        if row is None or row[0] != status or int(row[1].timestamp()) != created:
            stale.append(f"{stripe_id}: {row[0] if row else 'missing'}, expected {status}")
    return [
        CheckResult("webhook event stored once", len(missing), len(event_ids),
                    ", ".join(missing[:3])),
        CheckResult("webhook event processed", len(unprocessed), len(stored),
                    "; ".join(f"{e} {st} {err[:120]}" for e, (st, err) in unprocessed[:2])),
        CheckResult("subscription = newest event", len(stale), len(final_states),
                    "; ".join(stale[:3])),
        subscription_grants(subs, using=db),
    ]  # fmt: skip
