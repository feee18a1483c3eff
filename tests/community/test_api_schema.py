"""The OpenAPI schema and the server cannot drift apart: every operation of the served schema
is called (as a member, a moderator or an admin where it needs one, and anonymously) on data
made by the factories, and each answer must have a status code the schema documents for that
operation and a body valid against the schema documented for that code."""

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rest_framework.throttling import SimpleRateThrottle

from community.models import Space
from tests.factories import (
    ApiTokenFactory,
    CommentFactory,
    FollowFactory,
    PostFactory,
    ReplyFactory,
    ReportFactory,
    UserFactory,
)
from tests.helpers import api_as

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}
# live.publish_on_commit(f"post:{post.pk}", "comment.created", ...) -> ("post", "comment.created")
PUBLISHED = re.compile(r"publish_on_commit\(\s*f?\"([a-z]+):[^\"]*\",\s*\"([a-z_.]+)\"")
SCHEMA_URI = "urn:agora:openapi"


# --- The schema as JSON Schema ----------------------------------------------------------


def _as_json_schema(node):
    """OpenAPI 3.0's schema objects as JSON Schema 2020-12: `nullable` becomes a union with
    null, and an object with listed properties refuses others, so that a field the server
    sends but the schema does not name fails too."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@dataclass
class Schema:
    document: dict
    operations: dict  # (method, path) -> operation
    registry: Registry = field(init=False)

    def __post_init__(self):
        resource = Resource.from_contents(
            _as_json_schema(copy.deepcopy(self.document)), default_specification=DRAFT202012
        )
        self.registry = Registry().with_resource(SCHEMA_URI, resource)

    def check(self, method, path, response):
        """Fails unless the schema documents `response`'s status for the operation, with a
        body of that shape (or no body where it documents none)."""
        operation = self.operations[(method, path)]
        code = str(response.status_code)
        where = f"{method.upper()} {path} answered {code}"
        assert code in operation["responses"], (
            f"{where}, which the schema does not document "
            f"(documented: {sorted(operation['responses'])}): {response.content[:300]!r}"
        )
        content = operation["responses"][code].get("content")
        if not content:
            assert not response.content, f"{where} with a body the schema does not document"
            return
        media_type = response["Content-Type"].split(";")[0]
        assert media_type in content, f"{where} as {media_type}, which the schema does not document"
        if media_type != "application/json":
            return  # a file (the members' CSV): its status and type are what the schema says
        parts = ["paths", path, method, "responses", code, "content", "application/json"]
        pointer = "/".join(p.replace("~", "~0").replace("/", "~1") for p in [*parts, "schema"])
        validator = Draft202012Validator(
            {"$ref": f"{SCHEMA_URI}#/{pointer}"}, registry=self.registry
        )
        errors = [
            f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in validator.iter_errors(response.json())
        ]
        assert not errors, f"{where} with a body that breaks the schema: {errors}"


def load_schema(client):
    """The served OpenAPI document, its operations by (method, path)."""
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    document = json.loads(response.content)
    operations = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }
    return Schema(document=document, operations=operations)


@pytest.fixture
def schema(client):
    return load_schema(client)


# --- The calls --------------------------------------------------------------------------


@dataclass
class Call:
    who: str  # a persona, or "anonymous"
    method: str
    path: str  # the schema's path template
    params: dict = field(default_factory=dict)  # its path parameters
    body: object = None  # a dict, or a callable returning one when the call is made
    expect: int = 200
    query: dict = field(default_factory=dict)

    def url(self):
        return self.path.format(**self.params)


@pytest.fixture
def scene(space, member, other_member, moderator, admin, pro):
    """Realistic data for every operation: posts with comments and a reply, a hashtag, a
    follow, reports, tokens, a tier, and members of every role."""
    post = PostFactory(space=space, author=member, title="Hello", hashtags=["launch"])
    other_post = PostFactory(space=space, author=other_member)
    doomed_post = PostFactory(space=space, author=member)
    comment = CommentFactory(post=post, author=member)
    ReplyFactory(parent=comment, author=other_member)
    doomed_comment = CommentFactory(post=post, author=member)
    FollowFactory(follower=other_member, followed=member)
    stranger = UserFactory()
    ids = {
        "post": post.pk, "other_post": other_post.pk, "doomed_post": doomed_post.pk,
        "comment": comment.pk, "doomed_comment": doomed_comment.pk,
        "member": member.pk, "other_member": other_member.pk, "stranger": stranger.pk,
        "token": ApiTokenFactory(user=member).pk,
        "report": ReportFactory(target=other_post).pk,
        "report_2": ReportFactory(target=comment).pk,
    }  # fmt: skip
    return ids


def _calls(ids):
    post, comment, me = {"post_id": ids["post"]}, {"comment_id": ids["comment"]}, ids["member"]
    other = {"member_id": ids["other_member"]}
    general = {"slug": "general"}
    missing = 999_999
    return [
        # The signed-in member and their tokens
        Call("member", "get", "/api/v1/me/"),
        Call("member", "patch", "/api/v1/me/", body={"bio": "Hello *there*"}),
        Call("member", "patch", "/api/v1/me/", body={"biography": "x"}, expect=400),
        Call("member", "get", "/api/v1/tokens/"),
        Call("member", "get", "/api/v1/tokens/", query={"size": "0"}, expect=400),
        Call("member", "post", "/api/v1/tokens/", body={"name": "ci"}, expect=201),
        Call("member", "post", "/api/v1/tokens/", body={}, expect=400),
        Call("member", "delete", "/api/v1/tokens/{token_id}/", {"token_id": ids["token"]},
             expect=204),
        Call("member", "delete", "/api/v1/tokens/{token_id}/", {"token_id": missing},
             expect=404),
        # Members, follows
        Call("member", "get", "/api/v1/members/"),
        Call("member", "get", "/api/v1/members/", query={"sort": "loudest"}, expect=400),
        Call("admin", "get", "/api/v1/members/export/"),
        Call("moderator", "get", "/api/v1/members/export/", expect=403),
        Call("member", "get", "/api/v1/members/{member_id}/", other),
        Call("member", "get", "/api/v1/members/{member_id}/", {"member_id": me}),
        Call("member", "get", "/api/v1/members/{member_id}/", {"member_id": missing},
             expect=404),
        Call("member", "post", "/api/v1/members/{member_id}/follow/", other),
        Call("member", "delete", "/api/v1/members/{member_id}/follow/", other),
        Call("member", "post", "/api/v1/members/{member_id}/follow/", {"member_id": missing},
             expect=404),
        Call("member", "get", "/api/v1/members/{member_id}/followers/", {"member_id": me}),
        Call("member", "get", "/api/v1/members/{member_id}/following/", other),
        Call("member", "get", "/api/v1/members/{member_id}/following/", other,
             query={"cursor": "!"}, expect=400),
        # Spaces and tiers
        Call("member", "get", "/api/v1/spaces/"),
        Call("member", "get", "/api/v1/spaces/", query={"size": "2"}),
        Call("member", "get", "/api/v1/spaces/{slug}/", general),
        Call("member", "get", "/api/v1/spaces/{slug}/", {"slug": "nowhere"}, expect=404),
        Call("member", "get", "/api/v1/spaces/{slug}/posts/", general),
        Call("member", "get", "/api/v1/spaces/{slug}/posts/", general, query={"size": "x"},
             expect=400),
        Call("member", "get", "/api/v1/tiers/"),
        Call("member", "post", "/api/v1/spaces/", body={"name": "Mine"}, expect=403),
        Call("admin", "post", "/api/v1/spaces/", body={"name": "Wins", "icon": "🏆",
             "visibility": "paid", "required_tier": "pro"}, expect=201),
        Call("admin", "post", "/api/v1/spaces/", body={"name": "Bad", "visibility": "paid"},
             expect=400),
        Call("admin", "patch", "/api/v1/spaces/{slug}/", {"slug": "wins"},
             body={"description": "Share a win"}),
        Call("member", "patch", "/api/v1/spaces/{slug}/", general, body={"name": "Mine"},
             expect=403),
        Call("admin", "post", "/api/v1/spaces/reorder/", body=lambda: {"order": list(
             Space.objects.alive().order_by("-position").values_list("pk", flat=True))}),
        Call("admin", "post", "/api/v1/spaces/reorder/", body={"order": [missing]},
             expect=400),
        Call("admin", "delete", "/api/v1/spaces/{slug}/", {"slug": "wins"}, expect=204),
        Call("member", "delete", "/api/v1/spaces/{slug}/", general, expect=403),
        # Posts
        Call("member", "get", "/api/v1/posts/"),
        Call("member", "get", "/api/v1/posts/", query={"tab": "popular", "kind": "article"}),
        Call("member", "get", "/api/v1/posts/", query={"size": "500"}, expect=400),
        Call("member", "post", "/api/v1/posts/", body={"space": "general", "title": "News",
             "body": "A #launch for @everyone"}, expect=201),
        Call("member", "post", "/api/v1/posts/", body={"space": "general", "body": "x" * 50_001},
             expect=400),
        Call("member", "post", "/api/v1/posts/", body={"space": "nowhere", "body": "x"},
             expect=404),
        Call("member", "get", "/api/v1/posts/{post_id}/", post),
        Call("member", "get", "/api/v1/posts/{post_id}/", {"post_id": missing}, expect=404),
        Call("member", "patch", "/api/v1/posts/{post_id}/", post, body={"body": "Edited"}),
        Call("member", "patch", "/api/v1/posts/{post_id}/", post, body={"title": "t" * 201},
             expect=400),
        Call("member", "patch", "/api/v1/posts/{post_id}/", {"post_id": ids["other_post"]},
             body={"body": "Not mine"}, expect=403),
        Call("member", "post", "/api/v1/posts/{post_id}/pin/", post, expect=403),
        Call("moderator", "post", "/api/v1/posts/{post_id}/pin/", post),
        Call("moderator", "post", "/api/v1/posts/{post_id}/unpin/", post),
        Call("moderator", "post", "/api/v1/posts/{post_id}/hide/", {"post_id": ids["other_post"]}),
        Call("moderator", "post", "/api/v1/posts/{post_id}/unhide/",
             {"post_id": ids["other_post"]}),
        Call("member", "get", "/api/v1/hashtags/{name}/posts/", {"name": "launch"}),
        Call("member", "post", "/api/v1/posts/{post_id}/like/", post),
        Call("member", "delete", "/api/v1/posts/{post_id}/like/", post),
        Call("member", "post", "/api/v1/posts/{post_id}/like/", {"post_id": missing},
             expect=404),
        Call("member", "delete", "/api/v1/posts/{post_id}/", {"post_id": ids["doomed_post"]},
             expect=204),
        Call("member", "delete", "/api/v1/posts/{post_id}/", {"post_id": ids["other_post"]},
             expect=403),
        # Comments
        Call("member", "get", "/api/v1/posts/{post_id}/comments/", post),
        Call("member", "post", "/api/v1/posts/{post_id}/comments/", post,
             body={"body": "Welcome!"}, expect=201),
        Call("member", "post", "/api/v1/posts/{post_id}/comments/", post,
             body={"body": "A reply", "parent": ids["comment"]}, expect=201),
        Call("member", "post", "/api/v1/posts/{post_id}/comments/", post,
             body={"body": "A reply", "parent_id": ids["comment"]}, expect=400),
        Call("member", "patch", "/api/v1/comments/{comment_id}/", comment,
             body={"body": "Edited"}),
        Call("other_member", "patch", "/api/v1/comments/{comment_id}/", comment,
             body={"body": "Not mine"}, expect=403),
        Call("member", "post", "/api/v1/comments/{comment_id}/like/", comment),
        Call("member", "delete", "/api/v1/comments/{comment_id}/like/", comment),
        Call("member", "post", "/api/v1/comments/{comment_id}/hide/", comment, expect=403),
        Call("moderator", "post", "/api/v1/comments/{comment_id}/hide/", comment),
        Call("member", "post", "/api/v1/comments/{comment_id}/unhide/", comment, expect=404),
        Call("moderator", "post", "/api/v1/comments/{comment_id}/unhide/", comment),
        Call("member", "delete", "/api/v1/comments/{comment_id}/",
             {"comment_id": ids["doomed_comment"]}, expect=204),
        Call("member", "delete", "/api/v1/comments/{comment_id}/", {"comment_id": missing},
             expect=404),
        # Reports
        Call("member", "post", "/api/v1/reports/", body={"target_type": "member",
             "target_id": ids["other_member"], "reason": "Rude"}, expect=201),
        Call("member", "post", "/api/v1/reports/", body={"target_type": "post",
             "target_id": missing, "reason": "Spam"}, expect=404),
        Call("member", "post", "/api/v1/reports/", body={"target_type": "space",
             "target_id": 1, "reason": "Spam"}, expect=400),
        Call("member", "get", "/api/v1/reports/", expect=403),
        Call("moderator", "get", "/api/v1/reports/"),
        Call("moderator", "get", "/api/v1/reports/", query={"status": "lost"}, expect=400),
        Call("member", "post", "/api/v1/reports/{report_id}/resolve/",
             {"report_id": ids["report"]}, expect=403),
        Call("moderator", "post", "/api/v1/reports/{report_id}/resolve/",
             {"report_id": ids["report"]}, body={"note": "Removed"}),
        Call("moderator", "post", "/api/v1/reports/{report_id}/dismiss/",
             {"report_id": ids["report_2"]}, body={}),
        Call("moderator", "post", "/api/v1/reports/{report_id}/dismiss/",
             {"report_id": missing}, body={}, expect=404),
        # The moderation queue, the audit log, roles
        Call("moderator", "get", "/api/v1/moderation/queue/"),
        Call("moderator", "get", "/api/v1/moderation/queue/", query={"status": "x"},
             expect=400),
        Call("member", "get", "/api/v1/moderation/queue/", expect=403),
        Call("moderator", "post", "/api/v1/moderation/actions/", body={"target_type": "post",
             "target_id": ids["other_post"], "action": "hide", "reason": "Spam"}),
        Call("moderator", "post", "/api/v1/moderation/actions/", body={"target_type": "post",
             "target_id": ids["other_post"], "action": "warn"}, expect=400),
        Call("member", "post", "/api/v1/moderation/actions/", body={"target_type": "post",
             "target_id": ids["other_post"], "action": "dismiss"}, expect=403),
        Call("admin", "get", "/api/v1/audit/", query={"target_type": "community.post"}),
        Call("admin", "get", "/api/v1/audit/", query={"target_type": "x.y"}, expect=400),
        Call("moderator", "get", "/api/v1/audit/", expect=403),
        Call("admin", "post", "/api/v1/members/{member_id}/role/", {"member_id": ids["stranger"]},
             body={"role": "moderator", "reason": "Helps"}),
        Call("admin", "post", "/api/v1/members/{member_id}/role/", {"member_id": ids["stranger"]},
             body={"role": "owner"}, expect=400),
        Call("moderator", "post", "/api/v1/members/{member_id}/role/",
             {"member_id": ids["stranger"]}, body={"role": "member"}, expect=403),
        # Analytics (admins)
        Call("admin", "get", "/api/v1/analytics/"),
        Call("moderator", "get", "/api/v1/analytics/", expect=403),
        Call("admin", "get", "/api/v1/analytics/{key}/", {"key": "members"},
             query={"days": "90"}),
        Call("admin", "get", "/api/v1/analytics/{key}/", {"key": "course_completion"},
             query={"from": "2026-01-01", "to": "2026-03-31"}),
        Call("admin", "get", "/api/v1/analytics/{key}/", {"key": "members"},
             query={"from": "2026-03-05", "to": "2026-03-01"}, expect=400),
        Call("admin", "get", "/api/v1/analytics/{key}/", {"key": "nope"}, expect=404),
        Call("member", "get", "/api/v1/analytics/{key}/", {"key": "members"}, expect=403),
        # Branding and the custom domain (admins)
        Call("admin", "get", "/api/v1/branding/"),
        Call("moderator", "get", "/api/v1/branding/", expect=403),
        Call("admin", "patch", "/api/v1/branding/", body={"name": "Acme",
             "primary_color": "#1D4ED8", "custom_domain": "community.acme.example"}),
        Call("admin", "patch", "/api/v1/branding/", body={"primary_color": "red; x:url(y)"},
             expect=400),
        Call("moderator", "patch", "/api/v1/branding/", body={"name": "Mine"}, expect=403),
        # The full export (admins)
        Call("admin", "get", "/api/v1/export/"),
        Call("moderator", "get", "/api/v1/export/", expect=403),
        # Search
        Call("member", "get", "/api/v1/search/", query={"q": "hello", "kinds": "posts,members"}),
        Call("member", "get", "/api/v1/search/", query={"q": ""}, expect=400),
    ]  # fmt: skip


def _send(client, call):
    body = call.body() if callable(call.body) else call.body
    url = call.url()
    if call.query:
        url += "?" + "&".join(f"{key}={value}" for key, value in call.query.items())
    if body is None:
        return getattr(client, call.method)(url)
    return getattr(client, call.method)(url, body, format="json")


def test_every_operation_answers_what_the_schema_documents(schema, scene, request):
    personas = {}

    def client(who):
        if who not in personas:
            personas[who] = api_as(request.getfixturevalue(who))
        return personas[who]

    calls = _calls(scene)
    for call in calls:
        assert (call.method, call.path) in schema.operations, f"not in the schema: {call}"
        response = _send(client(call.who), call)
        assert response.status_code == call.expect, (
            f"{call.method.upper()} {call.url()} as {call.who}: {response.status_code} "
            f"{response.content[:300]!r}"
        )
        schema.check(call.method, call.path, response)

    called = {(call.method, call.path) for call in calls}
    # Payments' operations need Stripe's fixtures: tests/payments/test_api.py calls each one
    # and checks its answer against this same schema; courses' (tagged `courses`) are called
    # by tests/courses/test_api_authoring.py, events' (tagged `events`) by tests/events/,
    # gamification's (tagged `gamification`) by tests/gamification/test_api.py, messaging's
    # (tagged `messaging`) by tests/messaging/test_api.py.
    operations = {
        op
        for op, operation in schema.operations.items()
        if not op[1].startswith("/api/v1/payments/")
        and not {"courses", "events", "gamification", "messaging"} & set(operation["tags"])
    }
    assert operations - called == set(), "operations this test never calls"
    succeeded = {(c.method, c.path) for c in calls if c.expect < 300}
    assert operations - succeeded == set(), "operations never called successfully"


def test_every_operation_answers_anonymous_callers_as_documented(schema, scene):
    anonymous = api_as(None)
    by_operation = {(call.method, call.path): call for call in reversed(_calls(scene))}
    for (method, path), call in by_operation.items():
        response = _send(anonymous, call)
        assert response.status_code == 401, f"{method.upper()} {path}: {response.status_code}"
        assert response["WWW-Authenticate"] == "Bearer"
        schema.check(method, path, response)


def test_throttled_answers_are_documented(schema, member, monkeypatch):
    rates = {"anon": "100/min", "user": "100/min", "write": "1/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    client = api_as(member)
    assert client.patch("/api/v1/me/", {"bio": "One"}, format="json").status_code == 200
    response = client.patch("/api/v1/me/", {"bio": "Two"}, format="json")
    assert response.status_code == 429 and response.json()["retry_after"] > 0
    schema.check("patch", "/api/v1/me/", response)


def test_documented_limits_are_the_enforced_ones(schema):
    components = schema.document["components"]["schemas"]
    for name in ("PostCreateRequest", "PatchedPostUpdateRequest"):
        properties = components[name]["properties"]
        assert properties["title"]["maxLength"] == 200
        assert properties["body"]["maxLength"] == 50_000


def test_like_and_follow_answers_are_documented_as_the_state_they_return(schema):
    for path in ("/api/v1/posts/{post_id}/like/", "/api/v1/comments/{comment_id}/like/",
                 "/api/v1/members/{member_id}/follow/"):  # fmt: skip
        for method in ("post", "delete"):
            responses = schema.operations[(method, path)]["responses"]
            assert "200" in responses and "204" not in responses, (method, path)


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    error_ref = {"$ref": "#/components/schemas/Error"}
    for (method, path), operation in schema.operations.items():
        responses = operation["responses"]
        assert {"401", "429"} <= set(responses), (method, path)
        for code, response in responses.items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == error_ref


def test_the_docs_describe_the_socket_and_every_event_the_services_publish(schema):
    """Integrators read the socket protocol at /api/docs/ (the schema's description): each
    event type a service publishes, with its topic kind, must be there."""
    description = schema.document["info"]["description"]
    for words in ("/ws/", "Authorization: Bearer <token>", "4401", '"action": "subscribe"',
                  '"action": "unsubscribe"', '"action": "ping"', "sent_at"):  # fmt: skip
        assert words in description
    root = Path(settings.BASE_DIR)
    published = set()
    for source in root.glob("*/**/*.py"):
        if ".venv" in source.parts or "tests" in source.parts:
            continue
        published |= set(PUBLISHED.findall(source.read_text()))
    assert {event for _kind, event in published} >= {"post.created", "comment.created"}
    for kind, event in published:
        assert f"`{event}`" in description, f"{event} is not documented"
        assert f"`{kind}:<id>`" in description, f"topic {kind} is not documented"
