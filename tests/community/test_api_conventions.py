"""The API's conventions, the same on every route: one URL form (a trailing slash) and JSON
errors for every other path, unknown fields refused, the Bearer scheme named on a 401, and
every list a cursor page."""

import pytest
from rest_framework.test import APIClient

from community.models import Comment
from tests.factories import (
    ApiTokenFactory,
    CommentFactory,
    PostFactory,
    SpaceFactory,
    TierFactory,
)
from tests.helpers import api_as

pytestmark = pytest.mark.django_db


# --- One URL form -----------------------------------------------------------------------


def test_me_answers_with_its_slash(member):
    response = api_as(member).get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["id"] == member.pk


@pytest.mark.parametrize(
    ("method", "path", "suggestion"),
    [
        ("get", "/api/v1/me", "/api/v1/me/"),
        ("post", "/api/v1/posts", "/api/v1/posts/"),
        ("patch", "/api/v1/me", "/api/v1/me/"),
        ("get", "/api/v1/spaces", "/api/v1/spaces/"),
        ("delete", "/api/v1/tokens/1", "/api/v1/tokens/1/"),
    ],
)
def test_a_route_without_its_slash_is_a_json_404_naming_the_right_one(
    member, method, path, suggestion
):
    response = getattr(api_as(member), method)(path, {"body": "hi"}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "not_found",
        "detail": f"No API route at {path}. Did you mean {suggestion}?",
    }


@pytest.mark.parametrize("debug", [False, True])
def test_a_post_without_the_slash_is_json_even_from_a_browser_session(
    client, member, settings, debug
):
    """APPEND_SLASH used to raise a RuntimeError (an HTML 500) for a POST it could not
    redirect under DEBUG, and to redirect it (losing the body) otherwise."""
    settings.DEBUG = debug
    client.force_login(member)
    response = client.post("/api/v1/posts", {"body": "hi"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Did you mean /api/v1/posts/?" in response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/posts/abc/", "/api/v1/nothing/", "/api/v2/posts/", "/api/v1/posts/abc"]
)
def test_unknown_api_paths_are_json_404s(member, path):
    for client in (api_as(member), APIClient()):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": f"No API route at {path}."}


def test_a_missing_object_is_a_json_404(member):
    response = api_as(member).get("/api/v1/posts/999999/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_pages_outside_the_api_keep_their_slash_redirect(client):
    assert client.get("/members").status_code == 301


# --- Unknown fields ---------------------------------------------------------------------


def test_a_reply_sent_with_parent_id_is_refused_naming_the_field(member, space):
    post = PostFactory(space=space)
    parent = CommentFactory(post=post)
    response = api_as(member).post(
        f"/api/v1/posts/{post.pk}/comments/", {"body": "A reply", "parent_id": parent.pk},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {
        "parent_id": ["Unknown field “parent_id”. Did you mean “parent”?"]
    }
    assert not Comment.objects.filter(post=post, body="A reply").exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/posts/", {"space": "general", "body": "x", "tags": ["a"]}),
        ("patch", "/api/v1/me/", {"nickname": "x"}),
        ("post", "/api/v1/tokens/", {"name": "x", "scopes": "all"}),
        ("post", "/api/v1/reports/", {"target_type": "post", "target_id": 1, "reason": "x",
                                      "severity": "high"}),
    ],
)  # fmt: skip
def test_every_write_refuses_unknown_fields(member, space, method, path, body):
    response = getattr(api_as(member), method)(path, body, format="json")
    assert response.status_code == 400
    (unknown,) = set(body) - {"space", "body", "name", "target_type", "target_id", "reason"}
    assert list(response.json()["fields"]) == [unknown]
    assert response.json()["fields"][unknown][0].startswith(f"Unknown field “{unknown}”.")


def test_unknown_fields_are_refused_in_forms_too(member):
    response = api_as(member).patch("/api/v1/me/", {"bio": "Hi", "bio_text": "Hi"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["bio_text"]
    member.refresh_from_db()
    assert member.bio != "Hi"


def test_limits_are_the_real_ones_with_the_services_messages(member, space):
    client = api_as(member)
    too_long = client.post("/api/v1/posts/", {"space": space.slug, "title": "t" * 201,
                                               "body": "b" * 50_001}, format="json")  # fmt: skip
    assert too_long.status_code == 400
    assert too_long.json()["fields"] == {
        "title": ["A title can be at most 200 characters."],
        "body": ["A post can be at most 50,000 characters."],
    }
    at_limit = client.post("/api/v1/posts/", {"space": space.slug, "title": "t" * 200,
                                              "body": "b" * 50_000}, format="json")  # fmt: skip
    assert at_limit.status_code == 201


# --- Authentication ---------------------------------------------------------------------


def test_a_token_sent_with_the_token_scheme_is_told_to_use_bearer(member):
    _token, raw_key = ApiTokenFactory.with_key(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw_key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "wrong_scheme"
    assert "Authorization: Bearer <token>" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_agora_key_under_any_other_scheme_is_told_to_use_bearer(member):
    _token, raw_key = ApiTokenFactory.with_key(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {raw_key}")
    assert client.get("/api/v1/me/").json()["code"] == "wrong_scheme"


def test_the_bearer_scheme_works(member):
    _token, raw_key = ApiTokenFactory.with_key(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert client.get("/api/v1/me/").json()["id"] == member.pk


@pytest.mark.parametrize("header", [None, "Bearer agora_not-a-real-key", "Bearer"])
def test_every_401_names_the_bearer_scheme(header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/posts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"code", "detail"}


# --- Every list is a cursor page --------------------------------------------------------


def test_spaces_are_a_cursor_page_in_position_order(admin):
    for position in range(5):
        SpaceFactory(slug=f"s{position}", position=position)
    client = api_as(admin)
    first = client.get("/api/v1/spaces/", {"size": 3}).json()
    assert [s["slug"] for s in first["results"]] == ["s0", "s1", "s2"]
    second = client.get("/api/v1/spaces/", {"size": 3, "cursor": first["next_cursor"]}).json()
    assert [s["slug"] for s in second["results"]] == ["s3", "s4"]
    assert second["next_cursor"] is None


def test_tiers_are_a_cursor_page_by_name(member):
    for name in ["Gold", "Bronze", "Silver"]:
        TierFactory(name=name, slug=name.lower())
    client = api_as(member)
    first = client.get("/api/v1/tiers/", {"size": 2}).json()
    assert [t["name"] for t in first["results"]] == ["Bronze", "Gold"]
    second = client.get("/api/v1/tiers/", {"size": 2, "cursor": first["next_cursor"]}).json()
    assert [t["name"] for t in second["results"]] == ["Silver"] and second["next_cursor"] is None


def test_tokens_are_a_cursor_page_newest_first(member):
    tokens = [ApiTokenFactory(user=member, name=f"t{i}") for i in range(3)]
    client = api_as(member)
    first = client.get("/api/v1/tokens/", {"size": 2}).json()
    second = client.get("/api/v1/tokens/", {"size": 2, "cursor": first["next_cursor"]}).json()
    listed = [t["id"] for t in first["results"] + second["results"]]
    assert sorted(listed) == sorted(t.pk for t in tokens) and len(set(listed)) == 3
    assert second["next_cursor"] is None


@pytest.mark.parametrize("path", ["/api/v1/spaces/", "/api/v1/tiers/", "/api/v1/tokens/"])
def test_a_bad_cursor_or_size_is_a_400(member, path):
    client = api_as(member)
    assert list(client.get(path, {"cursor": "nope"}).json()["fields"]) == ["cursor"]
    assert list(client.get(path, {"size": "500"}).json()["fields"]) == ["size"]
