"""Which notifications a member gets: kinds turned off, and a post's thread, a space or a
member muted make none (on the pages and over the API alike); what may be muted is what
the member may see."""

import pytest
from django.urls import reverse

from community import services as community
from messaging.models import Mute, Notification
from messaging.services import notifications as notes
from tests.factories import PaidSpaceFactory, PostFactory, SpaceFactory, UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db


def kinds(member):
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def test_a_kind_turned_off_makes_no_notification(member, other_member, space, committed,
                                                 member_client):  # fmt: skip
    post = PostFactory(author=member, space=space)
    page = member_client.post(
        reverse("messaging:notification_settings"),
        {f"app-{kind}": "on" for kind in Notification.Kind.values if kind != "like"},
    )
    assert page.status_code == 302
    committed(community.like, other_member, target=post)
    committed(community.create_comment, other_member, post=post, body="Nice")
    assert kinds(member) == ["comment"]
    settings_page = member_client.get(reverse("messaging:notification_settings")).content.decode()
    assert 'name="app-like" aria-label="Likes in the app">' in settings_page
    assert 'name="app-comment" aria-label="Comments on my posts in the app" checked>' in (
        settings_page
    )


def test_muting_a_thread_a_space_or_a_member_silences_it(member, other_member, space, committed):
    mine = PostFactory(author=member, space=space)
    elsewhere = SpaceFactory(visibility="members")
    other_post = PostFactory(author=member, space=elsewhere)
    notes.mute(member, "post", mine.pk)
    committed(community.create_comment, other_member, post=mine, body="Muted thread")
    assert kinds(member) == []
    committed(community.create_comment, other_member, post=other_post, body="Heard")
    assert kinds(member) == ["comment"]
    notes.mute(member, "space", elsewhere.pk)
    committed(community.like, other_member, target=other_post)
    assert kinds(member) == ["comment"]
    third = UserFactory()
    notes.mute(member, "member", third.pk)
    committed(community.follow, third, member=member)
    assert kinds(member) == ["comment"]
    notes.unmute(member, "member", third.pk)
    committed(community.follow, other_member, member=member)
    assert kinds(member) == ["comment", "follow"]


def test_the_mute_button_toggles_and_the_settings_list_it(member, space, member_client):
    post = PostFactory(space=space, title="Loud thread")
    url = reverse("messaging:mute", args=["post", post.pk])
    assert url in member_client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert ">Mute<" in member_client.get(url).content.decode()
    assert ">Unmute<" in member_client.post(url, HTTP_HX_REQUEST="true").content.decode()
    listed = member_client.get(reverse("messaging:notification_settings")).content.decode()
    assert "Loud thread" in listed
    back = member_client.post(url, {"next": reverse("community:post", args=[post.pk])})
    assert back.status_code == 302 and not Mute.objects.exists()


def test_only_what_the_member_may_see_can_be_muted(member, member_client):
    hidden_space = PaidSpaceFactory()
    api = api_as(member)
    refused = api.post(reverse("api-mutes"), {"target_type": "space", "target_id": hidden_space.pk},
                       format="json")  # fmt: skip
    assert refused.status_code == 404
    assert api.post(reverse("api-mutes"), {"target_type": "member", "target_id": member.pk},
                    format="json").status_code == 400  # fmt: skip
    assert api.post(reverse("api-mutes"), {"target_type": "hashtag", "target_id": 1},
                    format="json").status_code == 400  # fmt: skip
    assert member_client.get(reverse("messaging:mute", args=["hashtag", 1])).status_code == 404


def test_preferences_and_mutes_over_the_api(member, other_member, space):
    api = api_as(member)
    kinds_now = api.get(reverse("api-notification-preferences")).json()["kinds"]
    assert all(kinds_now.values()) and set(kinds_now) == set(Notification.Kind.values)
    changed = api.patch(reverse("api-notification-preferences"), {"kinds": {"like": False}},
                        format="json").json()["kinds"]  # fmt: skip
    assert changed["like"] is False and changed["comment"] is True
    bad = api.patch(reverse("api-notification-preferences"), {"kinds": {"likes": False}},
                    format="json")  # fmt: skip
    assert bad.status_code == 400
    post = PostFactory(space=space)
    made = api.post(reverse("api-mutes"), {"target_type": "post", "target_id": post.pk},
                    format="json")  # fmt: skip
    assert made.status_code == 201
    assert [m["target_id"] for m in api.get(reverse("api-mutes")).json()] == [post.pk]
    other = api_as(other_member)
    assert other.delete(reverse("api-mute", args=[made.json()["id"]])).status_code == 404
    assert api.delete(reverse("api-mute", args=[made.json()["id"]])).status_code == 204
    assert api.get(reverse("api-mutes")).json() == []
