"""Messaging's operations answer what the served schema documents, as a member and
anonymously (tests/community/test_api_schema.py covers community's)."""

import pytest
from rest_framework.test import APIClient

from messaging import tasks
from messaging.models import Notification
from messaging.services import conversations as dm
from messaging.services import notifications as notes
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
    friend, stranger, blocked = UserFactory(), UserFactory(), UserFactory()
    talk = dm.start_conversation(member, friend)
    hello = dm.send_message(friend, talk, body="Hello")
    mine_message = dm.send_message(member, talk, body="Hi")
    gone = dm.send_message(member, talk, body="Oops")
    others_talk = dm.start_conversation(friend, stranger)
    dm.block(member, blocked)
    muted = notes.mute(member, "member", friend.pk)
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
        ("get", "/api/v1/conversations/", {}, {"size": "5"}, 200),
        ("post", "/api/v1/conversations/", {}, {"member": stranger.pk}, 200),
        ("post", "/api/v1/conversations/", {}, {"member": member.pk}, 403),
        ("post", "/api/v1/conversations/", {}, {"member": 999_999}, 404),
        ("get", "/api/v1/conversations/{conversation_id}/", {"conversation_id": talk.pk},
         None, 200),
        ("get", "/api/v1/conversations/{conversation_id}/", {"conversation_id": others_talk.pk},
         None, 404),
        ("get", "/api/v1/conversations/{conversation_id}/messages/",
         {"conversation_id": talk.pk}, {"size": "1"}, 200),
        ("post", "/api/v1/conversations/{conversation_id}/messages/",
         {"conversation_id": talk.pk}, {"body": "Sent"}, 201),
        ("post", "/api/v1/conversations/{conversation_id}/messages/",
         {"conversation_id": talk.pk}, {"body": ""}, 400),
        ("post", "/api/v1/conversations/{conversation_id}/messages/",
         {"conversation_id": others_talk.pk}, {"body": "Hi"}, 404),
        ("post", "/api/v1/conversations/{conversation_id}/read/",
         {"conversation_id": talk.pk}, None, 200),
        ("patch", "/api/v1/messages/{message_id}/", {"message_id": mine_message.pk},
         {"body": "Hi there"}, 200),
        ("patch", "/api/v1/messages/{message_id}/", {"message_id": hello.pk}, {"body": "x"}, 403),
        ("delete", "/api/v1/messages/{message_id}/", {"message_id": gone.pk}, None, 204),
        ("get", "/api/v1/blocks/", {}, None, 200),
        ("post", "/api/v1/blocks/", {}, {"member": friend.pk}, 204),
        ("delete", "/api/v1/blocks/{member_id}/", {"member_id": blocked.pk}, None, 204),
        ("get", "/api/v1/preferences/messages/", {}, None, 200),
        ("patch", "/api/v1/preferences/messages/", {}, {"direct_messages": "false"}, 200),
        ("get", "/api/v1/preferences/notifications/", {}, None, 200),
        ("patch", "/api/v1/preferences/notifications/", {},
         {"kinds": {"like": False}}, 200),
        ("patch", "/api/v1/preferences/notifications/", {},
         {"kinds": {"nope": False}}, 400),
        ("patch", "/api/v1/preferences/notifications/", {},
         {"email": {"frequency": "daily", "kinds": {"message": False},
                    "quiet_start": "22:00", "quiet_end": "07:00"}}, 200),
        ("patch", "/api/v1/preferences/notifications/", {},
         {"email": {"quiet_start": None}}, 400),
        ("patch", "/api/v1/preferences/notifications/", {},
         {"email": {"frequency": "hourly"}}, 400),
        ("get", "/api/v1/mutes/", {}, None, 200),
        ("post", "/api/v1/mutes/", {}, {"target_type": "member", "target_id": stranger.pk}, 201),
        ("post", "/api/v1/mutes/", {}, {"target_type": "member", "target_id": 999_999}, 404),
        ("delete", "/api/v1/mutes/{mute_id}/", {"mute_id": muted.pk}, None, 204),
    ]  # fmt: skip
    clients = {"member": api_as(member), "anonymous": APIClient()}
    for method, path, params, data, expect in calls:
        url = path.format(**params)
        for caller, wanted in (("member", expect), ("anonymous", 401)):
            body = {} if method == "get" else {"format": "json"}
            response = getattr(clients[caller], method)(url, data, **body)
            assert response.status_code == wanted, (caller, method, url, response.content[:300])
            schema.check(method, path, response)
    ours = {op for op, o in schema.operations.items() if "messaging" in o["tags"]}
    assert ours == {(method, path) for method, path, *_rest in calls}


def test_email_preference_errors_name_the_field_as_the_body_does(member):
    client = api_as(member)
    url = "/api/v1/preferences/notifications/"
    refused = client.patch(url, {"email": {"kinds": {"payment": False}}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {
        "email.kinds": ["Payment problems are always emailed: they cannot be turned off."]
    }
    half = client.patch(url, {"email": {"quiet_start": "22:00"}}, format="json")
    assert list(half.json()["fields"]) == ["email.quiet_hours"]
    assert client.get(url).json()["email"]["quiet_start"] is None  # nothing half-saved
