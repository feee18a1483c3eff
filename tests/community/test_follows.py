import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from community import services, signals
from community.models import Follow, User
from tests.factories import UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db


def follow_url(member):
    return f"/api/v1/members/{member.pk}/follow/"


def test_a_member_follows_another_and_they_hear_of_it(
    member, other_member, live_events, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.follow(member, member=other_member)
    assert Follow.objects.filter(follower=member, followed=other_member).exists()
    assert (f"user:{other_member.pk}", "follower.added", {"follower_id": member.pk}) in live_events
    signal = domain_signals.of(signals.member_followed)
    assert signal[0]["follower_id"] == member.pk
    assert signal[0]["followed_id"] == other_member.pk


def test_following_twice_keeps_one_row_and_announces_once(
    member, other_member, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.follow(member, member=other_member)
        second = services.follow(member, member=other_member)
    assert first.pk == second.pk
    assert Follow.objects.filter(follower=member, followed=other_member).count() == 1
    assert len(domain_signals.of(signals.member_followed)) == 1


def test_it_refuses_following_yourself(member):
    with pytest.raises(ValidationError) as refused:
        services.follow(member, member=member)
    assert "yourself" in str(refused.value)
    assert not Follow.objects.exists()


def test_the_api_refuses_following_yourself_with_a_field_error(member):
    response = api_as(member).post(follow_url(member))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "yourself" in response.json()["fields"]["member"][0]


def test_unfollow_removes_the_follow_and_twice_is_harmless(member, other_member):
    services.follow(member, member=other_member)
    assert services.unfollow(member, member=other_member) is True
    assert services.unfollow(member, member=other_member) is False
    assert not Follow.objects.exists()


def test_a_private_member_cannot_be_followed_and_looks_missing(member):
    hidden = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    with pytest.raises(Http404):
        services.follow(member, member=hidden)
    assert api_as(member).post(follow_url(hidden)).status_code == 404


def test_a_banned_member_cannot_follow(member, other_member):
    member.banned_at = timezone.now()
    member.save(update_fields=["banned_at"])
    with pytest.raises(PermissionDenied):
        services.follow(member, member=other_member)


def test_the_api_follows_and_unfollows_and_says_the_new_state(member, other_member):
    client = api_as(member)
    response = client.post(follow_url(other_member))
    assert response.status_code == 200
    assert response.json() == {"member_id": other_member.pk, "is_following": True,
                               "follower_count": 1}  # fmt: skip
    assert client.post(follow_url(other_member)).json()["follower_count"] == 1
    response = client.delete(follow_url(other_member))
    assert response.json()["is_following"] is False
    assert response.json()["follower_count"] == 0


def test_visitors_cannot_follow_through_the_api(other_member):
    assert APIClient().post(follow_url(other_member)).status_code == 401


def test_the_follow_button_toggles_with_htmx(member_client, member, other_member):
    url = reverse("community:follow", args=[other_member.pk])
    response = member_client.post(url, {"action": "follow"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-pressed="true"' in page and "Following" in page
    assert 'value="unfollow"' in page
    # A second click that was sent before the first answer came back changes nothing.
    member_client.post(url, {"action": "follow"}, headers={"HX-Request": "true"})
    assert Follow.objects.filter(follower=member).count() == 1
    response = member_client.post(url, {"action": "unfollow"}, headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Follow.objects.exists()


def test_the_profile_button_also_updates_the_follower_count(member_client, other_member):
    url = reverse("community:follow", args=[other_member.pk])
    response = member_client.post(
        url, {"action": "follow", "context": "profile"}, headers={"HX-Request": "true"}
    )
    assert 'id="follower-count" hx-swap-oob="true">1<' in response.content.decode()


def test_the_follow_button_without_javascript_redirects_back(member_client, other_member):
    url = reverse("community:follow", args=[other_member.pk])
    response = member_client.post(url, {"next": "/members/"})
    assert response.status_code == 302 and response.url == "/members/"
    assert Follow.objects.filter(followed=other_member).exists()
    response = member_client.post(url, {"next": "https://evil.example/"})
    assert response.url == reverse("community:profile", args=[other_member.pk])
    assert not Follow.objects.filter(followed=other_member).exists()  # toggled off


def test_following_yourself_on_the_page_shows_the_reason(member_client, member):
    url = reverse("community:follow", args=[member.pk])
    response = member_client.post(url, {"action": "follow"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "cannot follow yourself" in response.content.decode()


def test_the_follow_page_needs_a_post_and_a_signed_in_member(member_client, other_member):
    url = reverse("community:follow", args=[other_member.pk])
    assert member_client.get(url).status_code == 405
    assert Client().post(url).status_code == 302  # to sign in
    assert not Follow.objects.exists()


def test_followers_and_following_lists_hide_private_members(member, other_member):
    hidden = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    for who in (member, hidden):
        services.follow(who, member=other_member)
    services.follow(other_member, member=member)
    viewer = UserFactory()
    followers = api_as(viewer).get(f"/api/v1/members/{other_member.pk}/followers/").json()
    assert [row["member"]["id"] for row in followers["results"]] == [member.pk]
    assert followers["next_cursor"] is None
    following = api_as(viewer).get(f"/api/v1/members/{other_member.pk}/following/").json()
    assert [row["member"]["id"] for row in following["results"]] == [member.pk]
    assert following["results"][0]["member"]["is_following"] is False
    # The hidden member sees themself.
    followers = api_as(hidden).get(f"/api/v1/members/{other_member.pk}/followers/").json()
    assert {row["member"]["id"] for row in followers["results"]} == {member.pk, hidden.pk}


def test_follow_lists_are_cursor_paginated_without_duplicates(other_member):
    fans = UserFactory.create_batch(5)
    for fan in fans:
        services.follow(fan, member=other_member)
    client, seen, cursor = api_as(other_member), [], None
    for _ in range(5):
        params = {"size": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(f"/api/v1/members/{other_member.pk}/followers/", params).json()
        seen += [row["member"]["id"] for row in body["results"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(fan.pk for fan in fans)
    assert len(seen) == len(set(seen))


def test_the_follow_lists_of_a_private_member_are_missing(member):
    hidden = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    assert api_as(member).get(f"/api/v1/members/{hidden.pk}/followers/").status_code == 404


def test_the_member_api_says_counts_and_whether_you_follow(member, other_member):
    services.follow(member, member=other_member)
    body = api_as(member).get(f"/api/v1/members/{other_member.pk}/").json()
    assert body["handle"] == other_member.handle
    assert (body["follower_count"], body["following_count"], body["is_following"]) == (1, 0, True)
    body = api_as(other_member).get(f"/api/v1/members/{member.pk}/").json()
    assert (body["follower_count"], body["following_count"], body["is_following"]) == (0, 1, False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_follows_by_one_member_make_one_row():
    import threading

    from django.db import connection as main_connection

    follower, followed = UserFactory(), UserFactory()
    barrier, errors = threading.Barrier(6), []

    def click():
        from django.db import connection

        try:
            barrier.wait()
            services.follow(follower, member=followed)
        except Exception as error:  # any failure is the test failing, reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Follow.objects.filter(follower=follower, followed=followed).count() == 1
    assert main_connection.vendor == "postgresql"
