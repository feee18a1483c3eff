"""Direct messages: a conversation per pair, sent and read on the pages and over the API
alike, live to both members, with read receipts, edits and soft deletes, images through the
shared validator; refused to outsiders, to members who turned messages off or blocked,
for empty, too long or too fast messages; each list at a fixed number of queries."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community import access as community_access
from messaging import access
from messaging.models import Conversation, Message, Participant
from messaging.services import conversations as dm
from tests.factories import UserFactory
from tests.helpers import api_as, assert_constant_queries, check_topic_rule, run_at_once

pytestmark = pytest.mark.django_db


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def talk(member, other_member):
    return dm.start_conversation(member, other_member)


def api_send(sender, conversation, **body):
    return api_as(sender).post(
        reverse("api-conversation-messages", args=[conversation.pk]), body, format="json"
    )


# --- Starting, sending, reading ---------------------------------------------------------------


def test_a_pair_has_one_conversation_whoever_starts_it(member, other_member):
    first = dm.start_conversation(member, other_member)
    assert dm.start_conversation(other_member, member) == first
    assert Conversation.objects.count() == 1
    sides = Participant.objects.filter(conversation=first)
    assert {(side.member_id, side.other_id) for side in sides} == {
        (member.pk, other_member.pk), (other_member.pk, member.pk)
    }  # fmt: skip


def test_starting_from_a_profile_sends_the_first_message_and_opens_the_thread(
    member, other_member, member_client
):
    profile = member_client.get(reverse("community:profile", args=[other_member.pk]))
    start_url = reverse("messaging:start", args=[other_member.pk])
    assert start_url in profile.content.decode()
    response = member_client.post(start_url, {"body": "Hello **Ben**"})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/messages/{message.conversation_id}/#message-{message.pk}"
    )
    assert message.body_html == "<p>Hello <strong>Ben</strong></p>\n"
    # A second visit goes straight to the conversation.
    again = member_client.get(start_url)
    assert again["Location"] == reverse("messaging:thread", args=[message.conversation_id])


def test_the_directory_offers_a_message_link(member, other_member, member_client):
    page = member_client.get(reverse("community:directory")).content.decode()
    assert reverse("messaging:start", args=[other_member.pk]) in page


def test_list_shows_the_other_member_latest_message_and_unread_count(
    member, other_member, talk, member_client, client
):
    dm.send_message(member, talk, body="Are you coming Saturday?")
    dm.send_message(other_member, talk, body="Yes!")
    dm.send_message(other_member, talk, body="With the seeds")
    page = member_client.get(reverse("messaging:conversations")).content.decode()
    assert other_member.display_name in page
    assert "With the seeds" in page
    assert 'title="2 unread"' in page
    listed = api_as(member).get(reverse("api-conversations")).json()["results"]
    assert listed[0]["unread"] == 2
    assert listed[0]["other"]["id"] == other_member.pk
    assert listed[0]["latest_message"]["body"] == "With the seeds"
    # Their own list counts nothing unread: they sent the latest ones.
    assert (
        api_as(other_member).get(reverse("api-conversations")).json()["results"][0]["unread"] == 0
    )
    # The header counts conversations with news.
    client.force_login(member)
    assert "1 with new messages" in client.get(reverse("messaging:bell")).content.decode()


def test_opening_the_thread_reads_it_and_moves_the_receipt_live(
    member, other_member, talk, member_client, live_events, django_capture_on_commit_callbacks
):
    mine = dm.send_message(member, talk, body="Did you see the plan?")
    with django_capture_on_commit_callbacks(execute=True):
        api_as(other_member).post(reverse("api-conversation-read", args=[talk.pk]))
    read = live_events.of_type("conversation.read")
    assert read[0].topic == f"conversation:{talk.pk}"
    assert read[0].data["member"] == other_member.pk
    assert read[0].data["last_read_id"] == mine.pk
    page = member_client.get(reverse("messaging:thread", args=[talk.pk])).content.decode()
    assert f'id="read-receipt" data-read-id="{mine.pk}">Seen' in page
    # A newer message of theirs is not seen yet: the receipt hides.
    dm.send_message(member, talk, body="And the budget?")
    page = member_client.get(reverse("messaging:thread", args=[talk.pk])).content.decode()
    assert f'id="read-receipt" data-read-id="{mine.pk}" hidden' in page


def test_sending_is_published_to_the_conversation_and_both_members(
    member, other_member, talk, live_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = dm.send_message(member, talk, body="Hi")
    assert (
        f"conversation:{talk.pk}",
        "message.created",
        {"id": message.pk, "sender": member.pk},
    ) in live_events
    updated = {event.topic for event in live_events.of_type("conversation.updated")}
    assert updated == {f"user:{member.pk}", f"user:{other_member.pk}"}


def test_a_message_card_shows_the_sender_controls_only_to_the_sender(
    member, other_member, talk, client
):
    message = dm.send_message(member, talk, body="Mine")
    url = reverse("messaging:message", args=[talk.pk, message.pk])
    client.force_login(member)
    mine = client.get(url).content.decode()
    assert "dm--mine" in mine and reverse("messaging:edit", args=[message.pk]) in mine
    client.force_login(other_member)
    theirs = client.get(url).content.decode()
    assert "dm--mine" not in theirs and "Edit" not in theirs


def test_edit_and_delete_own_messages(member, other_member, talk,
                                      django_capture_on_commit_callbacks):  # fmt: skip
    message = dm.send_message(member, talk, body="Typo hre", image=png())
    stored = message.image
    response = api_as(member).patch(
        reverse("api-message", args=[message.pk]), {"body": "Typo here"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["body"] == "Typo here" and response.json()["edited_at"]
    # The other member may neither edit nor delete it.
    other = api_as(other_member)
    assert (
        other.patch(
            reverse("api-message", args=[message.pk]), {"body": "x"}, format="json"
        ).status_code
        == 403
    )
    assert other.delete(reverse("api-message", args=[message.pk])).status_code == 403
    assert default_storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = api_as(member).delete(reverse("api-message", args=[message.pk]))
    assert deleted.status_code == 204
    message.refresh_from_db()
    assert message.deleted_at and message.body == "" and message.image == ""
    assert not default_storage.exists(stored)  # the image's file goes after commit
    listed = api_as(other_member).get(reverse("api-conversation-messages", args=[talk.pk])).json()
    assert listed["results"][0]["deleted_at"] and listed["results"][0]["body"] == ""


def test_an_image_goes_through_the_shared_validator(member, talk):
    client = api_as(member)
    url = reverse("api-conversation-messages", args=[talk.pk])
    sent = client.post(url, {"image": png()}, format="multipart")
    assert sent.status_code == 201, sent.content
    assert "/message-images/" in sent.json()["image_url"]
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    refused = client.post(url, {"body": "look", "image": fake}, format="multipart")
    assert refused.status_code == 400
    assert "image" in refused.json()["fields"]


# --- Refusals ---------------------------------------------------------------------------------


def test_a_non_participant_cannot_read_send_or_follow(member, other_member, talk, client):
    outsider = UserFactory()
    dm.send_message(member, talk, body="Private")
    intruder = api_as(outsider)
    assert intruder.get(reverse("api-conversation-messages", args=[talk.pk])).status_code == 404
    assert intruder.get(reverse("api-conversation", args=[talk.pk])).status_code == 404
    assert api_send(outsider, talk, body="Hi").status_code == 404
    assert intruder.post(reverse("api-conversation-read", args=[talk.pk])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("messaging:thread", args=[talk.pk])).status_code == 404
    assert client.post(reverse("messaging:send", args=[talk.pk]), {"body": "x"}).status_code == 404
    message = Message.objects.get()
    assert client.get(reverse("messaging:message", args=[talk.pk, message.pk])).status_code == 404
    check_topic_rule(
        outsider, {"talk": talk}, kind="conversation",
        may_receive=access.may_receive_conversation_topic, sees=set(),
    )  # fmt: skip
    check_topic_rule(
        member, {"talk": talk}, kind="conversation",
        may_receive=access.may_receive_conversation_topic, sees={"talk"},
    )  # fmt: skip


def test_direct_messages_off_refuses_new_messages_with_the_reason(
    member, other_member, talk, member_client
):
    dm.set_direct_messages(other_member, enabled=False)
    response = api_send(member, talk, body="Hello?")
    assert response.status_code == 403
    assert "turned direct messages off" in response.json()["detail"]
    thread = member_client.get(reverse("messaging:thread", args=[talk.pk])).content.decode()
    assert "turned direct messages off" in thread and 'name="body"' not in thread
    profile = member_client.get(
        reverse("community:profile", args=[other_member.pk])
    ).content.decode()
    assert "turned direct messages off" in profile
    third = UserFactory()
    assert (
        api_as(third)
        .post(reverse("api-conversations"), {"member": other_member.pk}, format="json")
        .status_code
        == 403
    )
    # They may still write themselves, and turn it back on over the API.
    assert api_send(other_member, talk, body="I can write").status_code == 201
    switch = api_as(other_member).patch(
        reverse("api-message-preferences"), {"direct_messages": True}, format="json"
    )
    assert switch.json() == {"direct_messages": True}
    assert api_send(member, talk, body="Hello!").status_code == 201


def test_blocking_stops_messages_both_ways_and_hides_the_conversation_for_the_blocker(
    member, other_member, talk
):
    dm.send_message(member, talk, body="Buy my course")
    assert (
        api_as(other_member)
        .post(reverse("api-blocks"), {"member": member.pk}, format="json")
        .status_code
        == 204
    )
    refused = api_send(member, talk, body="Hello?")
    assert refused.status_code == 403 and "not taking messages from you" in refused.json()["detail"]
    assert "Unblock them" in api_send(other_member, talk, body="x").json()["detail"]
    assert api_as(other_member).get(reverse("api-conversations")).json()["results"] == []
    assert len(api_as(member).get(reverse("api-conversations")).json()["results"]) == 1
    blocks = api_as(other_member).get(reverse("api-blocks")).json()
    assert [block["member"]["id"] for block in blocks] == [member.pk]
    assert api_as(other_member).delete(reverse("api-block", args=[member.pk])).status_code == 204
    assert len(api_as(other_member).get(reverse("api-conversations")).json()["results"]) == 1
    assert api_send(member, talk, body="Sorry").status_code == 201


def test_empty_too_long_and_hostile_messages(member, talk):
    assert api_send(member, talk, body="   ").json()["fields"]["body"] == [
        "Write a message before sending."
    ]
    too_long = api_send(member, talk, body="x" * 5001)
    assert too_long.status_code == 400 and "5,000" in too_long.json()["fields"]["body"][0]
    assert api_send(member, talk, body="x" * 5000).status_code == 201
    hostile = api_send(
        member,
        talk,
        body="<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>",
    ).json()
    # Shown as the words they are: no element, no link to a script.
    assert "<script" not in hostile["body_html"] and "<img" not in hostile["body_html"]
    assert 'href="javascript' not in hostile["body_html"]
    assert "&lt;script&gt;" in hostile["body_html"]


def test_the_page_shows_a_refused_message_with_its_draft(member, talk, member_client):
    response = member_client.post(reverse("messaging:send", args=[talk.pk]), {"body": "x" * 5001})
    assert response.status_code == 400
    assert "at most 5,000 characters" in response.content.decode()
    htmx = member_client.post(
        reverse("messaging:send", args=[talk.pk]), {"body": ""}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and htmx["HX-Retarget"] == "#message-form"


def test_sending_too_fast_is_refused_with_when_to_try_again(member, talk, settings, member_client):
    settings.AGORA_MESSAGES_PER_MINUTE = 3
    for n in range(3):
        assert api_send(member, talk, body=f"spam {n}").status_code == 201
    refused = api_send(member, talk, body="one more")
    assert refused.status_code == 429
    assert refused.json()["retry_after"] == 60 and "3 messages" in refused.json()["detail"]
    page = member_client.post(reverse("messaging:send", args=[talk.pk]), {"body": "again"})
    assert page.status_code == 400 and "Wait a moment" in page.content.decode()


def test_a_private_member_cannot_be_found_to_start_a_conversation(member, member_client):
    private = UserFactory(profile_visibility="private")
    assert not community_access.can_view_profile(member, private)
    assert member_client.get(reverse("messaging:start", args=[private.pk])).status_code == 404
    response = api_as(member).post(
        reverse("api-conversations"), {"member": private.pk}, format="json"
    )
    assert response.status_code == 404


def test_messaging_oneself_or_a_banned_member_is_refused(member, banned_member):
    response = api_as(member).post(
        reverse("api-conversations"), {"member": member.pk}, format="json"
    )
    assert response.status_code == 403 and "yourself" in response.json()["detail"]
    response = api_as(member).post(
        reverse("api-conversations"), {"member": banned_member.pk}, format="json"
    )
    assert response.status_code in (403, 404)


# --- Fixed queries ----------------------------------------------------------------------------


def _pairs(member, count):
    for _ in range(count):
        someone = UserFactory()
        conversation = dm.start_conversation(someone, member)
        dm.send_message(someone, conversation, body="Hello there")
        dm.send_message(member, conversation, body="Hi!")
        dm.send_message(someone, conversation, body="How are you?")


def test_the_conversation_list_costs_a_fixed_number_of_queries(member, member_client, settings):
    settings.AGORA_MESSAGES_PER_MINUTE = 1000
    _pairs(member, 5)
    # Page: the page of conversations (1) besides what every signed-in page reads (session,
    # member, level, sidebar: 4). API: the page (1).
    assert_constant_queries(
        {
            "page": lambda: member_client.get(reverse("messaging:conversations")),
            "api": lambda: api_as(member).get(reverse("api-conversations")),
        },
        grow=lambda: _pairs(member, 25),
        bound={"page": 5, "api": 1},
    )


def test_a_thousand_message_thread_costs_the_same_page_by_page(member, other_member, talk,
                                                              member_client, settings):  # fmt: skip
    settings.AGORA_MESSAGES_PER_MINUTE = 100_000

    def add(count):
        Message.objects.bulk_create(
            [
                Message(
                    conversation=talk,
                    sender=(member, other_member)[n % 2],
                    body=f"m{n}",
                    body_html=f"<p>m{n}</p>",
                )
                for n in range(count)
            ]
        )
        last = Message.objects.filter(conversation=talk).order_by("-id").first()
        Conversation.objects.filter(pk=talk.pk).update(last_message=last)

    add(40)

    def older_page():
        first = api_as(member).get(reverse("api-conversation-messages", args=[talk.pk]))
        return api_as(member).get(first.json()["next_cursor"] and
                                  reverse("api-conversation-messages", args=[talk.pk])
                                  + "?cursor=" + first.json()["next_cursor"])  # fmt: skip

    # Page: the member's side, the page, the other side's receipt, whether they may send
    # (their switch and the blocks), the read mark (5), besides what every signed-in page
    # reads (session, member, level, sidebar: 4). API: the member's side and the page (2).
    assert_constant_queries(
        {
            "page": lambda: member_client.get(reverse("messaging:thread", args=[talk.pk])),
            "api": lambda: api_as(member).get(reverse("api-conversation-messages", args=[talk.pk])),
        },
        grow=lambda: add(960),
        bound={"page": 9, "api": 2},
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_messages_sent_at_once_leave_the_newest_as_the_latest(member, other_member):
    talk = dm.start_conversation(member, other_member)
    senders = [member, other_member] * 6
    run_at_once(len(senders), lambda i: dm.send_message(senders[i], talk, body=f"Message {i}"))
    talk.refresh_from_db()
    newest = Message.objects.filter(conversation=talk).order_by("-id").first()
    assert Message.objects.filter(conversation=talk).count() == len(senders)
    assert talk.last_message_id == newest.pk
    assert set(
        Participant.objects.filter(conversation=talk).values_list("latest_at", flat=True)
    ) == {newest.created_at}
    times = list(
        Message.objects.filter(conversation=talk)
        .order_by("id")
        .values_list("created_at", flat=True)
    )
    assert times == sorted(times)
