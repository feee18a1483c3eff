import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community import services
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "a brand new passphrase 42"


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def signed_in_member(client):
    return client.get(reverse("api-me")).json() if "_auth_user_id" in client.session else None


def link_in_last_mail():
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def test_sign_up_sends_a_verification_mail_and_verifying_signs_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Member@Example.com",
            "display_name": "  New Member ",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    member = User.objects.get(email__iexact="new.member@example.com")
    assert member.display_name == "New Member"
    assert member.password.startswith("argon2")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]

    confirm_url = link_in_last_mail()
    assert client.get(confirm_url).status_code == 200  # a page with a button, no change on GET
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    assert member.emailaddress_set.get().verified


def test_sign_up_with_an_email_taken_in_another_case_creates_no_second_account(client, member):
    """Like a fresh sign-up to the visitor (no address enumeration); the owner is told."""
    client.post(
        reverse("account_signup"),
        {
            "email": member.email.upper(),
            "display_name": "Copy",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert User.objects.filter(email__iexact=member.email).count() == 1
    assert "_auth_user_id" not in client.session
    assert mail.outbox[-1].to == [member.email]
    assert "already" in mail.outbox[-1].body.lower()


def test_sign_up_requires_a_display_name(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@example.com",
            "display_name": "",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not User.objects.filter(email="x@example.com").exists()


def test_unverified_member_cannot_sign_in_until_verified(client):
    member = UserFactory(verified=False)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=member, email=member.email, verified=False, primary=True)
    response = sign_in(client, member.email)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert "confirm" in mail.outbox[-1].subject.lower()


def test_sign_in_with_the_right_password_any_email_case(client, member):
    response = sign_in(client, member.email.upper())
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_it_rejects_a_wrong_password(client, member):
    response = sign_in(client, member.email, "not the password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"not correct" in response.content


def test_failed_sign_ins_are_rate_limited(client, member):
    for _ in range(5):
        sign_in(client, member.email, "wrong")
    response = sign_in(client, member.email)  # even the right password, for a while
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_sign_out_ends_the_session(client, member):
    client.force_login(member)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})
    assert len(mail.outbox) == 1
    reset_url = link_in_last_mail()
    response = client.get(reset_url, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_password_reset_with_a_bad_token_changes_nothing(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})
    reset_url = link_in_last_mail()
    bad_url = re.sub(r"-[^/]+/$", "-not-a-valid-token/", reset_url)
    response = client.get(bad_url, follow=True)
    assert b"Bad Token" in response.content or b"invalid" in response.content.lower()
    client.post(bad_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_sign_in_by_a_code_sent_by_email(client, member):
    response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code == 302
    code = re.search(
        r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE
    ).group(1)
    response = client.post(response.url, {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_wrong_login_code_does_not_sign_in(client, member):
    response = client.post(reverse("account_request_login_code"), {"email": member.email})
    client.post(response.url, {"code": "ABCD-EFGH"})  # the right shape, not the code
    assert "_auth_user_id" not in client.session


def test_a_banned_member_cannot_sign_in(client, member, moderator):
    services.ban_member(moderator, member=member, reason="Spam links")
    response = sign_in(client, member.email)
    assert response.status_code == 403
    assert b"Spam links" in response.content
    assert "_auth_user_id" not in client.session


def test_a_ban_that_has_ended_no_longer_blocks(client, member, moderator):
    services.ban_member(
        moderator, member=member, reason="Cool off", until=timezone.now() - timedelta(minutes=1)
    )
    sign_in(client, member.email)
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_member_banned_while_signed_in_is_signed_out_on_the_next_request(
    client, member, moderator
):
    client.force_login(member)
    assert client.get(reverse("community:own_profile")).status_code == 200
    services.ban_member(moderator, member=member, reason="Harassment")
    response = client.get(reverse("community:own_profile"))
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "headers",
    [{"HX-Request": "true"}, {"Sec-Fetch-Mode": "cors"}, {"Sec-WebSocket-Key": "x"}],
    ids=["htmx", "fetch", "socket-handshake"],
)
def test_a_banned_members_background_request_leaves_the_reason_for_the_next_page(
    client, member, moderator, headers
):
    client.force_login(member)
    services.ban_member(moderator, member=member, reason="Harassment")
    background = client.get(reverse("community:own_profile"), headers=headers)
    assert background.status_code == 302 and background.url.startswith(reverse("account_login"))
    assert client.session["_auth_user_id"] == str(member.pk)  # not ended out of sight
    page = client.get(reverse("community:own_profile"), headers={"Sec-Fetch-Mode": "navigate"})
    assert page.url == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert b"Your account is suspended." in client.get(page.url).content


def test_a_banned_members_api_call_with_the_session_is_refused_and_keeps_it(
    client, member, moderator
):
    # An API call carries no Sec-Fetch-Mode when a script makes it: the path alone says so.
    client.force_login(member)
    services.ban_member(moderator, member=member, reason="Harassment")
    response = client.get(reverse("api-me"))
    assert response.status_code == 401
    assert client.session["_auth_user_id"] == str(member.pk)
    page = client.get(reverse("community:own_profile"))
    assert page.url == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_social_buttons_are_hidden_without_keys(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Continue with Google" not in page
    assert "Continue with GitHub" not in page


def test_social_buttons_show_when_keys_are_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "abc", "secret": "def"}]},
    }
    page = client.get(reverse("account_login")).content.decode()
    assert "Continue with GitHub" in page
    assert "Continue with Google" not in page
