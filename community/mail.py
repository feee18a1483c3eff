"""Every mail leaves with its lines whole.

Python's email package picks a body's Content-Transfer-Encoding by a heuristic: once a line
is longer than 78 characters (any confirmation link is) or the text holds a non-ASCII
character with a long line beside it, the body goes out quoted-printable, which cuts the
line with a soft break (`…/confirm-emai=` / `l/…`). A reader's mail program joins the pieces
again, but the console backend prints them as they are, so the link cannot be followed.

The project's mail backends build every message (allauth's, Django's error mails, any app's)
with `whole_lines(policy)`: a text part whose lines fit SMTP's limit (998 octets, RFC 5322
2.1.1) is sent as 7bit when it is ASCII and 8bit otherwise, which is what Django already
does for short lines, so SMTP receives correct MIME and the console shows the text as
written. Longer lines still fall back to quoted-printable.

Headers whose value is one long URL (List-Unsubscribe, RFC 8058) are kept whole the same
way: the default policy would cut a token longer than 78 characters into RFC 2047 encoded
words, which no mail program reads back as a URL; RFC 5322 allows the line up to 998.
"""

import email.contentmanager
import email.headerregistry
import email.policy

from django.conf import settings
from django.core.mail.backends import console, smtp

from community import branding as site_branding

SMTP_MAX_LINE = 998


def _set_text_content(msg, string, subtype="plain", charset="utf-8", cte=None, **kwargs):
    if cte is None:
        encoded = string.encode(charset)
        if max(map(len, encoded.splitlines()), default=0) <= SMTP_MAX_LINE:
            if encoded.isascii():
                cte = "7bit"
            elif msg.policy.cte_type == "8bit":
                cte = "8bit"
    email.contentmanager.set_text_content(msg, string, subtype, charset, cte, **kwargs)


whole_lines_manager = email.contentmanager.ContentManager()
whole_lines_manager.get_handlers.update(email.contentmanager.raw_data_manager.get_handlers)
whole_lines_manager.set_handlers.update(email.contentmanager.raw_data_manager.set_handlers)
whole_lines_manager.add_set_handler(str, _set_text_content)


class WholeURLHeader(email.headerregistry.UnstructuredHeader):
    """A header of one ASCII value (a URL in angle brackets) written on one line when it
    fits SMTP's limit, instead of being folded into encoded words."""

    def fold(self, *, policy):
        line = f"{self.name}: {self}"
        if str(self).isascii() and len(line) <= SMTP_MAX_LINE:
            return line + policy.linesep
        return super().fold(policy=policy)


URL_HEADERS = ("list-unsubscribe", "list-unsubscribe-post")
whole_headers = email.headerregistry.HeaderRegistry()
for _name in URL_HEADERS:
    whole_headers.map_to_type(_name, WholeURLHeader)


def whole_lines(policy):
    """`policy` with text parts and URL headers kept whole (see the module's docstring)."""
    if isinstance(policy, email.policy.EmailPolicy):
        return policy.clone(content_manager=whole_lines_manager, header_factory=whole_headers)
    return policy


class _WholeLinesMessage:
    """A Django EmailMessage whose `message()` keeps text lines whole; all else is the
    wrapped message's."""

    def __init__(self, message):
        self._message = message

    def __getattr__(self, name):
        return getattr(self._message, name)

    def message(self, *, policy=email.policy.default):
        return self._message.message(policy=whole_lines(policy))


class WholeLinesMixin:
    def send_messages(self, email_messages):
        return super().send_messages([_WholeLinesMessage(m) for m in email_messages or []])


class ConsoleBackend(WholeLinesMixin, console.EmailBackend):
    """The embedded default: mails printed to the terminal, links whole."""


class SMTPBackend(WholeLinesMixin, smtp.EmailBackend):
    """Production SMTP, with the same bodies the console shows."""


def branding():
    """What every mail's branded templates (templates/email/) read: the community's name,
    colour, logo and address (community.branding; links in mails are absolute: they leave
    outside any request). The logo is left out where file links are signed (S3 with
    AWS_QUERYSTRING_AUTH): a signed link expires long before a mail is read."""
    brand = site_branding.current()
    logo_url = "" if settings.AWS_QUERYSTRING_AUTH else brand.logo_url
    return {
        "site_name": brand.name,
        "primary_color": brand.primary_color,
        "logo_url": site_branding.absolute_url(logo_url) if logo_url else "",
        "base_url": site_branding.base_url(),
    }
