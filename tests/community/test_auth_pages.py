"""allauth's pages speak like the rest of the site: sentence case, checkbox labels beside."""

import re

import pytest
from django.urls import reverse

from community.templatetags.auth_pages import sentence_case, sentence_case_labels

pytestmark = pytest.mark.django_db


def texts(html, tag):
    return [
        " ".join(re.sub(r"<[^>]+>", "", m).split())
        for m in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, re.DOTALL)
    ]


@pytest.mark.parametrize(
    ("url_name", "heading", "button"),
    [
        ("account_login", "Sign in", "Sign in"),
        ("account_signup", "Sign up", "Sign up"),
        ("account_reset_password", "Password reset", "Reset my password"),
        ("account_request_login_code", "Send me a sign-in code", "Request code"),
    ],
)
def test_auth_pages_use_sentence_case(client, url_name, heading, button):
    html = client.get(reverse(url_name)).content.decode()
    assert texts(html, "h1") == [heading]
    assert button in texts(html, "button")
    assert not [label for label in texts(html, "label") if re.search(r" [A-Z][a-z]", label)]


def test_the_sign_in_title_is_in_sentence_case(client):
    html = client.get(reverse("account_login")).content.decode()
    assert " ".join(texts(html, "title")[0].split()) == "Sign in · Agora"


def test_remember_me_is_a_label_around_its_checkbox(client):
    html = client.get(reverse("account_login")).content.decode()
    assert re.search(
        r'<label class="choice" for="id_remember"><input type="checkbox" name="remember"'
        r"[^>]*> <span>Remember me</span></label>",
        html,
    ), html


def test_a_signed_in_member_sees_sentence_case_when_changing_the_password(member_client):
    html = member_client.get(reverse("account_change_password")).content.decode()
    assert texts(html, "h1") == ["Change password"]
    assert {"Current password", "New password", "New password (again)"} <= set(texts(html, "label"))


@pytest.mark.parametrize(
    ("title", "sentence"),
    [
        ("Sign In", "Sign in"),
        ("Enter Sign-In Code", "Enter sign-in code"),
        ("Two-Factor Authentication", "Two-factor authentication"),
        ("Sign In Via GitHub", "Sign in via GitHub"),  # names stay as they are
        ("Connect Google", "Connect Google"),
        ("Welcome To Agora", "Welcome to Agora"),
        ("API Tokens", "API tokens"),
        ("\n    Remember Me\n", "\n    Remember me\n"),
    ],
)
def test_sentence_case(title, sentence):
    assert sentence_case(title) == sentence


def test_sentence_case_leaves_tags_and_values_alone():
    field = '<label for="id_x">New Password</label><input value="Ada Lovelace" class="Big One">'
    assert sentence_case_labels(field) == (
        '<label for="id_x">New password</label><input value="Ada Lovelace" class="Big One">'
    )
