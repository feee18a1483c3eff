from datetime import datetime, timedelta

from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community import live
from community.counters import recount
from community.models import AccessGrant, Comment, Like, PopularPost, Post, SpaceVisit


@shared_task
def clear_expired_sessions():
    """Periodic: removes expired sessions from the database (idempotent)."""
    call_command("clearsessions")


@shared_task
def record_space_visit(user_id, space_id, visited_at):
    """Moves the member's last visit of the space forward to `visited_at` (ISO 8601), never
    back, so a late or repeated run leaves the newest visit."""
    at = datetime.fromisoformat(visited_at)
    visit, created = SpaceVisit.objects.get_or_create(
        user_id=user_id, space_id=space_id, defaults={"last_visited_at": at}
    )
    if not created:
        SpaceVisit.objects.filter(pk=visit.pk, last_visited_at__lt=at).update(last_visited_at=at)


@shared_task
def rank_popular_posts():
    """Periodic (every minute, idempotent): the Popular tab's ranking written anew, the last
    week's live posts by likes + comments, the best PopularPost.KEPT of them (hidden ones
    too: moderators see those; who sees what is decided when the tab reads it). One
    transaction, so a reader sees the old ranking or the new one."""
    since = timezone.now() - PopularPost.WINDOW
    ranked = (
        Post.objects.alive()
        .filter(created_at__gte=since)
        .annotate(score=F("like_count") + F("comment_count"))
        .order_by("-score", "-id")
        .values_list("id", "score")[: PopularPost.KEPT]
    )
    with transaction.atomic():
        PopularPost.objects.all().delete()
        PopularPost.objects.bulk_create(
            PopularPost(post_id=pk, score=score) for pk, score in ranked
        )


# --- Like and comment counters ------------------------------------------------------------
# Counters are only ever set from count(*) of the source rows, in one UPDATE, so a run that
# is repeated, late or out of order still leaves the right number.


def _like_count_of(model):
    likes = Like.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
    )
    return Coalesce(Subquery(likes.order_by().values(n=Func("pk", function="COUNT"))), Value(0))


def _comment_count():
    # The comments members see: a hidden one is left out as a deleted one is, as a hidden
    # post leaves the counts of its space.
    shown = Comment.objects.shown().filter(post=OuterRef("pk"))
    return Coalesce(Subquery(shown.order_by().values(n=Func("pk", function="COUNT"))), Value(0))


@shared_task
def recount_post(post_id):
    """Sets the post's like_count and comment_count (shown comments) from the source rows."""
    recount(
        Post.objects.filter(pk=post_id),
        like_count=_like_count_of(Post),
        comment_count=_comment_count(),
    )


@shared_task
def recount_comment(comment_id):
    recount(Comment.objects.filter(pk=comment_id), like_count=_like_count_of(Comment))


@shared_task
def reconcile_counts():
    """Periodic: repairs every post and comment whose counters drifted from the source rows,
    set-based (one UPDATE per table, touching only the rows that differ)."""
    post_likes, post_comments = _like_count_of(Post), _comment_count()
    posts = Post.objects.filter(~Q(like_count=post_likes) | ~Q(comment_count=post_comments))
    repaired_posts = recount(posts, like_count=post_likes, comment_count=post_comments)
    comment_likes = _like_count_of(Comment)
    comments = Comment.objects.filter(~Q(like_count=comment_likes))
    repaired_comments = recount(comments, like_count=comment_likes)
    return {"posts": repaired_posts, "comments": repaired_comments}


@shared_task
def rerender_mentions_of(member_id):
    """Renders again, from the stored Markdown, the HTML of the posts and comments that
    mention the member, after their profile visibility changed (a mention is a link only
    while the profile is public). A row is written only when its HTML differs and its body
    is still the one rendered, so a repeated or late run changes nothing and never undoes
    an edit made meanwhile."""
    from community.services.common import render_body  # services import this module

    for model in (Post, Comment):
        rows = model.objects.filter(mentions=member_id).only("pk", "body", "body_html")
        for row in rows.iterator():
            html = render_body(row.body).html
            if html != row.body_html:
                model.objects.filter(pk=row.pk, body=row.body).update(body_html=html)


# --- Live subscriptions follow access ----------------------------------------------------


@shared_task
def recheck_space_topics(space_id):
    """A space's visibility changed or it was deleted: the sockets subscribed to it, or to
    one of its posts, check their access again (live.recheck_now; a post topic nobody
    follows costs one channel-layer call)."""
    post_ids = Post.objects.filter(space_id=space_id).alive().values_list("pk", flat=True)
    live.recheck_now(f"space:{space_id}", *(f"post:{pk}" for pk in post_ids.iterator()))


# Beat runs it every minute; the window is wider so that a late or missed run still
# catches a grant, and a grant seen twice is only rechecked twice (harmless).
ENDED_GRANTS_WINDOW = timedelta(minutes=2)


@shared_task
def recheck_ended_grants():
    """Periodic (every minute): the members whose grants ended by time in the last few
    minutes have each open socket check its topics again (a revoke does it at once)."""
    now = timezone.now()
    member_ids = (
        AccessGrant.objects.filter(
            revoked_at__isnull=True, ends_at__lte=now, ends_at__gt=now - ENDED_GRANTS_WINDOW
        )
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    member_ids = list(member_ids)
    live.recheck_member_now(*member_ids)
    return len(member_ids)


# --- Analytics ------------------------------------------------------------------------------


@shared_task
def roll_up_analytics():
    """Nightly, after midnight in TIME_ZONE: the rolled-up analytics series' figures of the
    closed days not stored yet, and of the last two again (an upsert: safe to run twice)."""
    from community.services.analytics import roll_up_analytics  # services import this module

    return roll_up_analytics()


# --- Search ---------------------------------------------------------------------------------


@shared_task
def refresh_search_terms():
    """Nightly (idempotent): the words "Did you mean" suggests, read anew from the newest
    texts every member may read (community/search/spelling.py)."""
    from community.search.spelling import refresh_vocabulary

    return refresh_vocabulary()
