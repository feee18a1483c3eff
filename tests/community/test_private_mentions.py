"""Mentions do not reveal private members (issue 11, item 6).

Rich text is rendered once on save and shown to every viewer, so a mention is a link only
when the member's profile is public; a private member's @handle is plain text for everyone,
yet still notifies them. Changing the profile visibility renders the mentions again."""

import pytest
from django.urls import reverse

from community import services, signals, tasks
from community.models import Comment, Post, User
from community.services.common import render_body
from tests.factories import PostFactory, SpaceFactory, UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(db):
    return UserFactory(handle="quiet-one", profile_visibility=User.Visibility.PRIVATE)


@pytest.fixture
def shown(db):
    return UserFactory(handle="loud-one")


def _profile_href(member):
    return f'href="{reverse("community:profile", args=[member.pk])}"'


def test_a_private_members_mention_is_plain_text_but_still_a_mention(hidden, shown):
    body = render_body("Hello @quiet-one and @loud-one")
    assert _profile_href(hidden) not in body.html
    assert "@quiet-one" in body.html
    assert _profile_href(shown) in body.html
    assert body.mention_ids == [hidden.pk, shown.pk]


def test_the_private_mention_is_not_linked_in_the_page_or_the_api(
    member, moderator, hidden, client
):
    space = SpaceFactory(public=True)
    post = services.create_post(member, space=space, body="Post for @quiet-one")
    comment = services.create_comment(member, post=post, body="Comment for @quiet-one")
    for stored in (post, comment):
        stored.refresh_from_db()
        assert "@quiet-one" in stored.body_html
        assert 'class="mention"' not in stored.body_html

    href = _profile_href(hidden)
    for viewer in (None, member, moderator):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        page = client.get(reverse("community:post", args=[post.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Post for @quiet-one" in html and "Comment for @quiet-one" in html
        assert href not in html
        if viewer is None:
            continue  # the API is for members only

        api = api_as(viewer)
        detail = api.get(reverse("api-post", args=[post.pk]))
        assert detail.status_code == 200, detail.content
        assert href not in detail.content.decode()
        assert "@quiet-one" in detail.json()["body_html"]
        comments = api.get(reverse("api-post-comments", args=[post.pk]))
        assert comments.status_code == 200, comments.content
        assert "Comment for @quiet-one" in comments.content.decode()
        assert href not in comments.content.decode()


def test_a_private_member_mentioned_is_still_notified(
    member, hidden, space, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = services.create_post(member, space=space, body="Hi @quiet-one")
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.create_comment(member, post=post, body="Again @quiet-one")
    assert domain_signals.of(signals.member_mentioned) == [
        {"member_id": hidden.pk, "by_id": member.pk, "post_id": post.pk, "comment_id": None},
        {"member_id": hidden.pk, "by_id": member.pk, "post_id": post.pk, "comment_id": comment.pk},
    ]
    assert list(post.mentions.all()) == [hidden]
    assert list(comment.mentions.all()) == [hidden]


def _mentioning(author, member, space):
    post = services.create_post(author, space=space, body=f"See @{member.handle} #here")
    comment = services.create_comment(author, post=post, body=f"Yes @{member.handle}")
    return post, comment


def _linked(member, *rows):
    href = _profile_href(member)
    return [href in type(row).objects.get(pk=row.pk).body_html for row in rows]


def test_going_private_unlinks_existing_mentions_and_going_public_links_them(
    member, shown, space, django_capture_on_commit_callbacks
):
    post, comment = _mentioning(member, shown, space)
    untouched = PostFactory(space=space, author=member, body="No mention here")
    untouched_html = untouched.body_html
    assert _linked(shown, post, comment) == [True, True]

    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(shown, profile_visibility=User.Visibility.PRIVATE)
    assert _linked(shown, post, comment) == [False, False]
    post.refresh_from_db()
    assert "@loud-one" in post.body_html and 'class="hashtag"' in post.body_html
    assert Post.objects.get(pk=untouched.pk).body_html == untouched_html

    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(shown, profile_visibility=User.Visibility.PUBLIC)
    assert _linked(shown, post, comment) == [True, True]


def test_an_unchanged_visibility_enqueues_nothing(
    member, shown, space, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(tasks.rerender_mentions_of, "delay", lambda *a: calls.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(shown, profile_visibility=User.Visibility.PUBLIC, bio="Hi")
    assert calls == []
    with django_capture_on_commit_callbacks(execute=True):
        services.update_profile(shown, profile_visibility=User.Visibility.PRIVATE)
    assert calls == [(shown.pk,)]


def test_the_rerender_task_is_idempotent(member, shown, space):
    post, comment = _mentioning(member, shown, space)
    User.objects.filter(pk=shown.pk).update(profile_visibility=User.Visibility.PRIVATE)
    tasks.rerender_mentions_of(shown.pk)
    first = (Post.objects.get(pk=post.pk).body_html, Comment.objects.get(pk=comment.pk).body_html)
    tasks.rerender_mentions_of(shown.pk)
    second = (Post.objects.get(pk=post.pk).body_html, Comment.objects.get(pk=comment.pk).body_html)
    assert first == second
    assert _linked(shown, post, comment) == [False, False]


def test_the_rerender_task_keeps_the_other_mentions(member, shown, hidden, space):
    post = services.create_post(member, space=space, body="@loud-one meets @quiet-one")
    assert _linked(hidden, post) == [False]
    User.objects.filter(pk=hidden.pk).update(profile_visibility=User.Visibility.PUBLIC)
    tasks.rerender_mentions_of(hidden.pk)
    assert _linked(shown, post) == [True]
    assert _linked(hidden, post) == [True]


def test_a_visibility_changed_in_the_admin_renders_the_mentions_again(
    member, shown, space, admin, client, django_capture_on_commit_callbacks
):
    post, comment = _mentioning(member, shown, space)
    client.force_login(admin)
    url = reverse("admin:community_user_change", args=[shown.pk])
    form = client.get(url).context["adminform"].form
    data = {  # the form as the page fills it (no file, no empty many-to-many)
        name: value
        for name, value in form.initial.items()
        if value not in (None, [], "") and not hasattr(value, "storage")
    }
    data["profile_visibility"] = User.Visibility.PRIVATE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _linked(shown, post, comment) == [False, False]
