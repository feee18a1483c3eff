"""Mails show their links whole: in the console of the embedded default and over SMTP."""

import email
import email.policy
import io
import re
from unittest import mock

import pytest
from django.core.mail import EmailMessage, mailers
from django.urls import reverse

from community.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a brand new passphrase 42"
LINK = re.compile(r"https?://\S+")
LONG_LINK = "http://127.0.0.1:8000/accounts/confirm-email/" + "MQ:1tABCDEF:" + "x" * 80 + "/"


@pytest.fixture
def console_mail(settings, capsys):
    """The embedded default's backend; returns a function giving what it printed so far."""
    settings.MAILERS = {"default": {"BACKEND": "community.mail.ConsoleBackend"}}
    return lambda: capsys.readouterr().out


def plain_part(printed):
    """The text/plain part of a printed mail (its HTML part shows each link twice)."""
    return printed.split('Content-Type: text/html; charset="utf-8"')[0]


def assert_whole(printed):
    assert "Content-Transfer-Encoding: quoted-printable" not in printed
    # No soft line break anywhere (a multipart's boundary lines end in "=" too).
    assert not [
        line for line in printed.splitlines() if line.endswith("=") and not line.startswith("--")
    ]


def test_sign_up_mail_printed_on_the_console_holds_a_link_that_confirms(client, console_mail):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "ada@example.com",
            "display_name": "Ada",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    printed = console_mail()
    assert "— " in printed  # the signature's em dash, as written
    assert_whole(printed)
    links = [link for link in LINK.findall(plain_part(printed)) if "/confirm-email/" in link]
    assert len(links) == 1, printed

    page = client.get(links[0])
    assert page.status_code == 200 and b"ada@example.com" in page.content
    assert client.post(links[0]).status_code == 302
    assert User.objects.get(email="ada@example.com").emailaddress_set.get().verified


def test_password_reset_mail_printed_on_the_console_holds_a_link_that_works(
    client, member, console_mail
):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    printed = console_mail()
    assert_whole(printed)
    links = [link for link in LINK.findall(plain_part(printed)) if "/password/reset/key/" in link]
    assert len(links) == 1, printed
    # The key link redirects once to the form (allauth keeps the key in the session).
    assert client.get(links[0], follow=True).context["form"] is not None


def test_smtp_receives_the_same_body_as_correct_mime(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "community.mail.SMTPBackend",
            "OPTIONS": {"host": "smtp.example.com", "port": 587, "username": "", "password": ""},
        }
    }
    body = f"Hello from Agora!\n\nConfirm: {LONG_LINK}\n\n— Agora\n"
    with mock.patch("smtplib.SMTP") as smtp:
        EmailMessage("Welcome — confirm", body, to=["ada@example.com"]).send()
    (_from, to, raw), _ = smtp.return_value.sendmail.call_args
    assert to == ["ada@example.com"]
    assert b"Content-Transfer-Encoding: 8bit\r\n" in raw
    assert LONG_LINK.encode() + b"\r\n" in raw
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
    assert parsed.get_content() == body.replace("\n", "\r\n")
    assert parsed["Subject"] == "Welcome — confirm"


def test_ascii_mail_is_7bit_and_overlong_lines_still_fold_safely(settings):
    stream = io.StringIO()
    settings.MAILERS = {
        "default": {"BACKEND": "community.mail.ConsoleBackend", "OPTIONS": {"stream": stream}}
    }
    mailers.default.send_messages(
        [
            EmailMessage("Plain", f"Confirm: {LONG_LINK}\n", to=["a@example.com"]),
            EmailMessage("Overlong", "é" + "y" * 1200 + "\n", to=["a@example.com"]),
        ]
    )
    plain, overlong = stream.getvalue().split("-" * 79)[:2]
    assert "Content-Transfer-Encoding: 7bit" in plain and LONG_LINK in plain
    # Past SMTP's 998 octets a line cannot travel whole: quoted-printable it is.
    assert "Content-Transfer-Encoding: quoted-printable" in overlong


def test_a_long_unsubscribe_url_header_stays_one_line_a_mail_program_can_follow(console_mail):
    url = f"<{LONG_LINK}>"
    EmailMessage(
        "Hello", "Body", to=["ada@example.com"],
        headers={"List-Unsubscribe": url, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    ).send()  # fmt: skip
    printed = console_mail()
    assert f"List-Unsubscribe: {url}\n" in printed and "=?utf-8?" not in printed
    parsed = email.message_from_string(printed.split("\n-----")[0], policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == url
