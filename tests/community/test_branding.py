"""Branding: the colour and domain rules, the admins' page and API (and who may use them),
the name, colour, logo and favicon on every page and in mails, the custom domain (hosts,
CSRF, absolute links), and pages that cost no extra query for any of it."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from community import audit, branding, services
from community.models import AuditEntry, Branding
from community.validators import clean_color, clean_domain, contrast_with_white
from messaging import tasks as messaging_tasks
from tests.helpers import api_as, warm_query_count

pytestmark = pytest.mark.django_db

PAGE = "/manage/branding/"
API = "/api/v1/branding/"
DOMAIN = "community.acme.example"


def png(name="logo.png", size=(120, 40), color=(30, 64, 175)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def not_an_image(name="logo.png"):
    return SimpleUploadedFile(name, b"<svg onload=alert(1)>", content_type="image/png")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- The rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [("#1D4ED8", "#1d4ed8"), ("#333", "#333333"), (" #4f46e5 ", "#4f46e5"), ("#000", "#000000")],
)
def test_a_colour_is_kept_as_lowercase_rrggbb(given, kept):
    assert clean_color(given) == kept


@pytest.mark.parametrize(
    "given",
    ["red; background:url(x)", "red", "1d4ed8", "#1d4ed", "#1d4ed8;}", "#1d4ed8 !important",
     "url(x)", "#gggggg", "rgb(0,0,0)", "", "#1d4ed8</style><script>"],
)  # fmt: skip
def test_anything_but_a_hex_colour_is_refused(given):
    with pytest.raises(ValidationError) as refused:
        clean_color(given)
    assert refused.value.messages == ["Give the colour as #rrggbb or #rgb (for example #4f46e5)."]


def test_a_colour_too_light_for_white_text_is_refused_with_its_ratio_and_a_darker_one():
    with pytest.raises(ValidationError) as refused:
        clean_color("#FFFF00")
    (message,) = refused.value.messages
    assert "contrast of 1.07:1" in message and "at least 4.5:1" in message
    suggestion = re.search(r"such as (#[0-9a-f]{6})", message).group(1)
    assert contrast_with_white(suggestion) >= 4.5
    assert clean_color(suggestion) == suggestion  # the suggestion is accepted


def test_the_contrast_is_wcags():
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#ffffff") == pytest.approx(1)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)  # the AA limit


@pytest.mark.parametrize(
    ("given", "kept"),
    [("Community.Example.COM", "community.example.com"), ("example.org.", "example.org"),
     ("bücher.example", "xn--bcher-kva.example")],
)  # fmt: skip
def test_a_domain_is_kept_as_a_lowercase_host_name(given, kept):
    assert clean_domain(given) == kept


@pytest.mark.parametrize(
    "given",
    ["https://example.com", "example.com/path", "example.com:8443", "localhost", "1.2.3.4",
     "*.example.com", "exa mple.com", "-bad.example.com", "a..example.com", "user@example.com"],
)  # fmt: skip
def test_anything_but_a_host_name_is_refused_as_a_domain(given):
    with pytest.raises(ValidationError):
        clean_domain(given)


# --- The service -----------------------------------------------------------------------


def test_without_a_row_the_env_settings_are_the_branding(settings):
    settings.AGORA_SITE_NAME, settings.AGORA_PRIMARY_COLOR = "Env Club", "#123456"
    brand = branding.current()
    assert (brand.name, brand.primary_color, brand.logo_url) == ("Env Club", "#123456", "")
    assert brand.favicon_url.endswith("agora/favicon.svg")


def test_admins_change_it_audited_and_blank_is_the_default_again(admin, settings):
    services.update_branding(admin, name=" Acme  Club ", primary_color="#1D4ED8")
    brand = branding.current()
    assert (brand.name, brand.primary_color) == ("Acme Club", "#1d4ed8")
    entry = AuditEntry.objects.get(action=audit.BRANDING)
    assert entry.actor == admin and entry.reason == "Changed: name, colour"

    services.update_branding(admin, name="", primary_color="")
    assert branding.current().name == settings.AGORA_SITE_NAME
    assert branding.current().primary_color == settings.AGORA_PRIMARY_COLOR


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_only_admins_may_change_it(who, request):
    with pytest.raises(PermissionDenied):
        services.update_branding(request.getfixturevalue(who), name="Mine")
    assert not Branding.objects.exists()


def test_one_bad_field_changes_nothing(admin):
    services.update_branding(admin, name="Acme")
    with pytest.raises(ValidationError) as refused:
        services.update_branding(admin, name="Other", primary_color="red; background:url(x)",
                                 logo=not_an_image())  # fmt: skip
    assert set(refused.value.message_dict) == {"primary_color", "logo"}
    assert branding.current().name == "Acme" and not Branding.objects.get().logo


def test_the_logo_goes_through_the_upload_gate_reencoded_under_a_random_name(admin):
    services.update_branding(admin, logo=png("../../etc/passwd.png"))
    name = Branding.objects.get().logo.name
    assert re.fullmatch(r"branding/[0-9a-f]{32}\.png", name)
    with pytest.raises(ValidationError) as refused:
        services.update_branding(admin, favicon=not_an_image("icon.png"))
    assert refused.value.message_dict["favicon"] == [
        "This file is not an image we can read (use JPEG, PNG, GIF or WebP)."
    ]


def test_a_replaced_logo_leaves_the_storage_once_committed(admin, committed):
    committed(services.update_branding, admin, logo=png())
    first = Branding.objects.get().logo
    storage, first_name = first.storage, first.name
    committed(services.update_branding, admin, logo=png(color=(10, 10, 10)))
    assert not storage.exists(first_name)
    committed(services.update_branding, admin, logo=None)
    assert not Branding.objects.get().logo and branding.current().logo_url == ""


# --- The page, and who may open it -------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(PAGE), client.post(PAGE, {"name": "Mine"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not Branding.objects.exists()


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_members_and_moderators_are_refused(who, request):
    client = signed_in(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "Mine"}).status_code == 403
    assert not Branding.objects.exists()


def test_the_sidebar_links_admins_to_the_page(admin, moderator):
    assert f'href="{PAGE}"' in signed_in(admin).get("/").content.decode()
    assert f'href="{PAGE}"' not in signed_in(moderator).get("/").content.decode()


def test_the_page_shows_the_form_with_a_colour_picker_and_a_preview(admin):
    html = signed_in(admin).get(PAGE).content.decode()
    assert 'type="color"' in html and 'name="primary_color"' in html
    assert 'name="logo"' in html and 'name="favicon"' in html and 'name="custom_domain"' in html
    assert "Preview" in html


def test_what_admins_save_is_on_every_page(admin, member, space):
    client = signed_in(admin)
    response = client.post(PAGE, {"name": "Acme Club", "primary_color": "#1D4ED8",
                                  "logo": png(), "favicon": png("icon.png", (64, 64))})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == PAGE
    brand = branding.current()
    assert brand.logo_url.startswith("/media/branding/")

    for viewer in (Client(), signed_in(member)):
        html = viewer.get("/").content.decode()  # the feed
        assert "<title>" in html and "· Acme Club</title>" in html
        assert ":root { --primary: #1d4ed8; }" in html
        assert f'<img class="brand__logo" src="{brand.logo_url}" alt="Acme Club">' in html
        assert f'<link rel="icon" href="{brand.favicon_url}">' in html
    admin_html = client.get("/admin/").content.decode()
    assert "Acme Club administration" in admin_html


def test_a_bad_colour_is_shown_on_its_field_and_nothing_changes(admin):
    bad = {"name": "Acme", "primary_color": "red; background:url(x)"}
    response = signed_in(admin).post(PAGE, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_primary_color_error">Give the colour as #rrggbb or #rgb' in html
    assert "Nothing was changed." in html
    assert not Branding.objects.exists()


def test_a_low_contrast_colour_is_refused_on_the_page_with_a_suggestion(admin):
    response = signed_in(admin).post(PAGE, {"primary_color": "#ffcc00"})
    assert response.status_code == 400
    assert "Try a darker shade, such as #" in response.content.decode()


def test_a_logo_that_is_not_an_image_is_refused_on_its_field(admin):
    response = signed_in(admin).post(PAGE, {"logo": not_an_image()})
    assert response.status_code == 400
    assert 'id="id_logo_error">This file is not an image we can read' in response.content.decode()
    assert not Branding.objects.exists()


def test_the_logo_can_be_removed(admin):
    client = signed_in(admin)
    client.post(PAGE, {"logo": png()})
    assert branding.current().logo
    assert client.post(PAGE, {"remove_logo": "on"}).status_code == 302
    assert not branding.current().logo
    assert 'class="brand__mark"' in client.get("/").content.decode()


# --- Mails -----------------------------------------------------------------------------


def test_mails_carry_the_name_colour_and_logo_and_link_to_the_custom_domain(
    admin, member, mailoutbox, settings
):
    settings.AWS_QUERYSTRING_AUTH = False
    services.update_branding(admin, name="Acme Club", primary_color="#1d4ed8",
                             logo=png(), custom_domain=DOMAIN)  # fmt: skip
    messaging_tasks.send_welcome(member.pk)
    (mail,) = mailoutbox
    assert mail.subject == "[Acme Club] Welcome to Acme Club"
    html = mail.alternatives[0][0]
    assert "background:#1d4ed8" in html and ">Acme Club</span>" in html
    assert f'<img src="https://{DOMAIN}{branding.current().logo_url}"' in html
    assert f"https://{DOMAIN}/profile/edit/" in mail.body and f"https://{DOMAIN}/" in html
    assert "127.0.0.1" not in mail.body + html


def test_account_mails_carry_the_name(admin, member, mailoutbox):
    services.update_branding(admin, name="Acme Club")
    Client().post("/accounts/password/reset/", {"email": member.email})
    (mail,) = mailoutbox
    assert mail.subject.startswith("[Acme Club] ")
    assert "Acme Club" in mail.body and "Acme Club" in mail.alternatives[0][0]


# --- The custom domain -------------------------------------------------------------------


def test_links_use_the_env_address_until_a_domain_is_set(admin, settings):
    settings.AGORA_BASE_URL = "http://127.0.0.1:8000/"
    assert branding.absolute_url("/events/") == "http://127.0.0.1:8000/events/"
    services.update_branding(admin, custom_domain=DOMAIN)
    assert branding.absolute_url("/events/") == f"https://{DOMAIN}/events/"
    assert branding.absolute_url("https://cdn.example/x.png") == "https://cdn.example/x.png"


def test_requests_to_the_domain_are_refused_until_it_is_set(admin, space):
    visitor = Client()
    assert visitor.get("/", headers={"host": DOMAIN}).status_code == 400
    services.update_branding(admin, custom_domain=DOMAIN)
    response = visitor.get("/", headers={"host": DOMAIN})
    assert response.status_code == 200
    assert visitor.get("/", headers={"host": "evil.example.com"}).status_code == 400
    services.update_branding(admin, custom_domain="")
    assert visitor.get("/", headers={"host": DOMAIN}).status_code == 400


def test_a_form_posted_from_https_on_the_domain_passes_csrf(admin, member):
    services.update_branding(admin, custom_domain=DOMAIN)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    browser.get("/", headers={"host": DOMAIN})
    token = browser.cookies["csrftoken"].value

    def log_out(origin):
        return browser.post("/accounts/logout/", {"csrfmiddlewaretoken": token},
                            headers={"host": DOMAIN, "origin": origin})  # fmt: skip

    assert log_out("https://evil.example.com").status_code == 403
    assert log_out(f"https://{DOMAIN}").status_code == 302


def test_changing_it_needs_no_restart_in_another_process(admin):
    """The domain is read from the shared cache: what another process wrote is seen."""
    services.update_branding(admin, custom_domain=DOMAIN)
    branding.forget()  # as another process's cache entry would be missing
    assert Client().get("/healthz", headers={"host": DOMAIN}).status_code in (200, 503)


# --- The API ----------------------------------------------------------------------------


def test_the_api_gives_admins_the_branding(admin, settings):
    response = api_as(admin).get(API)
    assert response.status_code == 200
    assert response.json() == {
        "name": settings.AGORA_SITE_NAME, "primary_color": settings.AGORA_PRIMARY_COLOR,
        "logo_url": None, "favicon_url": None, "custom_domain": "",
        "base_url": settings.AGORA_BASE_URL.rstrip("/"), "updated_at": None,
    }  # fmt: skip


def test_admins_change_it_through_the_api(admin):
    client = api_as(admin)
    response = client.patch(API, {"name": "Acme", "primary_color": "#1D4ED8",
                                  "custom_domain": DOMAIN.upper()}, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert [body["name"], body["primary_color"], body["custom_domain"]] == [
        "Acme",
        "#1d4ed8",
        DOMAIN,
    ]
    assert body["base_url"] == f"https://{DOMAIN}"

    response = client.patch(API, {"logo": png()}, format="multipart")
    assert response.status_code == 200 and response.json()["logo_url"].startswith("/media/")
    response = client.patch(API, {"logo": None}, format="json")
    assert response.status_code == 200 and response.json()["logo_url"] is None
    assert AuditEntry.objects.filter(action=audit.BRANDING).count() == 3


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [({"primary_color": "red; background:url(x)"}, "primary_color", "#rrggbb or #rgb"),
     ({"primary_color": "#eeeeee"}, "primary_color", "contrast of"),
     ({"custom_domain": "https://acme.example/"}, "custom_domain", "host name alone"),
     ({"name": "x" * 101}, "name", "100 characters"),
     ({"colour": "#1d4ed8"}, "colour", "Unknown field")],
)  # fmt: skip
def test_the_api_names_the_refused_field_and_changes_nothing(admin, body, field, words):
    response = api_as(admin).patch(API, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert words in " ".join(response.json()["fields"][field])
    assert not Branding.objects.exists()


def test_the_api_refuses_a_logo_that_is_not_an_image(admin):
    response = api_as(admin).patch(API, {"logo": not_an_image()}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["logo"] == [
        "This file is not an image we can read (use JPEG, PNG, GIF or WebP)."
    ]


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_the_api_refuses_members_and_moderators(who, request):
    client = api_as(request.getfixturevalue(who))
    for response in (client.get(API), client.patch(API, {"name": "Mine"}, format="json")):
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Branding.objects.exists()


def test_the_api_refuses_anonymous_callers():
    client = api_as(None)
    for response in (client.get(API), client.patch(API, {"name": "Mine"}, format="json")):
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


# --- What it costs ----------------------------------------------------------------------


def test_a_branded_page_costs_no_more_queries_than_a_plain_one(admin, member, space):
    """The branding is read from the cache: once it holds the row (the first page after a
    change loads it), a page costs exactly what it did with no branding at all."""
    client = signed_in(member)
    plain, _ = warm_query_count(client, "/")
    services.update_branding(admin, name="Acme", primary_color="#1d4ed8", logo=png())
    branded, response = warm_query_count(client, "/")
    assert "Acme" in response.content.decode()
    assert branded == plain
