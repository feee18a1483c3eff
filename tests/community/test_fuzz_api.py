"""Schemathesis fuzzes every operation of the served OpenAPI schema against the live test
server (issue 11, item 8), as a member (Bearer token) and anonymously: data that fits the
schema and data that does not, a few examples per operation, derandomized so that a run is
repeatable. No answer may be a 5xx, and each must have a documented status, content type
and body shape. New endpoints are fuzzed as soon as they appear in the schema.

The live server answers from another thread, which an in-memory SQLite database cannot
share: the test runs in the PostgreSQL pass of CI.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import ApiTokenFactory, CommentFactory, FollowFactory, PostFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EXAMPLES = 5  # per operation, per persona, per generation mode
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_schema(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(json.loads(response.content))


@pytest.fixture
def scenery(space, member, other_member):
    """Something for the fuzzer to find: posts, comments, a follow."""
    post = PostFactory(space=space, author=member, hashtags=["launch"])
    CommentFactory(post=post, author=other_member)
    FollowFactory(follower=other_member, followed=member)


@pytest.fixture(autouse=True)
def no_throttling(monkeypatch):
    """The live server runs in this process: lift the rates so examples reach the views."""
    rates = {scope: "100000/min" for scope in ("anon", "user", "write")}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _operations(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20, "the schema lost its operations"
    return operations


def _fuzz(operation, base_url, headers):
    strategy = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case):
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _each_failure(exc):
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _each_failure(inner)
    else:
        yield exc


@pytest.mark.parametrize("who", ["member", "anonymous"])
def test_fuzzing_the_api_finds_no_5xx_and_no_undocumented_answer(
    who, api_schema, scenery, member, live_server
):
    headers = {}
    if who == "member":
        _token, raw_key = ApiTokenFactory.with_key(user=member)
        headers["Authorization"] = f"Bearer {raw_key}"
    failures = []
    for operation in _operations(api_schema):
        label = f"{operation.method.upper()} {operation.path}"
        try:
            _fuzz(operation, live_server.url, headers)
        except (Exception, BaseExceptionGroup) as exc:  # every operation fuzzed, all listed
            failures += [f"{label}: {failure}" for failure in _each_failure(exc)]
    assert not failures, "\n\n".join(failures)
