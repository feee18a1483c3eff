"""Notification email: what a member chose (kinds, how often, quiet hours, the switch for
all of it), and the mails that follow from it.

A notification the member wants by email is made `email_pending`; so is a member's side of a
conversation when a message comes. The mailer takes a member's pending rows under a lock on
their Preferences row, sends one mail, and clears them in the same transaction: a failed send
rolls back (the task retries), and no row is ever in two mails. Members who chose
"immediately" get their mail as it happens (direct messages after a short wait, so a member
reading the thread gets none); daily and weekly digests go out at DIGEST_HOUR in each
member's own time zone. Quiet hours hold both; the periodic sweep sends what they held once
they end; payment problems are not held, they go at once as their settings say. A read
notification or conversation is no longer news and is not mailed."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from community import access, effects
from community.models import User

from .. import mail, text
from ..models import (
    ALWAYS_TOLD,
    EMAIL_KINDS,
    MESSAGE_EMAIL,
    Notification,
    Participant,
    Preferences,
    default_email_off,
)

Frequency = Preferences.Frequency
# Local time of day of the digests; weekly ones on Mondays.
DIGEST_HOUR = time(8, 0)
DIGEST_WEEKDAY = 0
# Rows one mail lists at most (it counts the others, and links to the full list).
MAIL_ROWS = 30


def preferences_of(member_id):
    """The member's Preferences, or unsaved defaults when they never chose."""
    return Preferences.objects.filter(member_id=member_id).first() or Preferences(
        member_id=member_id
    )


def wants_email(prefs, kind):
    return kind in ALWAYS_TOLD or (
        prefs.email_enabled
        and prefs.email_frequency != Frequency.OFF
        and kind not in (prefs.email_off or ())
    )


def goes_now(prefs, kind):
    """Mailed as it happens rather than in a digest."""
    return prefs.email_frequency == Frequency.IMMEDIATE or kind in ALWAYS_TOLD


def in_quiet_hours(prefs, zone_name, now):
    """Whether `now` falls in the member's quiet hours, read on their own wall clock (so a
    change of daylight-saving time moves nothing); start after end spans midnight."""
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(_zone(zone_name)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_digest_at(frequency, zone_name, now):
    """The next DIGEST_HOUR (on a Monday for weekly) after `now` in the member's time zone,
    in UTC; None when they get no digest."""
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        return None
    zone = _zone(zone_name)
    day = now.astimezone(zone).date()
    while True:
        # A wall-clock time that a daylight-saving jump skips is read with the offset before
        # the jump (PEP 495, fold=0), which lands just after it: the digest still goes.
        moment = datetime.combine(day, DIGEST_HOUR, tzinfo=zone)
        if moment > now and (frequency == Frequency.DAILY or day.weekday() == DIGEST_WEEKDAY):
            return moment.astimezone(UTC)
        day += timedelta(days=1)


def _zone(name):
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


# --- Choices -----------------------------------------------------------------------------


def set_email_preferences(member, *, enabled=None, frequency=None, kinds=None,
                          quiet_start=..., quiet_end=...):  # fmt: skip
    """Changes what is given (None / ... : unchanged). `kinds`: {kind: on} for the kinds
    named. Quiet hours are both set or both cleared."""
    access.check_is_active_member(member)
    return _change(member, enabled=enabled, frequency=frequency, kinds=kinds,
                   quiet_start=quiet_start, quiet_end=quiet_end)  # fmt: skip


def _change(member, *, enabled=None, frequency=None, kinds=None, quiet_start=..., quiet_end=...):
    errors = {}
    if frequency is not None and frequency not in Frequency.values:
        errors["frequency"] = [f"Choose one of: {', '.join(Frequency.values)}."]
    known = {value for value, _ in EMAIL_KINDS}
    unknown = set(kinds or ()) - known
    if unknown & set(ALWAYS_TOLD):
        errors["kinds"] = ["Payment problems are always emailed: they cannot be turned off."]
    elif unknown:
        errors["kinds"] = [f"Unknown kinds: {', '.join(sorted(unknown))}."]
    with transaction.atomic():
        prefs, _ = Preferences.objects.select_for_update().get_or_create(member=member)
        digest_choice = (prefs.email_enabled, prefs.email_frequency)
        if quiet_start is not ... or quiet_end is not ...:
            start = prefs.quiet_start if quiet_start is ... else quiet_start
            end = prefs.quiet_end if quiet_end is ... else quiet_end
            if (start is None) != (end is None):
                errors["quiet_hours"] = ["Give both the start and the end of quiet hours."]
            prefs.quiet_start, prefs.quiet_end = start, end
        if errors:
            raise ValidationError(errors)
        if enabled is not None:
            prefs.email_enabled = enabled
        if frequency is not None:
            prefs.email_frequency = frequency
        if kinds:
            off = set(prefs.email_off if prefs.email_off is not None else default_email_off())
            off = {kind for kind in known if kinds.get(kind, kind not in off) is False}
            prefs.email_off = [value for value, _ in EMAIL_KINDS if value in off]
        # Only a new choice of digest moves the next one: saving other settings must not push
        # back a digest that is due.
        if (prefs.email_enabled, prefs.email_frequency) != digest_choice or (
            prefs.next_digest_at is None
        ):
            _schedule(prefs, member.time_zone)
        prefs.save()
    return prefs


def unsubscribe(member_id, kind):
    """What an unsubscribe link does: that kind of mail off, or every notification mail
    (mail.ALL_EMAIL). Returns the member, or None when the account is gone. Anyone holding
    a valid link may refuse mail, a banned or deactivated member too."""
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        return None
    if kind == mail.ALL_EMAIL:
        _change(member, enabled=False)
    elif kind in {value for value, _ in EMAIL_KINDS}:
        _change(member, kinds={kind: False})
    else:
        raise ValidationError({"kind": ["This link names no kind of mail."]})
    return member


def reschedule_digest(member_id):
    """The next digest at DIGEST_HOUR on the member's new clock, after a change of time zone."""
    member = User.objects.filter(pk=member_id).first()
    with transaction.atomic():
        prefs = Preferences.objects.select_for_update().filter(member_id=member_id).first()
        if member is None or prefs is None:
            return
        _schedule(prefs, member.time_zone)
        prefs.save(update_fields=["next_digest_at"])


def _schedule(prefs, zone_name, now=None):
    digests = prefs.email_enabled and prefs.email_frequency in (Frequency.DAILY, Frequency.WEEKLY)
    prefs.next_digest_at = (
        next_digest_at(prefs.email_frequency, zone_name, now or timezone.now()) if digests else None
    )


# --- What is pending ------------------------------------------------------------------------


def note_notification(prefs, row):
    """Called by notify() inside its transaction for a new row: pending when the member
    wants its kind by email, its mail queued when it goes now. (A grouped row that a new
    cause updates keeps its state: it is mailed once, with the count it has then.)"""
    if not wants_email(prefs, row.kind):
        return
    Notification.objects.filter(pk=row.pk).update(email_pending=True)
    row.email_pending = True
    if goes_now(prefs, row.kind):
        from .. import tasks

        effects.enqueue_on_commit(tasks.send_pending_email, row.recipient_id)


def note_message(conversation_id, recipient_id):
    """Called by send_message inside its transaction: the recipient's side has news; their
    mail waits AGORA_MESSAGE_EMAIL_DELAY seconds, so one who reads at once gets none, and
    several messages in that time make one mail."""
    Participant.objects.filter(conversation_id=conversation_id, member_id=recipient_id).update(
        email_pending=True
    )
    from .. import tasks

    def enqueue():
        try:
            tasks.send_pending_email.apply_async(
                (recipient_id,), countdown=settings.AGORA_MESSAGE_EMAIL_DELAY
            )
        except Exception:
            effects.logger.exception("The message mail of member %s was not queued", recipient_id)

    effects.on_commit(enqueue)


# --- Sending ------------------------------------------------------------------------------


def send_pending(member_id, *, now=None):
    """Mails what goes now: everything to a member who chose "immediately", payment problems
    to anyone, unless they are in quiet hours. Returns whether a mail went."""
    return _send(member_id, now or timezone.now(), digest=False)


def send_digest(member_id, *, now=None):
    """The member's daily or weekly digest, if it is due: everything pending, in one mail;
    nothing when nothing is new. Either way the next one is scheduled."""
    return _send(member_id, now or timezone.now(), digest=True)


def _send(member_id, now, *, digest):
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        return False
    with transaction.atomic():
        # The member's mail is built one at a time (under a lock on their Preferences row,
        # which only a change of settings also takes): two tasks never mail one row twice.
        prefs, _ = Preferences.objects.select_for_update().get_or_create(member_id=member_id)
        if digest and (prefs.next_digest_at is None or prefs.next_digest_at > now):
            return False
        # Quiet hours hold everything but payment problems; the sweep comes back once they end.
        quiet = in_quiet_hours(prefs, member.time_zone, now)
        if quiet and digest:
            return False
        if digest:
            prefs.last_digest_at = now
            _schedule(prefs, member.time_zone, now)
            prefs.save(update_fields=["last_digest_at", "next_digest_at"])
        notifications = _pending_notifications(member, prefs, digest=digest, quiet=quiet)
        conversations = (
            _Taken() if quiet else _pending_conversations(member, prefs, now, digest=digest)
        )
        if not notifications.rows and not conversations.rows:
            return False
        # Sent before the rows are cleared: a send that fails leaves them pending and the task
        # retries (a crash between the two mails them again rather than never).
        period = prefs.email_frequency if digest else None
        _mail(member, notifications, conversations, period=period)
        notifications.clear(emailed_at=now)
        conversations.clear()
    return True


class _Taken:
    """What one mail takes of a member's pending rows: `rows` it lists (the newest
    MAIL_ROWS), `more` how many others it counts, and `clear` to mark them all sent."""

    def __init__(self, rows=(), more=0, clear=None):
        self.rows, self.more = list(rows), more
        self.clear = clear or (lambda **_: None)


def _email_kinds(member, prefs):
    """The notification kinds this member is mailed now: none to a deactivated account, only
    the always-emailed ones to someone who is not an active member (a lapsed payer still
    hears that their payment failed)."""
    if not member.is_active:
        return []
    if not access.is_active_member(member):
        return list(ALWAYS_TOLD)
    return [kind for kind in Notification.Kind.values if wants_email(prefs, kind)]


def _pending_notifications(member, prefs, *, digest, quiet=False):
    pending = Notification.objects.filter(recipient=member, email_pending=True)
    wanted = _email_kinds(member, prefs)
    # No longer news (read) or no longer wanted: dropped, never mailed later.
    pending.filter(~Q(kind__in=wanted) | Q(read_at__isnull=False)).update(email_pending=False)
    taking = wanted if digest else [kind for kind in wanted if goes_now(prefs, kind)]
    if quiet:
        taking = [kind for kind in taking if kind in ALWAYS_TOLD]
    taken = pending.filter(kind__in=taking, read_at__isnull=True)
    rows = list(taken.select_related("actor").order_by("-id")[:MAIL_ROWS])
    if not rows:
        return _Taken()
    # Bounded by the newest row read: one that arrives while this mail is made waits for the
    # next one.
    taken = taken.filter(id__lte=rows[0].pk)
    more = taken.count() - len(rows) if len(rows) == MAIL_ROWS else 0
    return _Taken(
        rows, more, lambda emailed_at: taken.update(email_pending=False, emailed_at=emailed_at)
    )


def _pending_conversations(member, prefs, now, *, digest):
    """The member's conversations with unread messages that no mail has told of yet. Out of a
    digest, only those whose last message waited AGORA_MESSAGE_EMAIL_DELAY (a newer
    message's own task mails the thread once it has waited too)."""
    pending = Participant.objects.filter(member=member, email_pending=True)
    if not (member.is_active and access.is_active_member(member)
            and wants_email(prefs, MESSAGE_EMAIL)):  # fmt: skip
        pending.update(email_pending=False)
        return _Taken()
    if not (digest or goes_now(prefs, MESSAGE_EMAIL)):
        return _Taken()
    if not digest:
        pending = pending.filter(
            latest_at__lte=now - timedelta(seconds=settings.AGORA_MESSAGE_EMAIL_DELAY)
        )
    sides = list(pending.select_related("other", "conversation__last_message").order_by(
        "-latest_at", "-id"))  # fmt: skip
    news = [
        side for side in sides
        if not side.hidden and side.conversation.last_message_id
        and side.conversation.last_message_id > side.last_read_id
    ]  # fmt: skip
    # A side read since is no news, unless a message came after this read (its own task
    # mails it).
    stale = Q(pk__in=[])
    for side in sides:
        if side not in news:
            stale |= Q(pk=side.pk, latest_at__lte=side.latest_at)
    Participant.objects.filter(stale).update(email_pending=False)
    if not news:
        return _Taken()
    # Each side cleared only if no message came after the one this mail shows.
    told = Q()
    for side in news:
        told |= Q(pk=side.pk, latest_at__lte=side.latest_at)
    return _Taken(
        news[:MAIL_ROWS],
        max(len(news) - MAIL_ROWS, 0),
        lambda: Participant.objects.filter(told).update(email_pending=False),
    )


def _mail(member, notifications, conversations, *, period):
    # Dates in the sentences (an event's start, a grace period's end) read in the member's
    # own time zone, like the mail's.
    with timezone.override(member.time_zone or "UTC"):
        items = [
            {
                "text": text.sentence(row),
                "excerpt": (row.data or {}).get("excerpt", ""),
                "url": mail.absolute(reverse("messaging:open", args=[row.pk])),
                "when": row.updated_at,
                "kind": row.kind,
                "link": (row.data or {}).get("hosted_invoice_url", ""),
            }
            for row in notifications.rows
        ]
    threads = [
        {
            "other": side.other.display_name,
            "preview": side.conversation.last_message.preview[:300] or "An image",
            "url": mail.absolute(reverse("messaging:thread", args=[side.conversation_id])),
            "when": side.conversation.last_message.created_at,
        }
        for side in conversations.rows
    ]
    kinds = {row.kind for row in notifications.rows}
    if len(items) == 1 and not threads and period is None:
        item = items[0]
        refusable = None if item["kind"] in ALWAYS_TOLD else item["kind"]
        mail.send(member, "notification", item["text"], {"item": item}, unsubscribe=refusable)
        return
    if period is not None:
        subject = f"Your {period} digest"
    elif not items:
        names = sorted({thread["other"] for thread in threads})
        subject = f"New messages from {', '.join(names)}"
    else:
        subject = f"{len(items) + notifications.more + len(threads)} new notifications"
    if not items and period is None:
        refusable = MESSAGE_EMAIL
    elif kinds and kinds <= set(ALWAYS_TOLD) and not threads:
        refusable = None
    else:
        refusable = mail.ALL_EMAIL
    context = {
        "items": items,
        "more_items": notifications.more,
        "conversations": threads,
        "more_conversations": conversations.more,
        "period": period,
        "notifications_url": mail.absolute(reverse("messaging:notifications")),
        "messages_url": mail.absolute(reverse("messaging:conversations")),
    }
    mail.send(member, "digest", subject, context, unsubscribe=refusable)


def send_due(now=None):
    """The periodic sweep: mails held by quiet hours (or whose task was lost), then the
    digests that are due. One member's failing mail is logged and left pending (the next
    sweep tries it again); it never stops the others'. Returns (mails of the moment,
    digests) sent."""
    now = now or timezone.now()
    digest_members = Q(recipient__messaging_preferences__email_frequency__in=DIGEST_FREQUENCIES)
    by_now = (
        Notification.objects.filter(email_pending=True)
        .filter(~digest_members | Q(kind__in=ALWAYS_TOLD))
        .values_list("recipient_id", flat=True)
    )
    # A message's own task mails it after the delay; the sweep only takes what it left.
    waited = now - timedelta(seconds=settings.AGORA_MESSAGE_EMAIL_DELAY)
    by_message = (
        Participant.objects.filter(email_pending=True, latest_at__lte=waited)
        .exclude(member__messaging_preferences__email_frequency__in=DIGEST_FREQUENCIES)
        .values_list("member_id", flat=True)
    )
    waiting = set(by_now.distinct()) | set(by_message.distinct())
    sent = sum(_isolated(send_pending, member_id, now) for member_id in sorted(waiting))
    due = Preferences.objects.filter(next_digest_at__lte=now).values_list("member_id", flat=True)
    digests = sum(_isolated(send_digest, member_id, now) for member_id in list(due))
    return sent, digests


def _isolated(send, member_id, now):
    try:
        return send(member_id, now=now)
    except Exception:
        effects.logger.exception("The notification mail of member %s failed", member_id)
        return False


DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)
