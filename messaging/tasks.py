"""Notifications made from the other apps' domain signals, one task per kind of signal (the
receivers enqueue them after the sender's commit). Each reads what it needs by id, skips what
is gone, and calls services.notify with a cause that names what happened: a task run twice
tells nobody twice."""

import smtplib
from datetime import datetime

from celery import shared_task
from django.db import transaction
from django.urls import reverse

from community import branding
from community.models import Comment, Post, User
from courses.models import Module
from events.models import Event
from gamification.models import Level
from payments.models import Invoice, Purchase
from payments.money import format_money

from . import mail
from .models import DeliveredCause, Notification
from .services import email
from .services.notifications import notify

# A mail server that is down or refuses for a while: try again later, up to about an hour.
MAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 20,
    "max_retries": 6,
}

Kind = Notification.Kind
EXCERPT = 80


def _excerpt(text):
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _shown(post_or_comment):
    """Neither deleted nor hidden by a moderator: what members may still open."""
    return (
        post_or_comment is not None
        and post_or_comment.deleted_at is None
        and post_or_comment.hidden_at is None
    )


def _post_words(post):
    return {"post_id": post.pk, "title": _excerpt(post.title or post.body)}


def _sources(post):
    """What a member may have muted that this is about: the post's thread and its space."""
    return {"post_id": post.pk, "space_id": post.space_id}


@shared_task
def comment_created(comment_id):
    """The post's author hears of a comment; the parent comment's author of a reply (once,
    as a reply, when they wrote both)."""
    comment = Comment.objects.select_related("post", "parent").filter(pk=comment_id).first()
    if not _shown(comment) or not _shown(comment.post):
        return
    data = {**_post_words(comment.post), "excerpt": _excerpt(comment.body)}
    told = set()
    if comment.parent_id:
        told.add(comment.parent.author_id)
        notify(comment.parent.author_id, Kind.REPLY, cause=f"reply:{comment.pk}",
               actor_id=comment.author_id, target_type="comment", target_id=comment.pk,
               data=data, **_sources(comment.post))  # fmt: skip
    if comment.post.author_id not in told:
        notify(comment.post.author_id, Kind.COMMENT, cause=f"comment:{comment.pk}",
               actor_id=comment.author_id, target_type="comment", target_id=comment.pk,
               data=data, **_sources(comment.post))  # fmt: skip


@shared_task
def member_mentioned(member_id, by_id, post_id, comment_id=None):
    """A mention, unless the comment already tells that member as a comment on their post or
    a reply to their comment (one notice per comment, not two)."""
    post = Post.objects.filter(pk=post_id).first()
    if not _shown(post):
        return
    if comment_id is None:
        cause, target = f"mention:post:{post_id}", ("post", post_id)
    else:
        comment = Comment.objects.select_related("parent").filter(pk=comment_id).first()
        if (
            not _shown(comment)
            or member_id == post.author_id
            or (comment.parent_id and member_id == comment.parent.author_id)
        ):
            return
        cause, target = f"mention:comment:{comment_id}", ("comment", comment_id)
    notify(member_id, Kind.MENTION, cause=cause, actor_id=by_id, target_type=target[0],
           target_id=target[1], data=_post_words(post), **_sources(post))  # fmt: skip


@shared_task
def like_added(user_id, target_type, target_id, target_author_id):
    """Likes of one post (or comment) gather in one unread row per author."""
    if target_type == "comment":
        comment = Comment.objects.select_related("post").filter(pk=target_id).first()
        if not _shown(comment) or not _shown(comment.post):
            return
        post = comment.post
        data = {**_post_words(post), "excerpt": _excerpt(comment.body)}
    else:
        post = Post.objects.filter(pk=target_id).first()
        if not _shown(post):
            return
        data = _post_words(post)
    notify(target_author_id, Kind.LIKE, cause=f"like:{target_type}:{target_id}:by:{user_id}",
           group=f"like:{target_type}:{target_id}", actor_id=user_id,
           target_type=target_type, target_id=target_id, data=data,
           **_sources(post))  # fmt: skip


@shared_task
def member_followed(follower_id, followed_id):
    notify(followed_id, Kind.FOLLOW, cause=f"follow:{follower_id}", actor_id=follower_id,
           target_type="member", target_id=follower_id)  # fmt: skip


@shared_task
def level_reached(user_id, level_id):
    level = Level.objects.filter(pk=level_id).first()
    if level is None:
        return
    notify(user_id, Kind.LEVEL, cause=f"level:{level_id}", target_type="leaderboard",
           data={"level": level.name})  # fmt: skip


def _event_words(event, occurrence_start):
    return {"title": event.title, "starts_at": occurrence_start}


@shared_task
def waitlist_promoted(user_id, event_id, occurrence_start):
    event = Event.objects.alive().filter(pk=event_id).first()
    if event is None:
        return
    notify(user_id, Kind.EVENT, cause=f"promoted:{event_id}:{occurrence_start}",
           target_type="event", target_id=event_id,
           data={**_event_words(event, occurrence_start), "what": "promoted"})  # fmt: skip


@shared_task
def reminder_due(user_id, event_id, occurrence_start, kind):
    event = Event.objects.alive().filter(pk=event_id).first()
    if event is None:
        return
    notify(user_id, Kind.EVENT, cause=f"reminder:{event_id}:{occurrence_start}:{kind}",
           target_type="event", target_id=event_id,
           data={**_event_words(event, occurrence_start), "what": f"reminder_{kind}"})  # fmt: skip


@shared_task
def module_unlocked(user_id, course_id, module_id):
    module = Module.objects.select_related("course").filter(pk=module_id).first()
    if module is None:
        return
    notify(user_id, Kind.COURSE, cause=f"unlock:{module_id}", target_type="course",
           target_id=course_id,
           data={"course": module.course.title, "module": module.title})  # fmt: skip


@shared_task
def payment_failed(user_id, invoice_id, hosted_invoice_url=""):
    notify(user_id, Kind.PAYMENT, cause=f"payment_failed:{invoice_id}", target_type="billing",
           data={"what": "payment_failed", "hosted_invoice_url": hosted_invoice_url})  # fmt: skip


@shared_task
def subscription_past_due(user_id, subscription_id, grace_ends_at):
    notify(user_id, Kind.PAYMENT, cause=f"past_due:{subscription_id}:{grace_ends_at}",
           target_type="billing", data={"what": "past_due", "until": grace_ends_at})  # fmt: skip


@shared_task
def trial_will_end(user_id, subscription_id, trial_end):
    notify(user_id, Kind.PAYMENT, cause=f"trial_end:{subscription_id}:{trial_end}",
           target_type="billing", data={"what": "trial_will_end", "until": trial_end})  # fmt: skip


def _moderated_title(target_type, target_id):
    """The words a notice quotes: the post's title (a comment's post's), as members saw it."""
    if target_type == "post":
        post = Post.objects.filter(pk=target_id).first()
    elif target_type == "comment":
        comment = Comment.objects.select_related("post").filter(pk=target_id).first()
        post = comment.post if comment else None
    else:
        post = None
    return _excerpt(post.title or post.body) if post else ""


@shared_task(**MAIL_RETRY)
def moderation_notice(member_id, action, target_type, target_id, reason, until, at):
    """A moderator hid or deleted a member's content, warned or banned them. A banned member
    can no longer open the app: their notice is a mail (the sign-in page says it too)."""
    cause = f"moderation:{action}:{target_type}:{target_id}:{at}"
    data = {"what": action, "on": target_type, "reason": reason, "until": until,
            "title": _moderated_title(target_type, target_id)}  # fmt: skip
    if action != "banned":
        shown = target_type if action == "hidden" else None  # a deleted one no longer opens
        notify(member_id, Kind.MODERATION, cause=cause, target_type=shown or "",
               target_id=target_id if shown else None, data=data)  # fmt: skip
        return
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    subject = f"Your account at {branding.current().name} is suspended"
    _mail_once(member, f"mail:{cause}", "banned", subject, {
        "reason": reason, "until": datetime.fromisoformat(until) if until else None,
    })  # fmt: skip


# --- Mail ---------------------------------------------------------------------------------


@shared_task(**MAIL_RETRY)
def send_pending_email(member_id):
    email.send_pending(member_id)


@shared_task
def send_due_emails():
    email.send_due()


@shared_task
def reschedule_digest(member_id):
    email.reschedule_digest(member_id)


def _mail_once(member, cause, *args, **kwargs):
    """mail.send(member, …) the first time `cause` is seen for them (a task delivered twice
    mails once: the second waits on the first's row, then finds it); a send that fails rolls
    the cause back, so the task's retry sends it."""
    with transaction.atomic():
        _, new = DeliveredCause.objects.get_or_create(recipient_id=member.pk, key=cause)
        if new:
            mail.send(member, *args, **kwargs)


@shared_task(**MAIL_RETRY)
def send_welcome(member_id):
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        return
    _mail_once(member, "mail:welcome", "welcome", f"Welcome to {branding.current().name}", {
        "feed_url": mail.absolute(reverse("community:feed")),
        "profile_url": mail.absolute(reverse("community:edit_profile")),
    })  # fmt: skip


@shared_task(**MAIL_RETRY)
def send_receipt(member_id, kind, object_id):
    """A receipt for a paid invoice or a one-time purchase."""
    member = User.objects.filter(pk=member_id, is_active=True).first()
    model = {"invoice": Invoice, "purchase": Purchase}[kind]
    paid = model.objects.filter(pk=object_id, user_id=member_id).first()
    if member is None or paid is None:
        return
    if kind == "invoice":
        amount, currency = paid.amount_paid, paid.currency
        what, link, when = (
            f"Invoice {paid.number or paid.stripe_id}",
            paid.hosted_invoice_url,
            paid.created,
        )
    else:
        amount, currency = paid.amount_total, paid.currency
        what, link, when = (paid.plan.name if paid.plan else "Your purchase"), "", paid.created_at
    amount = format_money(amount, currency)
    _mail_once(member, f"mail:receipt:{kind}:{object_id}", "receipt", f"Receipt: {amount}", {
        "what": what, "amount": amount, "when": when, "link": link,
        "billing_url": mail.absolute(reverse("payments:billing")),
    })  # fmt: skip
