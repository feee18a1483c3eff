"""Crafted list parameters and bodies are clear 400s that name what is wrong, never 500s:
cursors are signed with the order of the list they came from."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from community.pagination import decode_cursor, encode_cursor

from ..factories import PostFactory, UserFactory
from ..helpers import api_as

pytestmark = pytest.mark.django_db


def forged(raw):
    """A cursor as the old unsigned format made it: base64 of whatever JSON one likes."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


FORGED = [
    forged("[1,2]"),
    forged("[true,false]"),
    forged("[NaN,1]"),
    forged("[Infinity,-Infinity]"),
    forged('[{"t":"2026-01-01T00:00:00"},{"t":"2026-01-01T00:00:00"}]'),
    forged("[" * 3000 + "]" * 3000),
    "!!",
    "x" * 5000,
]


@pytest.fixture
def posts(space):
    author = UserFactory()
    return [PostFactory(space=space, author=author) for _ in range(5)]


def api_feed_cursor(member):
    return api_as(member).get("/api/v1/posts/", {"size": 2}).json()["next_cursor"]


@pytest.mark.parametrize("cursor", FORGED)
def test_a_forged_cursor_is_a_400_naming_the_parameter(member, member_client, posts, cursor):
    response = api_as(member).get("/api/v1/posts/", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["fields"] == {"cursor": ["This cursor is not valid."]}
    for tab in ("all", "popular", "following"):
        page = member_client.get(reverse("community:feed"), {"tab": tab, "cursor": cursor})
        assert page.status_code == 400 and "cursor is not valid" in page.content.decode()


def test_a_cursor_works_only_on_lists_of_its_own_order(member, member_client, posts, space):
    cursor = api_feed_cursor(member)
    assert api_as(member).get("/api/v1/posts/", {"cursor": cursor}).status_code == 200
    popular = member_client.get(reverse("community:feed"), {"tab": "popular", "cursor": cursor})
    assert popular.status_code == 400
    by_name = api_as(member).get("/api/v1/members/", {"sort": "name", "cursor": cursor})
    assert by_name.status_code == 400 and "cursor" in by_name.json()["fields"]
    spaces = api_as(member).get("/api/v1/spaces/", {"cursor": cursor})
    assert spaces.status_code == 400
    name_cursor = api_as(member).get("/api/v1/members/", {"sort": "name", "size": 1})
    popular_api = api_as(member).get(
        "/api/v1/posts/", {"tab": "popular", "cursor": name_cursor.json()["next_cursor"]}
    )
    assert popular_api.status_code == 400


def test_a_cursor_says_which_parameter_it_was(member):
    with pytest.raises(ValidationError) as refused:
        decode_cursor(forged("[1,2]"), parameter="newer")
    assert refused.value.message_dict == {"newer": ["This cursor is not valid."]}


def test_a_newline_after_a_valid_newer_cursor_is_refused_not_copied_into_a_header(
    member_client, posts
):
    newest = posts[-1]
    cursor = encode_cursor([newest.created_at, newest.pk])
    ok = member_client.get(reverse("community:feed"), {"newer": cursor})
    assert ok.status_code == 200 and ok["X-Newest-Cursor"] == cursor
    bad = member_client.get(reverse("community:feed"), {"newer": cursor + "\n"})
    assert bad.status_code == 400 and "X-Newest-Cursor" not in bad


def test_a_deeply_nested_json_body_is_a_json_400(member, space):
    body = "[" * 100_000 + "]" * 100_000
    response = api_as(member).post("/api/v1/posts/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_malformed_multipart_body_is_a_json_400(member, space):
    response = api_as(member).generic(
        "POST",
        "/api/v1/posts/",
        b"--x\r\nContent-Disposition: form-data; name=body\r\n\r\nhello",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_cursors_round_trip_every_value_kind(posts):
    post = posts[0]
    values = [post.created_at, post.pk]
    assert decode_cursor(encode_cursor(values)) == values
    assert decode_cursor(encode_cursor(["ann", 3], ("name_key", "id"), ascending=True),
                         ("name_key", "id"), ascending=True) == ["ann", 3]  # fmt: skip


def test_a_body_django_refuses_before_any_view_is_a_json_400_under_the_api(member, client):
    client.force_login(member)
    fields = "&".join(f"f{n}=x" for n in range(2000))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    api = client.post("/api/v1/posts/", fields, content_type="application/x-www-form-urlencoded")
    assert api.status_code == 400 and api.json()["code"] == "bad_request"
    page = client.post("/", fields, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and "<html" in page.content.decode().lower()


def test_nul_characters_are_refused_before_any_view_reads_them(member, client, space):
    """PostgreSQL cannot store or compare NUL: on that backend each of these was a 500."""
    client.force_login(member)
    api = client.get("/api/v1/posts/", {"space": "a\x00b"})
    assert api.status_code == 400 and "space" in api.json()["fields"]
    assert client.get("/", {"space": "a\x00b"}).status_code == 400
    assert client.get("/hashtags/a%00b/").status_code == 400
    post = PostFactory(space=space)
    form = client.post(reverse("community:post_comments", args=[post.pk]), {"body": "a\x00b"})
    assert form.status_code == 400 and not post.comments.exists()
    body = api_as(member).post(
        "/api/v1/posts/",
        '{"space": "general", "body": "a\\u0000b"}',
        content_type="application/json",
    )
    assert body.status_code == 400 and body.json()["code"] == "parse_error"
