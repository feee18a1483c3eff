import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from community import services
from community.models import ApiToken, User

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def token_client(member, name="script"):
    _token, raw_key = services.create_api_token(member, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client, raw_key


def test_me_with_a_token(member):
    client, _ = token_client(member)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == member.email
    assert response.json()["display_name"] == member.display_name


def test_me_with_the_session(api_client, member):
    api_client.force_login(member)
    assert api_client.get(ME).json()["id"] == member.pk


def test_anonymous_requests_get_a_json_error_with_a_code(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_tokens_are_stored_hashed(member):
    _client, raw_key = token_client(member)
    token = ApiToken.objects.get(user=member)
    assert raw_key not in (token.key_hash, token.hint, token.name)
    assert token.key_hash == ApiToken.hash_key(raw_key)


def test_a_revoked_token_is_refused(member):
    client, _ = token_client(member)
    services.revoke_api_token(member, token_id=ApiToken.objects.get(user=member).pk)
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_made_up_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer agora_not-a-real-token")
    assert api_client.get(ME).json()["code"] == "invalid_token"


def test_a_banned_members_token_is_refused(member, moderator):
    client, _ = token_client(member)
    services.ban_member(moderator, member=member, reason="spam")
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "banned"


def test_patch_me_changes_the_profile(member):
    client, _ = token_client(member)
    response = client.patch(
        ME, {"display_name": "Renamed", "bio": "*hi*", "time_zone": "Asia/Kolkata"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["bio_html"] == "<p><em>hi</em></p>\n"
    member.refresh_from_db()
    assert (member.display_name, member.time_zone) == ("Renamed", "Asia/Kolkata")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bio": "x" * 10_000}, "bio"),
        ({"display_name": ""}, "display_name"),
        ({"time_zone": "Nowhere/Town"}, "time_zone"),
        ({"profile_visibility": "friends"}, "profile_visibility"),
    ],
)
def test_patch_me_rejects_what_the_form_rejects(member, body, field):
    client, _ = token_client(member)
    before = User.objects.values().get(pk=member.pk)
    response = client.patch(ME, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert User.objects.values().get(pk=member.pk) == before


def test_patch_me_with_an_avatar_upload_and_a_fake_one(member):
    client, _ = token_client(member)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "blue").save(buffer, format="JPEG")
    good = SimpleUploadedFile("a.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.patch(ME, {"avatar": good}, format="multipart")
    assert response.status_code == 200
    assert response.json()["avatar_url"].endswith(".jpg")
    fake = SimpleUploadedFile("b.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.patch(ME, {"avatar": fake}, format="multipart")
    assert response.status_code == 400
    assert "avatar" in response.json()["fields"]


def test_session_writes_need_the_csrf_token(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.patch(ME, {"display_name": "No CSRF"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_members_api_respects_profile_visibility(member, other_member):
    client, _ = token_client(member)
    other_member.profile_visibility = User.Visibility.PRIVATE
    other_member.save()
    assert client.get(f"/api/v1/members/{other_member.pk}/").status_code == 404
    other_member.profile_visibility = User.Visibility.PUBLIC
    other_member.save()
    response = client.get(f"/api/v1/members/{other_member.pk}/")
    assert response.status_code == 200
    assert "email" not in response.json()


def test_tokens_api_creates_lists_and_revokes(api_client, member):
    api_client.force_login(member)
    created = api_client.post("/api/v1/tokens/", {"name": "zapier"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    listed = api_client.get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed["results"]] == ["zapier"] and listed["next_cursor"] is None
    assert "key" not in listed["results"][0]
    token_id = created.json()["id"]
    assert api_client.delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    assert api_client.delete(f"/api/v1/tokens/{token_id}/").status_code == 404
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert other.get(ME).status_code == 401


def test_a_member_cannot_revoke_someone_elses_token(member, other_member):
    token, _ = services.create_api_token(other_member, name="theirs")
    client, _ = token_client(member)
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_shows_a_new_key_once_and_revokes(member_client, member):
    response = member_client.post(reverse("community:api_tokens"), {"name": "backup script"})
    key = response.context["new_key"]
    assert key.startswith("agora_") and key in response.content.decode()
    assert key not in member_client.get(reverse("community:api_tokens")).content.decode()
    token = ApiToken.objects.get(user=member)
    member_client.post(reverse("community:revoke_api_token", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_tokens_page_needs_a_name(member_client, member):
    response = member_client.post(reverse("community:api_tokens"), {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=member).exists()


def test_writes_are_throttled(member, monkeypatch):
    rates = {"anon": "100/min", "user": "100/min", "write": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    client, _ = token_client(member)
    codes = [client.patch(ME, {"bio": f"v{i}"}, format="json").status_code for i in range(3)]
    assert codes == [200, 200, 429]
    response = client.patch(ME, {"bio": "again"}, format="json")
    assert response.json()["code"] == "throttled"
    assert response.json()["retry_after"] > 0
    assert client.get(ME).status_code == 200  # reads have their own, larger budget


def test_the_openapi_schema_validates(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/v1/me/:" in schema and "tokenAuth" in schema


def test_the_docs_page_loads_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "cdn" not in response.content.decode().lower()
