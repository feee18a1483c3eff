"""Notification email: immediate mails and digests by each member's choice, in their own
time zone, held by quiet hours, each notification in one mail at most, unsubscribe links
that work without signing in (RFC 8058), and retries when the mail server fails. The SMTP
server is the only thing replaced: by Django's in-memory backend, or by one that refuses."""

import smtplib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery import current_app
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse

from community import services as community
from messaging import mail
from messaging.models import Notification, Participant, Preferences
from messaging.services import conversations as dms
from messaging.services import email
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db
Frequency = Preferences.Frequency


def at(zone, *args):
    """A moment given on a zone's wall clock, in UTC."""
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def sent_to(member):
    return [m for m in outbox.outbox if m.to == [member.email]]


def test_a_comment_is_mailed_at_once_with_both_parts_and_one_click_unsubscribe(
    member, other_member, space, committed
):
    post = PostFactory(author=member, space=space, title="Garden plans")
    committed(community.create_comment, other_member, post=post, body="Tomatoes first")
    (message,) = sent_to(member)
    assert other_member.display_name in message.subject and "Garden plans" in message.subject
    assert "Tomatoes first" in message.body and "/notifications/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Tomatoes first" in html and "#4f46e5" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://") and link in message.body
    row = Notification.objects.get(recipient=member)
    assert row.emailed_at is not None and not row.email_pending
    # Asked again (a task delivered twice, the sweep), nobody is mailed twice.
    assert email.send_pending(member.pk) is False and email.send_due() == (0, 0)
    assert len(sent_to(member)) == 1


def test_what_a_member_turned_off_is_not_mailed(member, other_member, space, committed):
    post = PostFactory(author=member, space=space)
    committed(community.like, other_member, target=post)  # likes: in the app only by default
    assert sent_to(member) == [] and Notification.objects.filter(recipient=member).count() == 1
    email.set_email_preferences(member, kinds={"comment": False})
    committed(community.create_comment, other_member, post=post, body="One")
    email.set_email_preferences(member, kinds={"comment": True}, enabled=False)
    committed(community.create_comment, other_member, post=post, body="Two")
    email.set_email_preferences(member, enabled=True, frequency=Frequency.OFF)
    committed(community.create_comment, other_member, post=post, body="Three")
    assert sent_to(member) == []
    assert not Notification.objects.filter(email_pending=True).exists()


def test_a_notification_read_before_its_mail_goes_is_not_mailed(
    member, other_member, space, django_capture_on_commit_callbacks
):
    from messaging.services import notifications

    post = PostFactory(author=member, space=space)
    with django_capture_on_commit_callbacks(execute=True):
        with django_capture_on_commit_callbacks() as held:  # the signal waits
            community.create_comment(other_member, post=post, body="Read me in the app")
        # The signal makes the notification, whose mail task is held in turn.
        with django_capture_on_commit_callbacks() as mail_task:
            for callback in held:
                callback()
        notifications.mark_all_read(member)
        for callback in mail_task:
            callback()
    assert Notification.objects.filter(recipient=member).count() == 1
    assert sent_to(member) == []


def test_quiet_hours_hold_mail_until_they_end_on_the_members_own_clock(
    member, other_member, space, committed
):
    member.time_zone = "America/Denver"
    member.save()
    email.set_email_preferences(member, quiet_start=time(22), quiet_end=time(7))
    prefs = email.preferences_of(member.pk)
    assert email.in_quiet_hours(prefs, member.time_zone, at("America/Denver", 2026, 3, 7, 23, 30))
    assert email.in_quiet_hours(prefs, member.time_zone, at("America/Denver", 2026, 3, 8, 6, 59))
    # The night the clocks go forward: 07:00 is still the end (13:00 UTC, not 14:00).
    assert not email.in_quiet_hours(prefs, member.time_zone, at("America/Denver", 2026, 3, 8, 7))
    assert at("America/Denver", 2026, 3, 8, 7) == datetime(2026, 3, 8, 13, tzinfo=UTC)
    assert not email.in_quiet_hours(prefs, member.time_zone, at("America/Denver", 2026, 3, 8, 21))

    post = PostFactory(author=member, space=space)
    committed(community.create_comment, other_member, post=post, body="Late thought")
    row = Notification.objects.get(recipient=member)
    # Held or sent, by the real clock; now mailed at chosen times:
    outbox.outbox.clear()
    Notification.objects.filter(pk=row.pk).update(email_pending=True, emailed_at=None)
    assert email.send_due(now=at("America/Denver", 2026, 3, 8, 6, 30)) == (0, 0)
    assert email.send_due(now=at("America/Denver", 2026, 3, 8, 7, 5)) == (1, 0)
    assert len(sent_to(member)) == 1


def test_next_digest_is_at_eight_in_the_members_time_zone_across_a_clock_change():
    denver, tokyo = "America/Denver", "Asia/Tokyo"
    before = at(denver, 2026, 3, 7, 9)  # Saturday; the clocks go forward that night
    assert email.next_digest_at(Frequency.DAILY, denver, before) == at(denver, 2026, 3, 8, 8)
    assert email.next_digest_at(Frequency.DAILY, denver, before) == datetime(
        2026, 3, 8, 14, tzinfo=UTC
    )
    assert email.next_digest_at(Frequency.WEEKLY, denver, before) == at(denver, 2026, 3, 9, 8)
    assert email.next_digest_at(Frequency.DAILY, tokyo, before) == at(tokyo, 2026, 3, 8, 8)
    assert email.next_digest_at(Frequency.IMMEDIATE, tokyo, before) is None


def test_a_new_time_zone_moves_the_next_digest_to_eight_on_the_new_clock(member, committed):
    email.set_email_preferences(member, frequency=Frequency.DAILY)
    committed(community.update_profile, member, time_zone="Asia/Tokyo")
    local = email.preferences_of(member.pk).next_digest_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local.time() == time(8)


def _daily(member, zone, now):
    member.time_zone = zone
    member.save()
    email.set_email_preferences(member, frequency=Frequency.DAILY)
    Preferences.objects.filter(member=member).update(
        next_digest_at=email.next_digest_at(Frequency.DAILY, zone, now)
    )


def test_daily_digests_go_each_in_its_members_morning_once_and_never_empty(space, committed):
    author = UserFactory()
    tokyo, denver = UserFactory(), UserFactory()
    start = datetime(2026, 6, 1, 16, tzinfo=UTC)  # 01:00 on 2 June in Tokyo, 10:00 in Denver
    _daily(tokyo, "Asia/Tokyo", start)
    _daily(denver, "America/Denver", start)
    for reader in (tokyo, denver):
        post = PostFactory(author=reader, space=space, title=f"Post of {reader.display_name}")
        committed(community.create_comment, author, post=post, body="First")
        committed(community.create_comment, author, post=post, body="Second")
    assert outbox.outbox == []  # digest members get nothing as it happens

    # 08:00 on 2 June in Tokyo is 23:00 on 1 June UTC; Denver's 08:00 is 14:00 UTC.
    assert email.send_due(now=datetime(2026, 6, 1, 23, 1, tzinfo=UTC)) == (0, 1)
    # The digest task run twice (a redelivered beat, two sweeps at once): one digest.
    assert email.send_digest(tokyo.pk, now=datetime(2026, 6, 1, 23, 1, tzinfo=UTC)) is False
    (digest,) = sent_to(tokyo)
    assert "daily digest" in digest.subject and digest.body.count("commented on your post") == 2
    assert digest.extra_headers["List-Unsubscribe"]
    assert sent_to(denver) == []
    assert email.send_due(now=datetime(2026, 6, 2, 14, 1, tzinfo=UTC)) == (0, 1)
    assert len(sent_to(denver)) == 1

    # The next morning: nothing new, nothing sent, and the next one is scheduled anyway.
    assert email.send_due(now=datetime(2026, 6, 2, 23, 1, tzinfo=UTC)) == (0, 0)
    prefs = email.preferences_of(tokyo.pk)
    assert prefs.next_digest_at == datetime(2026, 6, 3, 23, tzinfo=UTC)
    # Something new goes in the following one, alone: each notification in one digest.
    post = PostFactory(author=tokyo, space=space, title="Another")
    committed(community.create_comment, author, post=post, body="Third")
    assert email.send_due(now=datetime(2026, 6, 3, 23, 1, tzinfo=UTC)) == (0, 1)
    latest = sent_to(tokyo)[-1]
    assert latest.body.count("commented on your post") == 1 and "Another" in latest.body


def test_payment_problems_are_mailed_at_once_even_to_digest_members(member, committed):
    from messaging import tasks

    _daily(member, "UTC", datetime(2026, 6, 1, tzinfo=UTC))
    committed(tasks.payment_failed, member.pk, 41, "https://invoice.stripe.com/i/acct_1/test_41")
    (message,) = sent_to(member)
    assert "payment failed" in message.subject.lower()
    assert "https://invoice.stripe.com/i/acct_1/test_41" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # not a mail one can refuse


def test_payment_problems_are_told_to_one_who_turned_everything_off(member, committed):
    from messaging import tasks
    from messaging.services import notifications

    email.unsubscribe(member.pk, mail.ALL_EMAIL)
    notifications.set_kinds(member, enabled=[])  # nothing in the app either
    committed(tasks.payment_failed, member.pk, 42, "")
    (message,) = sent_to(member)
    assert "payment failed" in message.subject.lower()
    assert Notification.objects.filter(recipient=member, kind="payment").count() == 1
    with pytest.raises(ValidationError, match="always emailed"):
        email.set_email_preferences(member, kinds={"payment": False})
    with pytest.raises(ValidationError, match="always told"):
        notifications.set_kinds(member, changes={"payment": False})


def test_a_digest_lists_the_newest_and_counts_the_rest_and_leaves_none_behind(
    member, space, committed
):
    author = UserFactory()
    _daily(member, "UTC", datetime(2026, 6, 1, tzinfo=UTC))
    post = PostFactory(author=member, space=space)
    for number in range(email.MAIL_ROWS + 5):
        committed(community.create_comment, author, post=post, body=f"Comment {number}")
    assert email.send_due(now=datetime(2026, 6, 2, 8, 1, tzinfo=UTC)) == (0, 1)
    (digest,) = sent_to(member)
    assert digest.body.count("commented on your post") == email.MAIL_ROWS
    assert "“Comment 34”" in digest.body and "“Comment 5”" in digest.body
    assert "“Comment 4”" not in digest.body  # the oldest five are counted, not listed
    assert "…and 5 more" in digest.body and "…and 5 more" in digest.alternatives[0][0]
    assert not Notification.objects.filter(recipient=member, email_pending=True).exists()


def test_one_members_failing_mail_does_not_stop_the_sweep_for_others(space, committed, settings):
    author, failing, fine = UserFactory(), UserFactory(), UserFactory()
    assert failing.pk < fine.pk  # the sweep, in id order, meets the failing one first
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusesFirstAddress"}}
    RefusesFirstAddress.address = failing.email
    for reader in (failing, fine):
        committed(community.create_comment, author, post=PostFactory(author=reader, space=space),
                  body="Hello")  # fmt: skip
    outbox.outbox.clear()
    Notification.objects.filter(recipient=fine).update(email_pending=True)
    assert email.send_due() == (1, 0)
    assert [m.to for m in outbox.outbox] == [[fine.email]]
    assert Notification.objects.get(recipient=failing).email_pending  # tried again next time


def test_a_direct_message_is_mailed_once_and_not_when_read_first(
    member, other_member, settings, django_capture_on_commit_callbacks
):
    settings.AGORA_MESSAGE_EMAIL_DELAY = 0  # the eager task runs at once: no wait to wait
    conversation = dms.start_conversation(other_member, member)
    with django_capture_on_commit_callbacks(execute=True):
        dms.send_message(other_member, conversation, body="Are you coming **tonight**?")
    (message,) = sent_to(member)
    assert message.subject.endswith(f"New messages from {other_member.display_name}")
    assert "Are you coming tonight?" in message.body
    assert f"/messages/{conversation.pk}/" in message.body
    assert not Participant.objects.filter(member=member, email_pending=True).exists()

    with django_capture_on_commit_callbacks() as mail_task:
        dms.send_message(other_member, conversation, body="See you there")
    conversation.refresh_from_db()
    dms.mark_read(member, conversation)
    for callback in mail_task:
        callback()
    assert len(sent_to(member)) == 1

    email.set_email_preferences(member, kinds={"message": False})
    with django_capture_on_commit_callbacks(execute=True):
        dms.send_message(other_member, conversation, body="Hello?")
    assert len(sent_to(member)) == 1


def test_messages_wait_their_delay_and_several_make_one_mail(
    member, other_member, settings, django_capture_on_commit_callbacks
):
    settings.AGORA_MESSAGE_EMAIL_DELAY = 120
    conversation = dms.start_conversation(other_member, member)
    with django_capture_on_commit_callbacks(execute=True):
        dms.send_message(other_member, conversation, body="One")
    assert sent_to(member) == []  # its task ran at once (eager) and found it too fresh
    with django_capture_on_commit_callbacks(execute=True):
        dms.send_message(other_member, conversation, body="Two")
    last = Participant.objects.get(member=member, conversation=conversation).latest_at
    assert email.send_pending(member.pk, now=last + timedelta(seconds=60)) is False
    assert email.send_pending(member.pk, now=last + timedelta(seconds=121)) is True
    (message,) = sent_to(member)  # one mail for both, showing the last
    assert "Two" in message.body
    assert email.send_due(now=last + timedelta(seconds=600)) == (0, 0)


def test_the_unsubscribe_link_works_without_signing_in_and_asks_first():
    member = UserFactory()
    browser = Client(enforce_csrf_checks=True)
    url = reverse("messaging:unsubscribe", args=[mail.unsubscribe_token(member.pk, "comment")])
    page = browser.get(url)
    assert page.status_code == 200 and "“Comments on my posts” emails" in page.text
    assert "comment" not in (email.preferences_of(member.pk).email_off or [])
    # A mail program's one-click POST (RFC 8058): no session, no CSRF token.
    done = browser.post(url, "List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert "comment" in email.preferences_of(member.pk).email_off

    everything = reverse("messaging:unsubscribe", args=[mail.unsubscribe_token(member.pk, "all")])
    assert browser.post(everything).status_code == 200
    assert email.preferences_of(member.pk).email_enabled is False


@pytest.mark.parametrize(
    "token",
    ["nonsense", mail.unsubscribe_token(1, "comment") + "x"],
    ids=["garbage", "tampered"],  # the signed token holds a time: ids the same in every worker
)
def test_a_broken_unsubscribe_link_says_so(client, token):
    page = client.post(reverse("messaging:unsubscribe", args=[token]))
    assert page.status_code == 400 and "This link does not work" in page.text


class RefusesOnce(EmailBackend):
    """A mail server that drops the first connection (as one restarting would)."""

    refused = 0

    def send_messages(self, messages):
        if RefusesOnce.refused == 0:
            RefusesOnce.refused += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_mail_the_server_refuses_is_retried_and_sent_once(
    member, other_member, space, committed, settings, monkeypatch
):
    # As a worker runs it: an eager task propagating its error would not retry.
    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusesOnce"}}
    RefusesOnce.refused = 0
    post = PostFactory(author=member, space=space)
    committed(community.create_comment, other_member, post=post, body="Try again")
    assert RefusesOnce.refused == 1
    assert len(sent_to(member)) == 1
    assert Notification.objects.get(recipient=member).emailed_at is not None


class RefusesFirstAddress(EmailBackend):
    """A mail server that refuses one recipient's address."""

    address = None

    def send_messages(self, messages):
        if any(message.to == [self.address] for message in messages):
            raise smtplib.SMTPRecipientsRefused({self.address: (550, b"Mailbox unavailable")})
        return super().send_messages(messages)


class Refuses(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_that_fails_for_good_stays_pending_for_the_sweep(member, other_member, space,
                                                                committed, settings):  # fmt: skip
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.Refuses"}}
    post = PostFactory(author=member, space=space)
    committed(community.create_comment, other_member, post=post, body="Not lost")
    assert Notification.objects.get(recipient=member).email_pending
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert email.send_due() == (1, 0)
    assert "Not lost" in sent_to(member)[0].body


def test_the_settings_page_saves_email_choices_and_explains_bad_quiet_hours(member, member_client):
    url = reverse("messaging:notification_settings")
    form = {"email_enabled": "on", "email_frequency": "weekly", "email-comment": "on",
            "email-message": "on", "quiet_start": "22:30", "quiet_end": "06:00"}  # fmt: skip
    assert member_client.post(url, form).status_code == 302
    prefs = email.preferences_of(member.pk)
    assert prefs.email_frequency == "weekly" and prefs.quiet_start == time(22, 30)
    assert set(prefs.email_off) >= {"reply", "mention", "like"} and "comment" not in prefs.email_off
    local = prefs.next_digest_at.astimezone(ZoneInfo(member.time_zone or "UTC"))
    assert (local.weekday(), local.time()) == (0, time(8))  # Monday 08:00 on their clock
    page = member_client.post(url, {**form, "quiet_end": ""})
    assert page.status_code == 400 and "both the start and the end" in page.text
    assert email.preferences_of(member.pk).quiet_end == time(6)  # nothing half-saved


def test_a_new_member_is_welcomed_once_their_address_is_confirmed(
    client, django_capture_on_commit_callbacks
):
    password = "a brand new passphrase 42"
    client.post(
        reverse("account_signup"),
        {
            "email": "ana@example.com",
            "display_name": "Ana",
            "password1": password,
            "password2": password,
        },
    )
    (confirmation,) = outbox.outbox
    link = next(word for word in confirmation.body.split() if word.startswith("http"))
    # allauth's account mails come in the same branded HTML, the link clickable.
    html = confirmation.alternatives[0][0]
    assert f'<a href="{link}"' in html and "#4f46e5" in html
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302
    welcome = outbox.outbox[-1]
    assert welcome.to == ["ana@example.com"] and welcome.subject.endswith("Welcome to Agora")
    assert "Welcome, Ana!" in welcome.body and "/profile/edit/" in welcome.body
    assert "Welcome, Ana!" in welcome.alternatives[0][0]
    from community.models import User
    from messaging import tasks

    tasks.send_welcome(User.objects.get(email="ana@example.com").pk)  # delivered twice
    assert len(outbox.outbox) == 2


def test_a_banned_member_may_still_refuse_mail_by_its_link(client):
    banned = UserFactory(banned=True)
    url = reverse("messaging:unsubscribe", args=[mail.unsubscribe_token(banned.pk, "all")])
    assert client.post(url).status_code == 200
    assert email.preferences_of(banned.pk).email_enabled is False


def test_a_digest_task_run_twice_sends_one_digest(member, other_member, space, committed):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    _daily(member, "UTC", now)
    post = PostFactory(author=member, space=space)
    committed(community.create_comment, other_member, post=post, body="Once")
    due = datetime(2026, 6, 2, 8, 1, tzinfo=UTC)
    assert email.send_digest(member.pk, now=due) is True
    assert email.send_digest(member.pk, now=due) is False
    assert len(sent_to(member)) == 1


def test_quiet_hours_hold_a_comment_but_not_a_payment_problem(member, other_member, space,
                                                              committed):  # fmt: skip
    from messaging import tasks

    email.set_email_preferences(member, quiet_start=time(22), quiet_end=time(7))
    post = PostFactory(author=member, space=space)
    committed(community.create_comment, other_member, post=post, body="Held till morning")
    committed(tasks.payment_failed, member.pk, 43, "")
    outbox.outbox.clear()
    Notification.objects.filter(recipient=member).update(email_pending=True, emailed_at=None)
    night = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # the member's clock is UTC
    assert email.send_due(now=night) == (1, 0)
    (payment,) = sent_to(member)
    assert "payment failed" in payment.subject.lower() and "Held till morning" not in payment.body
    assert Notification.objects.get(recipient=member, kind="comment").email_pending
    assert email.send_due(now=datetime(2026, 6, 2, 7, 5, tzinfo=UTC)) == (1, 0)
    assert "Held till morning" in sent_to(member)[-1].body


def test_a_line_break_in_a_name_never_reaches_the_subject_header(member, space, committed):
    author = UserFactory(display_name="Ana\r\nBcc: everyone@example.com")
    post = PostFactory(author=member, space=space, title="Two\nlines")
    committed(community.create_comment, author, post=post, body="Hello")
    (message,) = sent_to(member)
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Ana Bcc: everyone@example.com" in message.subject
    assert message.recipients() == [member.email]
    assert message.message()["Bcc"] is None  # one header, not an injected second one


def test_saving_other_settings_keeps_a_due_digest_due(member):
    _daily(member, "UTC", datetime(2026, 6, 1, 12, tzinfo=UTC))
    due = email.preferences_of(member.pk).next_digest_at
    assert due == datetime(2026, 6, 2, 8, tzinfo=UTC)
    email.set_email_preferences(member, kinds={"like": True}, quiet_start=time(23),
                                quiet_end=time(6))  # fmt: skip
    assert email.preferences_of(member.pk).next_digest_at == due
    email.set_email_preferences(member, frequency=Frequency.WEEKLY)
    assert email.preferences_of(member.pk).next_digest_at != due
