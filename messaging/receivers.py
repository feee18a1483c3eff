"""Receivers of the other apps' domain signals (sent after commit, ids only): each enqueues
the task that makes the notification, so a slow or failing one never touches the sender."""

from allauth.account import signals as account_signals

from community import effects
from community import signals as community
from courses import signals as courses
from events import signals as events
from gamification import signals as gamification
from payments import signals as payments

from . import tasks


def comment_created(comment_id, **_kwargs):
    tasks.comment_created.delay(comment_id)


def member_mentioned(member_id, by_id, post_id, comment_id=None, **_kwargs):
    tasks.member_mentioned.delay(member_id, by_id, post_id, comment_id)


def like_added(user_id, target_type, target_id, target_author_id, **_kwargs):
    tasks.like_added.delay(user_id, target_type, target_id, target_author_id)


def member_followed(follower_id, followed_id, **_kwargs):
    tasks.member_followed.delay(follower_id, followed_id)


def level_changed(user_id, level_id, **_kwargs):
    tasks.level_reached.delay(user_id, level_id)


def waitlist_promoted(user_id, event_id, occurrence_start, **_kwargs):
    tasks.waitlist_promoted.delay(user_id, event_id, str(occurrence_start))


def reminder_due(user_id, event_id, occurrence_start, kind, **_kwargs):
    tasks.reminder_due.delay(user_id, event_id, str(occurrence_start), kind)


def module_unlocked(user_id, course_id, module_id, **_kwargs):
    tasks.module_unlocked.delay(user_id, course_id, module_id)


def payment_failed(user_id, invoice_id, hosted_invoice_url="", **_kwargs):
    tasks.payment_failed.delay(user_id, invoice_id, hosted_invoice_url)


def subscription_past_due(user_id, subscription_id, grace_ends_at, **_kwargs):
    tasks.subscription_past_due.delay(user_id, subscription_id, grace_ends_at)


def trial_will_end(user_id, subscription_id, trial_end, **_kwargs):
    tasks.trial_will_end.delay(user_id, subscription_id, trial_end)


def moderation_notice(member_id, action, target_type, target_id, reason, until, at, **_kwargs):
    tasks.moderation_notice.delay(member_id, action, target_type, target_id, reason, until, at)


def payment_received(user_id, kind, object_id, **_kwargs):
    tasks.send_receipt.delay(user_id, kind, object_id)


def email_confirmed(request, email_address, **_kwargs):
    """allauth's signal, sent inside the confirmation's request: the welcome mail waits for
    its commit, and goes once per member (a second address confirmed later sends none)."""
    effects.enqueue_on_commit(tasks.send_welcome, email_address.user_id)


def user_signed_up(request, user, sociallogin=None, **_kwargs):
    """A member who signs up with Google or GitHub confirms no address (the provider did):
    their welcome goes at sign-up."""
    if sociallogin is not None:
        effects.enqueue_on_commit(tasks.send_welcome, user.pk)


def time_zone_changed(member_id, **_kwargs):
    tasks.reschedule_digest.delay(member_id)


def connect():
    """Called once from MessagingConfig.ready (dispatch_uid keeps it once)."""
    pairs = [
        (community.comment_created, comment_created),
        (community.member_mentioned, member_mentioned),
        (community.like_added, like_added),
        (community.member_followed, member_followed),
        (community.time_zone_changed, time_zone_changed),
        (community.moderation_notice, moderation_notice),
        (gamification.level_changed, level_changed),
        (events.waitlist_promoted, waitlist_promoted),
        (events.reminder_due, reminder_due),
        (courses.module_unlocked, module_unlocked),
        (payments.payment_failed, payment_failed),
        (payments.subscription_past_due, subscription_past_due),
        (payments.trial_will_end, trial_will_end),
        (payments.payment_received, payment_received),
        (account_signals.email_confirmed, email_confirmed),
        (account_signals.user_signed_up, user_signed_up),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, weak=False, dispatch_uid=f"messaging.{receiver.__name__}")
