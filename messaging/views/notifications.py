"""The notifications page: the member's notifications, newest activity first, page after
page as they scroll; opening one marks it read and leads to what it is about."""

from datetime import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from community.views.common import page_url, safe_next_url

from .. import mail, selectors, services, targets
from ..models import ALWAYS_TOLD, EMAIL_KINDS, HEARD_KINDS, Mute, Notification, Preferences

PAGE_SIZE = 20


def _own(request, notification_id):
    notification = selectors.notifications.own_notification(request.user, notification_id)
    if notification is None:
        raise Http404("No such notification.")
    return notification


@login_required
def notifications_page(request):
    """Queries, whatever the number of notifications: the page (1), the header's unread
    count (1) besides what every page reads."""
    unread_only = request.GET.get("show") == "unread"
    try:
        page = selectors.notifications.notifications_page(
            request.user, cursor=request.GET.get("cursor"), size=PAGE_SIZE,
            unread_only=unread_only,
        )  # fmt: skip
    except ValidationError:
        raise Http404("No such page of notifications.") from None
    context = {
        "notifications": page.items,
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
        "unread_only": unread_only,
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "messaging/_page.html", context)
    return render(request, "messaging/notifications.html", context)


@login_required
def open_notification(request, notification_id):
    """Marks it read and goes to its target; a target that is gone says so."""
    notification = services.notifications.mark_read(request.user, _own(request, notification_id))
    url = targets.url_of(notification)
    if url is None:
        messages.info(request, "What this notification was about is no longer there.")
        return redirect("messaging:notifications")
    return redirect(url)


@login_required
@require_POST
def mark_read(request, notification_id):
    notification = services.notifications.mark_read(request.user, _own(request, notification_id))
    if request.htmx:
        return render(request, "messaging/_cards.html", {"notifications": [notification]})
    return redirect(safe_next_url(request, "messaging:notifications"))


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications.mark_all_read(request.user)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count > 1 else ''} read.")
    return redirect(safe_next_url(request, "messaging:notifications"))


def bell(request):
    """The header's messages link and bell with the member's counts (fetched by the pair
    itself). A session that ended answers 204, so the header keeps them instead of a
    sign-in page."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    context = {
        "unread": selectors.notifications.unread_count(request.user),
        "unread_conversations": selectors.conversations.unread_conversations_count(request.user),
    }
    return render(request, "messaging/_header_icons.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Which kinds of notification the member gets in the app and by email, how often email
    comes, their quiet hours, and what they muted."""
    errors = {}
    if request.method == "POST":
        post = request.POST
        try:
            with transaction.atomic():
                services.notifications.set_kinds(
                    request.user,
                    enabled=[kind for kind in Notification.Kind.values if post.get(f"app-{kind}")],
                )
                services.email.set_email_preferences(
                    request.user,
                    enabled=post.get("email_enabled") == "on",
                    frequency=post.get("email_frequency"),
                    kinds={kind: bool(post.get(f"email-{kind}")) for kind, _ in EMAIL_KINDS},
                    quiet_start=_time_or_none(post.get("quiet_start"), errors),
                    quiet_end=_time_or_none(post.get("quiet_end"), errors),
                )
                if errors:
                    raise ValidationError(errors)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, "Your notification settings are saved.")
            return redirect("messaging:notification_settings")
    in_app = selectors.notifications.kinds_on(request.user)
    prefs = services.email.preferences_of(request.user.pk)
    context = {
        # (kind, label, on in the app, by email): None where it cannot be turned off.
        "kinds": [
            (
                kind,
                label,
                None if kind in ALWAYS_TOLD else in_app.get(kind),
                None if kind in ALWAYS_TOLD else kind not in (prefs.email_off or ()),
            )
            for kind, label in HEARD_KINDS
        ],
        "prefs": prefs,
        "frequencies": Preferences.Frequency.choices,
        "errors": errors,
        "mutes": selectors.notifications.mutes_of(request.user),
    }
    return render(
        request, "messaging/notification_settings.html", context, status=400 if errors else 200
    )


def _time_or_none(value, errors):
    """A time of day from an <input type="time"> ("" is none); a bad one noted in errors."""
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        errors["quiet_hours"] = ["Give quiet hours as times of day, such as 22:00."]
        return None


@require_http_methods(["GET", "POST"])
@csrf_exempt  # RFC 8058: the mail program POSTs without a session or a CSRF token
def unsubscribe(request, token):
    """The unsubscribe link of a mail, without signing in: GET asks to confirm (link
    scanners that follow links must not unsubscribe anyone), POST turns that kind of mail
    off (a mail program's one-click "List-Unsubscribe=One-Click" POST lands here too)."""
    try:
        member_id, kind = mail.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "messaging/unsubscribe.html", {"invalid": True}, status=400)
    label = "all notification emails" if kind == mail.ALL_EMAIL else (
        f"“{dict(EMAIL_KINDS).get(kind, kind)}” emails"
    )  # fmt: skip
    context = {"label": label, "done": False}
    if request.method == "POST":
        try:
            member = services.email.unsubscribe(member_id, kind)
        except ValidationError:
            return render(request, "messaging/unsubscribe.html", {"invalid": True}, status=400)
        context["done"] = member is not None
        context["gone"] = member is None
    return render(request, "messaging/unsubscribe.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mute_toggle(request, target_type, target_id):
    """The "Mute" button of a post, a space or a profile (fetched by the page once loaded,
    so the page itself reads nothing of messaging); POST mutes or unmutes."""
    if target_type not in Mute.Target.values:
        raise Http404("Nothing of that kind can be muted.")
    muted = selectors.notifications.is_muted(request.user, target_type, target_id)
    if request.method == "POST":
        if muted:
            services.notifications.unmute(request.user, target_type, target_id)
        else:
            services.notifications.mute(request.user, target_type, target_id)
        muted = not muted
        if not request.htmx:
            messages.success(request, MUTED[muted])
            return redirect(safe_next_url(request, "messaging:notification_settings"))
    context = {"target_type": target_type, "target_id": target_id, "muted": muted,
               "label": MUTE_LABELS[target_type]}  # fmt: skip
    return render(request, "messaging/_mute_button.html", context)


MUTED = {True: "Muted: you will not be notified of it.", False: "Unmuted."}
MUTE_LABELS = {"post": "this post", "space": "this space", "member": "this member"}
