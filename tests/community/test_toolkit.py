"""The toolkit pages and the API share: one page-size rule, one page shape, one mapping of
service errors to forms, one safe redirect, one avatar URL, one read of a post, and the same
answers from a page and its API twin."""

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from community.api.posts import PostSerializer
from community.api.toolkit import cursor_page_serializer
from community.forms import apply_service_errors
from community.models import Follow, User
from community.pagination import parse_page_size
from community.views.common import safe_next_url
from tests.factories import CommentFactory, FollowFactory, PostFactory, UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db


# --- One page size --------------------------------------------------------------------------

REFUSED_SIZES = ["²", "٣", "abc", "0", "101", "-1", "5.0", " 5", "+5", "1e2", "99999"]


@pytest.mark.parametrize("raw", REFUSED_SIZES)
def test_it_refuses_a_size_that_is_not_ascii_digits_from_1_to_100(raw):
    with pytest.raises(ValidationError) as refused:
        parse_page_size(raw)
    assert refused.value.message_dict == {"size": ["A number from 1 to 100."]}


@pytest.mark.parametrize(("raw", "size"), [(None, 20), ("", 20), ("1", 1), ("100", 100),
                                           ("007", 7)])  # fmt: skip
def test_it_reads_a_missing_or_valid_size(raw, size):
    assert parse_page_size(raw) == size


@pytest.fixture
def lists(member, other_member, moderator, space):
    """Every API list, with enough rows for a page of 1 to have a next page."""
    posts = [PostFactory(space=space, author=other_member, hashtags=["news"]) for _ in range(2)]
    CommentFactory.create_batch(2, post=posts[0], author=other_member)
    FollowFactory(follower=member, followed=other_member)
    FollowFactory(follower=member, followed=moderator)
    FollowFactory(follower=moderator, followed=other_member)
    return {
        "feed": (member, "/api/v1/posts/"),
        "space": (member, f"/api/v1/spaces/{space.slug}/posts/"),
        "hashtag": (member, "/api/v1/hashtags/news/posts/"),
        "comments": (member, f"/api/v1/posts/{posts[0].pk}/comments/"),
        "members": (member, "/api/v1/members/"),
        "followers": (member, f"/api/v1/members/{other_member.pk}/followers/"),
        "following": (member, f"/api/v1/members/{member.pk}/following/"),
        "reports": (moderator, "/api/v1/reports/"),
    }


LIST_NAMES = ["feed", "space", "hashtag", "comments", "members", "followers", "following",
              "reports"]  # fmt: skip


@pytest.mark.parametrize("name", LIST_NAMES)
def test_every_api_list_refuses_the_same_bad_sizes_with_a_field_error(lists, name):
    user, url = lists[name]
    client = api_as(user)
    for raw in ["²", "abc", "0", "101"]:
        response = client.get(url, {"size": raw})
        assert response.status_code == 400, (name, raw)
        assert response.json()["fields"] == {"size": ["A number from 1 to 100."]}, (name, raw)


@pytest.mark.parametrize("name", LIST_NAMES)
def test_every_api_list_answers_one_page_shape_and_honours_the_size(lists, name):
    user, url = lists[name]
    client = api_as(user)
    assert client.get(url, {"size": "100"}).status_code == 200
    data = client.get(url, {"size": "1"}).json()
    assert {"results", "next_cursor"} <= set(data), name
    if name != "reports":  # no reports were filed
        assert len(data["results"]) == 1 and data["next_cursor"], name


def test_the_members_list_defaults_to_the_same_size_as_every_list(member):
    UserFactory.create_batch(21)
    data = api_as(member).get("/api/v1/members/").json()
    assert len(data["results"]) == 20 and data["next_cursor"]


# --- One page serializer ---------------------------------------------------------------------


def test_the_page_serializer_is_made_once_per_item_type():
    page = cursor_page_serializer(PostSerializer)
    assert cursor_page_serializer(PostSerializer) is page
    assert page.__name__ == "PostPageSerializer"
    assert set(page().fields) == {"results", "next_cursor"}


def test_two_item_serializers_with_one_name_are_refused():
    cursor_page_serializer(type("LonelySerializer", (serializers.Serializer,), {}))
    with pytest.raises(ImproperlyConfigured):
        cursor_page_serializer(type("LonelySerializer", (serializers.Serializer,), {}))


def test_the_schema_has_one_page_component_per_item_type():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    names = set(schema["components"]["schemas"])
    assert {"PostPage", "ThreadPage", "DirectoryMemberPage", "FollowEntryPage",
            "ReportPage"} <= names  # fmt: skip
    assert not {"PostList", "DirectoryPage", "FollowPage"} & names
    for path in ("/api/v1/posts/", "/api/v1/hashtags/{name}/posts/"):
        ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": "#/components/schemas/PostPage"}
    size = schema["components"]["schemas"]["FollowState"]["properties"]["follower_count"]
    assert size["nullable"] is True


# --- One mapping of service errors to forms ---------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField()


def test_service_errors_land_on_their_field_or_above_the_form():
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_service_errors(form, ValidationError({"name": ["Taken."], "slug": ["Bad."]}))
    assert form.errors == {"name": ["Taken."], "__all__": ["Bad."]}
    form = NameForm({"name": "x"})
    form.is_valid()
    apply_service_errors(form, ValidationError("You cannot do this twice."))
    assert form.non_field_errors() == ["You cannot do this twice."]


def test_a_report_refused_without_a_field_shows_above_the_form(member_client, other_member):
    url, target = reverse("community:report"), {"type": "member", "id": other_member.pk}
    assert member_client.post(url, {**target, "reason": "Spam"}).status_code == 302
    response = member_client.post(url, {**target, "reason": "Spam again"})
    assert response.status_code == 400
    assert "already reported" in response.content.decode()


# --- One safe redirect ------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "expected"), [
    ("/members/", "/members/"),
    ("https://evil.example/", "/fallback/"),
    ("//evil.example/", "/fallback/"),
    ("", "/fallback/"),
])  # fmt: skip
def test_next_goes_back_only_into_this_site(target, expected):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next_url(request, "/fallback/") == expected


def test_a_follow_without_javascript_refuses_an_outside_next(member_client, other_member):
    url = reverse("community:follow", args=[other_member.pk])
    response = member_client.post(url, {"action": "follow", "next": "https://evil.example/"})
    assert response.url == reverse("community:profile", args=[other_member.pk])


# --- One avatar URL ---------------------------------------------------------------------------


def test_every_serializer_gives_the_same_avatar_url(member, other_member, space):
    User.objects.filter(pk=other_member.pk).update(avatar="avatars/face.png")
    PostFactory(space=space, author=other_member)
    FollowFactory(follower=member, followed=other_member)
    client = api_as(member)
    url = client.get(f"/api/v1/members/{other_member.pk}/").json()["avatar_url"]
    assert url.endswith("avatars/face.png")
    assert client.get("/api/v1/posts/").json()["results"][0]["author"]["avatar_url"] == url
    members = client.get("/api/v1/members/", {"q": other_member.handle}).json()["results"]
    assert members[0]["avatar_url"] == url
    following = client.get(f"/api/v1/members/{member.pk}/following/").json()["results"]
    assert following[0]["member"]["avatar_url"] == url
    assert client.get("/api/v1/me/").json()["avatar_url"] is None


# --- One read of a post: page and API answer alike --------------------------------------------


@pytest.mark.parametrize("state", ["live", "hidden", "deleted", "paid space", "missing"])
def test_the_post_page_and_the_api_answer_alike(member, member_client, space, pro, state):
    post = PostFactory(space=space)
    if state == "hidden":
        post.hidden_at = timezone.now()
    elif state == "deleted":
        post.deleted_at = timezone.now()
    elif state == "paid space":
        space.visibility, space.required_tier = "paid", pro
        space.save()
    post.save()
    post_id = post.pk + 1000 if state == "missing" else post.pk
    page = member_client.get(reverse("community:post", args=[post_id])).status_code
    api = api_as(member).get(f"/api/v1/posts/{post_id}/").status_code
    assert page == api == (200 if state == "live" else 404)


def test_the_post_page_shows_the_card_with_the_viewers_like(member, member_client, space):
    post = PostFactory(space=space)
    api_as(member).post(f"/api/v1/posts/{post.pk}/like/")
    html = member_client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert 'class="post-card card' in html and 'aria-pressed="true"' in html
    assert api_as(member).get(f"/api/v1/posts/{post.pk}/").json()["liked"] is True


@pytest.mark.parametrize("parent", ["²", "abc", "999999"])
def test_a_reply_to_no_comment_is_refused_alike_on_page_and_api(member, member_client, space,
                                                                 parent):  # fmt: skip
    post = PostFactory(space=space)
    url = reverse("community:post_comments", args=[post.pk])
    page = member_client.post(url, {"body": "Hi", "parent": parent})
    assert page.status_code == 400
    assert "You can only reply to a comment on this post." in page.content.decode()
    if parent.isascii() and parent.isdecimal():
        api = api_as(member).post(f"/api/v1/posts/{post.pk}/comments/",
                                  {"body": "Hi", "parent": parent}, format="json")  # fmt: skip
        assert api.status_code == 400
        assert api.json()["fields"] == {"parent": ["You can only reply to a comment on this post."]}


# --- Unfollowing a member who turned private: page and API alike ------------------------------


@pytest.fixture
def turned_private(member, other_member):
    """`member` follows `other_member`, who has since made their profile private."""
    FollowFactory(follower=member, followed=other_member)
    FollowFactory(followed=other_member)  # someone else's follow: the count is 2
    other_member.profile_visibility = User.Visibility.PRIVATE
    other_member.save(update_fields=["profile_visibility"])
    return other_member


def test_the_api_unfollows_a_member_who_turned_private_without_their_numbers(
    member, turned_private
):
    response = api_as(member).delete(f"/api/v1/members/{turned_private.pk}/follow/")
    assert response.status_code == 200
    assert response.json() == {"member_id": turned_private.pk, "is_following": False,
                               "follower_count": None}  # fmt: skip
    assert not Follow.objects.filter(follower=member).exists()


def test_the_page_unfollows_a_member_who_turned_private(member, member_client, turned_private):
    url = reverse("community:follow", args=[turned_private.pk])
    response = member_client.post(url, {"action": "unfollow"})
    assert response.status_code == 302
    assert response.url == reverse("community:directory")  # their profile is not ours to see
    assert not Follow.objects.filter(follower=member).exists()


def test_the_page_button_hides_the_count_of_a_member_who_turned_private(
    member, member_client, turned_private
):
    url = reverse("community:follow", args=[turned_private.pk])
    response = member_client.post(
        url, {"action": "unfollow", "context": "profile"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="false"' in html and "follower-count" not in html


def test_a_private_member_one_does_not_follow_is_404_on_page_and_api(member, member_client):
    hidden = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    page_url = reverse("community:follow", args=[hidden.pk])
    api_url = f"/api/v1/members/{hidden.pk}/follow/"
    for action in ("follow", "unfollow"):
        assert member_client.post(page_url, {"action": action}).status_code == 404
    assert api_as(member).delete(api_url).status_code == 404
    assert api_as(member).post(api_url).status_code == 404


def test_following_again_a_member_who_turned_private_is_refused(member, turned_private):
    client = api_as(member)
    client.delete(f"/api/v1/members/{turned_private.pk}/follow/")
    assert client.post(f"/api/v1/members/{turned_private.pk}/follow/").status_code == 404
