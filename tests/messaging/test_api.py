"""Messaging's operations answer what the served schema documents, as a member and
anonymously (tests/community/test_api_schema.py covers community's)."""

import pytest
from rest_framework.test import APIClient

from messaging import tasks
from messaging.models import Notification
from tests.community.test_api_schema import load_schema
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db


def test_every_messaging_operation_answers_what_the_schema_documents(client, member, space):
    schema = load_schema(client)
    post = PostFactory(author=member, space=space)
    tasks.comment_created(CommentFactory(post=post).pk)
    tasks.comment_created(CommentFactory(post=post).pk)
    mine = Notification.objects.filter(recipient=member).first()
    tasks.comment_created(CommentFactory(post=PostFactory(author=UserFactory())).pk)
    theirs = Notification.objects.exclude(recipient=member).get()
    calls = [
        ("get", "/api/v1/notifications/", {}, {"size": "1"}, 200),
        ("get", "/api/v1/notifications/", {}, {"unread": "true"}, 200),
        ("get", "/api/v1/notifications/", {}, {"size": "0"}, 400),
        ("get", "/api/v1/notifications/unread-count/", {}, None, 200),
        ("post", "/api/v1/notifications/{notification_id}/read/",
         {"notification_id": mine.pk}, None, 200),
        ("post", "/api/v1/notifications/{notification_id}/read/",
         {"notification_id": theirs.pk}, None, 404),
        ("post", "/api/v1/notifications/read-all/", {}, None, 200),
    ]  # fmt: skip
    clients = {"member": api_as(member), "anonymous": APIClient()}
    for method, path, params, data, expect in calls:
        url = path.format(**params)
        for caller, wanted in (("member", expect), ("anonymous", 401)):
            response = getattr(clients[caller], method)(url, data)
            assert response.status_code == wanted, (caller, method, url, response.content[:300])
            schema.check(method, path, response)
    ours = {op for op, o in schema.operations.items() if "messaging" in o["tags"]}
    assert ours == {(method, path) for method, path, *_rest in calls}
