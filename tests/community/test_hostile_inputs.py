"""Hostile input never reaches a 5xx, and a visitor's script never reaches a page raw
(issue 11, item 8).

The corpus in tests/hostile.py goes into every text field and query parameter of the page
forms and list pages (listed here) and of every API operation (read from the served OpenAPI
schema, so a new endpoint is covered as soon as it is documented), as anonymous, as a member
and, where a form needs one, as a moderator or an admin. Each field gets a deterministic
sample of the corpus (hostile.sample) so that the whole file stays well under a minute on
SQLite. The API also gets malformed, deeply nested JSON and wrong content types as bodies.
"""

import base64
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from community import pagination
from tests import hostile
from tests.community import test_api_schema as api_calls
from tests.factories import (
    ApiTokenFactory,
    CommentFactory,
    FollowFactory,
    PostFactory,
    ReplyFactory,
    ReportFactory,
    SpaceFactory,
    UserFactory,
)
from tests.helpers import api_as

pytestmark = pytest.mark.django_db

PER_FIELD = 8  # corpus values per field, signed in
PER_FIELD_ANONYMOUS = 3  # anonymous visitors meet the sign-in wall or a 401 first
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    """Throttling would answer 429 before the hostile value reaches the view."""
    rates = {scope: "1000000/min" for scope in ("anon", "user", "write")}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Argon2 takes a good part of a second per member the factories make."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ids(space, member, other_member, moderator, admin, pro):
    """The rows the forms and operations act on (the same names test_api_schema uses)."""
    post = PostFactory(space=space, author=member, title="Hello", hashtags=["launch"])
    other_post = PostFactory(space=space, author=other_member)
    for _ in range(3):  # more than a page of two, for cursors
        PostFactory(space=space, author=other_member, hashtags=["launch"])
    comment = CommentFactory(post=post, author=member)
    ReplyFactory(parent=comment, author=other_member)
    FollowFactory(follower=other_member, followed=member)
    return {
        "post": post.pk, "other_post": other_post.pk,
        "doomed_post": PostFactory(space=space, author=member).pk,
        "comment": comment.pk, "doomed_comment": CommentFactory(post=post, author=member).pk,
        "member": member.pk, "other_member": other_member.pk, "stranger": UserFactory().pk,
        "token": ApiTokenFactory(user=member).pk,
        "report": ReportFactory(target=other_post).pk,
        "report_2": ReportFactory(target=comment).pk,
        "space": space.pk, "extra_space": SpaceFactory().pk,
    }  # fmt: skip


def _query(params):
    """A query string that keeps lone surrogates (as their UTF-8-like bytes) and raw bytes."""
    return "&".join(
        f"{quote(name)}={quote(value, safe='', errors='surrogatepass')}"
        for name, value in params.items()
    )


class Failures(list):
    def check(self, response, where):
        """Records a 5xx, or a page (HTML) that holds a visitor's script raw."""
        if response.status_code >= 500:
            self.append(f"{where}: {response.status_code}")
            return
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode(errors="replace")
            raw = [fragment for fragment in hostile.XSS_FRAGMENTS if fragment in html]
            if raw:
                self.append(f"{where}: the page holds {raw}")

    def assert_none(self):
        assert not self, f"{len(self)} hostile requests failed:\n" + "\n".join(self[:40])


def _quiet(client):
    client.raise_request_exception = False  # a 500 is recorded, with the others, not raised
    return client


def _page_client(user):
    client = _quiet(Client())
    if user is not None:
        client.force_login(user)
    return client


def _short(value):
    return repr(value if len(value) < 40 else value[:37] + "...")


# --- Pages ----------------------------------------------------------------------------------


@dataclass
class Page:
    who: tuple  # the personas that send it (anonymous too)
    method: str
    url: str  # formatted with ids
    fields: list  # the fields (or query parameters) that get the corpus
    base: dict = field(default_factory=dict)  # the other fields, valid


PAGES = {
    # Forms
    "compose post": Page(("member",), "post", "/", ["space", "title", "body"],
                         {"space": "general", "title": "Hi", "body": "Body"}),
    "compose in a space": Page(("member",), "post", "/spaces/general/", ["title", "body"],
                               {"title": "Hi", "body": "Body"}),
    "comment": Page(("member",), "post", "/posts/{post}/comments/", ["body", "parent"],
                    {"body": "Nice"}),
    "edit post": Page(("member", "moderator"), "post", "/posts/{post}/edit/",
                      ["title", "body", "remove_image", "next"], {"title": "T", "body": "B"}),
    "edit comment": Page(("member",), "post", "/comments/{comment}/edit/", ["body"],
                         {"body": "B"}),
    "profile edit": Page(("member",), "post", "/profile/edit/",
                         ["display_name", "bio", "time_zone", "profile_visibility"],
                         {"display_name": "Me", "bio": "", "time_zone": "UTC",
                          "profile_visibility": "public"}),
    "report (form)": Page(("member",), "post", "/report/", ["type", "id", "reason"],
                          {"type": "post", "id": "{other_post}", "reason": "Spam"}),
    "report (page)": Page(("member",), "get", "/report/", ["type", "id"],
                          {"type": "comment", "id": "{comment}"}),
    "api token": Page(("member",), "post", "/settings/tokens/", ["name"]),
    "follow": Page(("member",), "post", "/members/{other_member}/follow/",
                   ["action", "context"]),
    "like with next": Page(("member",), "post", "/posts/{post}/like/", ["next"]),
    "new space": Page(("admin",), "post", "/spaces/manage/new/",
                      ["name", "slug", "icon", "description", "visibility", "required_tier",
                       "post_permission"],
                      {"name": "New", "visibility": "members", "post_permission": "all"}),
    "edit space": Page(("admin",), "post", "/spaces/manage/{extra_space}/edit/",
                       ["name", "slug", "icon", "description", "visibility", "required_tier",
                        "post_permission"],
                       {"name": "Edited", "visibility": "members", "post_permission": "all"}),
    "reorder spaces": Page(("admin",), "post", "/spaces/manage/order/", ["order"]),
    "move space": Page(("admin",), "post", "/spaces/manage/{extra_space}/move/", ["direction"]),
    "delete space": Page(("admin",), "post", "/spaces/manage/{extra_space}/delete/",
                         ["confirm"]),
    # List pages and their query parameters
    "feed": Page(("member",), "get", "/", ["tab", "space", "kind", "cursor", "newer"]),
    "space page": Page(("member",), "get", "/spaces/general/", ["cursor", "newer"]),
    "hashtag page": Page(("member",), "get", "/hashtags/launch/", ["cursor"]),
    "post page": Page(("member",), "get", "/posts/{post}/", ["cursor"]),
    "post comments": Page(("member",), "get", "/posts/{post}/comments/", ["cursor"]),
    "directory": Page(("member",), "get", "/members/",
                      ["q", "role", "sort", "cursor", "following"]),
    "report queue": Page(("moderator",), "get", "/moderation/reports/", ["status", "cursor"]),
    "analytics": Page(("admin",), "get", "/manage/analytics/", ["from", "to", "days"]),
    "analytics csv": Page(("admin",), "get", "/manage/analytics/members.csv",
                          ["from", "to", "days"]),
}  # fmt: skip


def _corpus_for_form(key, k):
    # Form posts are urlencoded: lone surrogates go as their bytes (quote, surrogatepass).
    return hostile.sample([*hostile.TEXT, *hostile.LONE_SURROGATES], k, key)


def _send_page(client, page, url, data):
    if page.method == "get":
        return client.get(f"{url}?{_query(data)}")
    return client.post(url, _query(data), content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_forms_and_lists_take_hostile_input(name, ids, request):
    page = PAGES[name]
    url = page.url.format(**ids)
    base = {key: value.format(**ids) for key, value in page.base.items()}
    failures = Failures()
    for who in ("anonymous", *page.who):
        client = _page_client(None if who == "anonymous" else request.getfixturevalue(who))
        per_field = PER_FIELD_ANONYMOUS if who == "anonymous" else PER_FIELD
        for field_name in page.fields:
            for value in _corpus_for_form((name, field_name, who), per_field):
                response = _send_page(client, page, url, {**base, field_name: value})
                failures.check(response, f"{page.method.upper()} {url} as {who}: "
                                         f"{field_name}={_short(value)}")  # fmt: skip
        if page.method == "get":
            for raw in hostile.BAD_UTF8_QUERY:
                query = "&".join(f"{name}={raw}" for name in page.fields)
                failures.check(client.get(f"{url}?{query}"), f"GET {url}?{query} as {who}")
    failures.assert_none()


def test_the_list_of_pages_names_every_form_of_the_issue():
    assert {"compose post", "comment", "edit post", "edit comment", "profile edit",
            "report (form)", "directory", "new space", "edit space"} <= set(PAGES)  # fmt: skip


# --- API: every operation of the schema -----------------------------------------------------


@pytest.fixture
def operations(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                found.append((method, path, operation))
    assert len(found) > 20
    return document, found


def _schema_of(document, ref_or_schema):
    schema = ref_or_schema
    while isinstance(schema, dict) and "$ref" in schema:
        target = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def _fields(document, operation):
    """(query parameters, string path parameters, JSON body properties) of an operation."""
    query, path_text = [], []
    for parameter in operation.get("parameters", []):
        parameter = _schema_of(document, parameter)
        if parameter["in"] == "query":
            query.append(parameter["name"])
        elif parameter["in"] == "path" and parameter["schema"].get("type") == "string":
            path_text.append(parameter["name"])
    content = operation.get("requestBody", {}).get("content", {})
    body_schema = _schema_of(document, content.get("application/json", {}).get("schema", {}))
    return query, path_text, sorted(body_schema.get("properties", {}))


FALLBACK_PARAMS = {
    "post_id": "post", "comment_id": "comment", "member_id": "other_member",
    "token_id": "token", "report_id": "report",
}  # fmt: skip


def _valid_call(method, path, ids):
    """The persona, path parameters and body of a call that succeeds, from test_api_schema's
    calls; a new operation it does not know yet gets a member and the scene's ids."""
    for call in api_calls._calls(ids):
        if (call.method, call.path) == (method, path) and call.expect < 300:
            body = call.body() if callable(call.body) else call.body
            return call.who, call.params, body or {}
    params = {name: ids[key] for name, key in FALLBACK_PARAMS.items() if f"{{{name}}}" in path}
    # An event's occurrence is named by its original start (tests/events/ call real ones).
    params |= {"slug": "general", "name": "launch", "original_start": "2026-12-11T18:00:00Z"}
    # Gamification's boards and rules are named by a period and an action.
    params |= {"period": "week", "action": "post_created"}
    # Another app's ids (a plan, a coupon…): a number that names nothing is still a fair call.
    params |= {name: 999999 for name in re.findall(r"{(\w+_id)}", path) if name not in params}
    return "member", params, {}


def _api_client(who, request):
    return _quiet(api_as(None if who == "anonymous" else request.getfixturevalue(who)))


def _send_api(client, method, url, body):
    if method in ("get", "delete") and not body:
        return client.generic(method.upper(), url)
    # json.dumps escapes lone surrogates as \ud800: they arrive as the raw JSON escape.
    return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")


def _operation_cases(method, path, document, operation, ids, per_field, key):
    """(url, body, label) for each corpus value in each field of the operation."""
    _who, params, body = _valid_call(method, path, ids)
    url = path.format(**params)
    query, path_text, body_fields = _fields(document, operation)
    for name in query:
        for value in hostile.sample([*hostile.TEXT, *hostile.LONE_SURROGATES], per_field,
                                    (key, method, path, name)):  # fmt: skip
            yield f"{url}?{_query({name: value})}", body, f"?{name}={_short(value)}"
        for raw in hostile.BAD_UTF8_QUERY[:2]:
            yield f"{url}?{name}={raw}", body, f"?{name}={raw}"
    if method == "get":
        for name in path_text:
            for value in hostile.sample(hostile.TEXT, per_field, (key, method, path, name)):
                hostile_url = path.format(**{**params, name: quote(value, safe="")})
                yield hostile_url, body, f"{{{name}}}={_short(value)}"
    if method in ("post", "put", "patch"):
        for name in body_fields:  # lone surrogates in bodies: test_lone_surrogates_in_json
            for value in hostile.sample(hostile.TEXT, per_field, (key, method, path, name)):
                yield url, {**body, name: value}, f"{name}={_short(value)}"


@pytest.mark.parametrize("who", ["member", "anonymous"])
def test_every_api_operation_takes_hostile_fields_and_parameters(who, operations, ids, request):
    document, found = operations
    failures = Failures()
    clients = {}
    for method, path, operation in found:
        if method == "delete":
            continue  # no fields; a delete that works is test_api_schema's business
        persona = _valid_call(method, path, ids)[0] if who == "member" else "anonymous"
        if persona not in clients:
            clients[persona] = _api_client(persona, request)
        per_field = PER_FIELD if who == "member" else 1
        for url, body, label in _operation_cases(method, path, document, operation, ids,
                                                 per_field, who):  # fmt: skip
            response = _send_api(clients[persona], method, url, body)
            failures.check(response, f"{method.upper()} {path} as {persona}: {label}")
    failures.assert_none()


DEEP_JSON = ["[" * 100_000, '{"a":' * 50_000]


def _send_raw_bodies(operations, ids, request, bodies):
    _document, found = operations
    failures, clients = Failures(), {}
    for method, path, _operation in found:
        if method not in ("post", "put", "patch"):
            continue
        who, params, _body = _valid_call(method, path, ids)
        clients.setdefault(who, _api_client(who, request))
        url = path.format(**params)
        for raw in bodies:
            data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
            response = clients[who].generic(method.upper(), url, data,
                                            content_type="application/json")  # fmt: skip
            failures.check(response, f"{method.upper()} {path} as {who}: body {_short(raw)}")
    return failures


def test_every_api_write_takes_malformed_json(operations, ids, request):
    bodies = [raw for raw in hostile.RAW_JSON_BODIES if raw not in DEEP_JSON]
    _send_raw_bodies(operations, ids, request, bodies).assert_none()


def test_every_api_write_takes_deeply_nested_json(operations, ids, request):
    _send_raw_bodies(operations, ids, request, DEEP_JSON).assert_none()


def test_lone_surrogates_in_json_bodies_are_no_5xx(operations, ids, request):
    """Each field of each write, as a raw JSON escape (json.dumps writes \\ud800)."""
    document, found = operations
    failures, clients = Failures(), {}
    for method, path, operation in found:
        if method not in ("post", "put", "patch"):
            continue
        who, params, body = _valid_call(method, path, ids)
        clients.setdefault(who, _api_client(who, request))
        url = path.format(**params)
        for name in _fields(document, operation)[2]:
            for value in hostile.LONE_SURROGATES:
                response = _send_api(clients[who], method, url, {**body, name: value})
                failures.check(response, f"{method.upper()} {path} as {who}: {name}={value!r}")
    failures.assert_none()


def test_every_api_write_takes_wrong_content_types(operations, ids, request):
    _document, found = operations
    failures, clients = Failures(), {}
    for method, path, _operation in found:
        if method not in ("post", "put", "patch"):
            continue
        who, params, _body = _valid_call(method, path, ids)
        clients.setdefault(who, _api_client(who, request))
        url = path.format(**params)
        for content_type, raw in hostile.WRONG_CONTENT_TYPES:
            response = clients[who].generic(method.upper(), url, raw, content_type=content_type)
            failures.check(response, f"{method.upper()} {path} as {who}: {content_type!r}")
    failures.assert_none()


def test_page_forms_take_wrong_content_types(member, ids):
    client = _page_client(member)
    failures = Failures()
    for name, page in PAGES.items():
        if page.method != "post" or "member" not in page.who:
            continue
        url = page.url.format(**ids)
        for content_type, raw in hostile.WRONG_CONTENT_TYPES:
            response = client.generic("POST", url, raw, content_type=content_type)
            failures.check(response, f"{name}: POST {url} as {content_type!r}")
    failures.assert_none()


# --- Crafted cursors (issue 11, item 1) -------------------------------------------------------


def _signed(raw):
    """A cursor holding `raw` JSON, signed as the codec signs a newest-first cursor."""
    token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return pagination._signer(pagination.NEWEST_FIRST, False).sign(token)


def _crafted_cursor(kind, member):
    now = timezone.now()
    if kind == "posts api cursor":
        response = api_as(member).get("/api/v1/posts/", {"size": "2"})
        return response.json()["next_cursor"]
    if kind == "members api cursor":
        response = api_as(member).get("/api/v1/members/", {"size": "1"})
        return response.json()["next_cursor"]
    shapes = {
        "[1,2]": "[1,2]",
        "[true,false]": "[true,false]",
        "NaN": "[NaN,1]",
        "Infinity": "[Infinity,1]",
        "date for id": json.dumps([now.isoformat(), now.isoformat()]),
        "3000 deep": "[" * 3000 + "]" * 3000,
        "one value": "[1]",
        "object": '{"a":1}',
    }
    return _signed(shapes[kind])


CURSOR_KINDS = ["posts api cursor", "members api cursor", "[1,2]", "[true,false]", "NaN",
                "Infinity", "date for id", "3000 deep", "one value", "object"]  # fmt: skip
CURSOR_TARGETS = {
    "feed": "/?cursor={}",
    "feed popular": "/?tab=popular&cursor={}",
    "space page": "/spaces/general/?cursor={}",
    "hashtag page": "/hashtags/launch/?cursor={}",
    "post page": "/posts/{post}/?cursor={}",
    "directory": "/members/?cursor={}",
    "api posts": "/api/v1/posts/?cursor={}",
    "api popular": "/api/v1/posts/?tab=popular&cursor={}",
    "api space posts": "/api/v1/spaces/general/posts/?cursor={}",
    "api hashtag posts": "/api/v1/hashtags/launch/posts/?cursor={}",
    "api members": "/api/v1/members/?cursor={}",
    "api comments": "/api/v1/posts/{post}/comments/?cursor={}",
}


@pytest.mark.parametrize("kind", CURSOR_KINDS)
def test_crafted_cursors_are_refused_without_a_500(kind, ids, member):
    cursor = quote(_crafted_cursor(kind, member))
    failures = Failures()
    for target, template in CURSOR_TARGETS.items():
        url = template.replace("{post}", str(ids["post"])).format(cursor)
        client = api_as(member) if target.startswith("api") else _page_client(member)
        failures.check(_quiet(client).get(url), f"{kind} on {target}: GET {url}")
    failures.assert_none()


@pytest.mark.parametrize("url", ["/?newer={}", "/spaces/general/?newer={}"])
def test_a_newline_after_a_valid_newer_cursor_is_no_500(url, member, space):
    newer = pagination.encode_cursor([timezone.now(), 0])
    response = _page_client(member).get(url.format(quote(newer + "\n")))
    assert response.status_code < 500
    assert all("\n" not in value for value in response.headers.values())
