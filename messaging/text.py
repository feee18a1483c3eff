"""What a notification says, in one place: the page's rows, the API's `text` and, later,
the emails all read it from here."""

from datetime import datetime

from django.utils import formats, timezone

from .models import Notification

Kind = Notification.Kind


def _who(notification):
    name = notification.actor.display_name if notification.actor else "Someone"
    others = notification.others
    if not others:
        return name
    return f"{name} and {others} other{'s' if others > 1 else ''}"


def _when(iso):
    """An occurrence's start in the reader's time zone (the page activates theirs)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return ""
    return formats.date_format(timezone.localtime(moment), "D j M, H:i")


def sentence(notification):
    n, data = notification, notification.data or {}
    title = f"“{data.get('title', '')}”"
    if n.kind == Kind.COMMENT:
        return f"{_who(n)} commented on your post {title}"
    if n.kind == Kind.REPLY:
        return f"{_who(n)} replied to your comment on {title}"
    if n.kind == Kind.MENTION:
        where = "a comment on" if n.target_type == "comment" else "the post"
        return f"{_who(n)} mentioned you in {where} {title}"
    if n.kind == Kind.LIKE:
        what = "your comment on" if n.target_type == "comment" else "your post"
        return f"{_who(n)} liked {what} {title}"
    if n.kind == Kind.FOLLOW:
        return f"{_who(n)} started following you"
    if n.kind == Kind.LEVEL:
        return f"You reached the level {data.get('level', '')}"
    if n.kind == Kind.EVENT:
        when = _when(data.get("starts_at"))
        if data.get("what") == "promoted":
            return f"A seat freed up: you are going to {title} ({when})"
        soon = "in an hour" if data.get("what") == "reminder_1h" else "tomorrow"
        return f"Reminder: {title} starts {soon} ({when})"
    if n.kind == Kind.COURSE:
        return f"“{data.get('module', '')}” is open now in {data.get('course', '')}"
    if n.kind == Kind.PAYMENT:
        until = _when(data.get("until"))
        if data.get("what") == "past_due":
            return f"Your membership payment is overdue: your access stays until {until}"
        if data.get("what") == "trial_will_end":
            return f"Your free trial ends {until}: check your payment details"
        return "A payment failed: update your card to keep your access"
    if n.kind == Kind.MODERATION:
        return _moderation_sentence(n, data, title)
    return n.get_kind_display()


def _moderation_sentence(n, data, title):
    why = f": {data['reason']}" if data.get("reason") else ""
    what = data.get("what")
    if what == "warned":
        return f"A moderator warned you{why}"
    thing = "your comment on" if data.get("on") == "comment" else "your post"
    verb = "hid" if what == "hidden" else "deleted"
    return f"A moderator {verb} {thing} {title}{why}"
