"""GET /api/v1/search/: the answer's shape, its errors, its cursor and its query count."""

import pytest
from django.urls import reverse

from community import search
from community.search.query import MAX_LENGTH
from tests.community.test_api_schema import load_schema
from tests.factories import (
    ApiTokenFactory,
    CommentFactory,
    PostFactory,
    SpaceFactory,
    UserFactory,
)
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db

URL = reverse("api-search")


def test_it_answers_groups_of_results(member, space):
    post = PostFactory(space=space, title="Marmalade", body="Seville <b>oranges</b>")
    answer = api_as(member).get(URL, {"q": "oranges", "kinds": "posts,spaces"})
    assert answer.status_code == 200
    posts, spaces = answer.json()["groups"]
    assert (posts["kind"], posts["label"], spaces["results"]) == ("posts", "Posts", [])
    (result,) = posts["results"]
    assert result["id"] == post.pk and result["title"] == "Marmalade"
    assert result["url"] == f"/posts/{post.pk}/" and result["time"].endswith("Z")
    assert "<mark>oranges</mark>" in result["snippet"] and "<b>" not in result["snippet"]
    assert posts["next_cursor"] is None


def test_it_takes_a_token_too(member, space):
    PostFactory(space=space, body="quince")
    _, key = ApiTokenFactory.with_key(user=member)
    answer = api_as(None).get(URL, {"q": "quince"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    assert len(answer.json()["groups"][0]["results"]) == 1


def test_visitors_must_sign_in_as_for_every_api_route():
    assert api_as(None).get(URL, {"q": "x"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * (MAX_LENGTH + 1)}, "q"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "x", "kinds": "posts,recipes"}, "kinds"),
        ({"q": "x", "since": "yesterday"}, "since"),
        ({"q": "x", "cursor": "forged"}, "cursor"),
        ({"q": "x", "size": "0"}, "size"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(member, params, field):
    answer = api_as(member).get(URL, params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and list(body["fields"]) == [field]


@pytest.mark.parametrize("syntax", ["&", "|", "!", ":", "*", "(", ")", "'", "\\", "<->", '"',
                                    "NEAR", "a:* & !b | (c <-> d)", '"x" OR y NOT z'])  # fmt: skip
def test_engine_syntax_is_a_200(member, syntax):
    assert api_as(member).get(URL, {"q": syntax}).status_code == 200


def test_the_cursor_pages_one_kind(member, space):
    ids = [PostFactory(space=space, body="pelican").pk for _ in range(3)]
    CommentFactory(post=PostFactory(space=space, body="x"), body="pelican")
    client, seen, params = api_as(member), [], {"q": "pelican", "size": "2"}
    while True:
        groups = client.get(URL, params).json()["groups"]
        posts = next(group for group in groups if group["kind"] == "posts")
        seen += [result["id"] for result in posts["results"]]
        if not posts["next_cursor"]:
            break
        params["cursor"] = posts["next_cursor"]
        assert [group["kind"] for group in client.get(URL, params).json()["groups"]] == ["posts"]
    assert sorted(seen) == sorted(ids)


def test_the_query_count_does_not_grow_with_the_results(member, space):
    other = SpaceFactory(name="Other")
    # A member always found, so that the page of members is always read: the authors the
    # factories name at random are sometimes found too ("Herbert" is like "heron").
    UserFactory(display_name="Hal Heron")

    def add(count):
        for i in range(count):
            post = PostFactory(space=[space, other][i % 2], body=f"heron {i}")
            CommentFactory(post=post, body="heron")
            SpaceFactory(name=f"Heron club {post.pk}")

    add(3)
    client = api_as(member)
    # Per kind, its newest matches with their page (1 on PostgreSQL; 2 on SQLite: the
    # matches, then their rows, none when nothing matched): posts, comments (their posts
    # joined), members, spaces; on PostgreSQL the search's settings, with the tables'
    # newest ids, in a savepoint (a test's transaction: set, then put back, 4). The member's
    # tiers are read by the warm-up call and remembered on the (force-authenticated) member.
    # The apps' kinds count theirs in their own tests.
    params = {"q": "heron", "kinds": "posts,comments,members,spaces"}
    assert_constant_queries(
        lambda: client.get(URL, params), grow=lambda: add(30), bound=8, warm_up=True
    )


def test_the_schema_names_every_kind_the_apps_registered(client):
    """An integrator reading only /api/docs/ learns the apps' kinds too (they register when
    the apps are ready, after the serializer is defined)."""
    operation = load_schema(client).operations[("get", "/api/v1/search/")]
    (kinds,) = [p for p in operation["parameters"] if p["name"] == "kinds"]
    for source in search.registered_sources():
        assert source.kind in kinds["description"]
    assert {"lessons", "events", "messages"} <= {s.kind for s in search.registered_sources()}
