"""Every mail messaging sends, in the community's branding: a plain-text and an HTML part
from `templates/messaging/email/<name>.txt|.html` (both extend templates/email/), links made
absolute by community.branding (mails leave outside any request), dates in the member's
own time zone. Mails a member may refuse carry a signed unsubscribe link and the RFC 8058
headers, so a mail program's "Unsubscribe" button turns that kind of mail off in one POST
without signing in."""

from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community import branding
from community import mail as community_mail

UNSUBSCRIBE_SALT = "messaging.unsubscribe"
# What an unsubscribe token may turn off besides one kind: every notification email.
ALL_EMAIL = "all"


def absolute(path):
    return branding.absolute_url(path)


def unsubscribe_token(member_id, kind):
    """A token naming the member and the kind of mail (an EMAIL_KINDS value or ALL_EMAIL).
    It does not expire: a link in a mail from last year must still work (RFC 8058 asks for
    it to keep working for a while; refusing mail should never need a fresh one)."""
    return signing.dumps({"m": member_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(member id, kind) of a valid token; raises signing.BadSignature otherwise."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or "k" not in data:
        raise signing.BadSignature("Not an unsubscribe token.")
    return data["m"], data["k"]


def send(member, name, subject, context=None, *, unsubscribe=None):
    """Renders and sends the mail `name` to `member`. `unsubscribe`: the kind of mail a
    member may refuse (adds the link and the List-Unsubscribe headers), None for the mails
    one cannot refuse (receipts, payment problems, the welcome)."""
    # A member's name or a post's title may hold a line break, which a header cannot.
    subject = " ".join(subject.split())
    brand = community_mail.branding()
    context = {
        **(context or {}),
        **brand,
        "member": member,
        "subject": subject,
        "settings_url": absolute(reverse("messaging:notification_settings")),
    }
    headers = {}
    if unsubscribe is not None:
        url = absolute(
            reverse("messaging:unsubscribe", args=[unsubscribe_token(member.pk, unsubscribe)])
        )
        context["unsubscribe_url"] = url
        context["unsubscribe_all"] = unsubscribe == ALL_EMAIL
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    with timezone.override(member.time_zone or "UTC"):
        text = render_to_string(f"messaging/email/{name}.txt", context)
        html = render_to_string(f"messaging/email/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{brand['site_name']}] {subject}",
        body=text,
        to=[member.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    message.send()
