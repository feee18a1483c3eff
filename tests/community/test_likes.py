import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from community import selectors, services, tasks
from community.models import Comment, Like, Post, Space
from tests.factories import PaidSpaceFactory, PostFactory, UserFactory
from tests.helpers import api_as, count_queries, run_at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(space, other_member):
    return Post.objects.create(space=space, author=other_member, body="Hi", body_html="<p>Hi</p>")


@pytest.fixture
def comment(post, other_member):
    return Comment.objects.create(post=post, author=other_member, body="c", body_html="<p>c</p>")


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- The service ----------------------------------------------------------------------------


def test_toggling_likes_then_unlikes_and_the_counter_follows(
    member, post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.toggle_like(member, target=post) is True
    assert fresh(post).like_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.toggle_like(member, target=post) is False
    assert fresh(post).like_count == 0
    assert not Like.objects.exists()


def test_comments_are_liked_too(member, comment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.toggle_like(member, target=comment)
    assert fresh(comment).like_count == 1
    assert selectors.liked_ids(member, [comment]) == {comment.pk}


def test_only_posts_and_comments_can_be_liked(member, space):
    with pytest.raises(ValidationError):
        services.toggle_like(member, target=space)
    with pytest.raises(ValidationError):
        services.like(member, target=member)


def test_liking_a_deleted_hidden_or_invisible_post_is_404(member, moderator, post, comment):
    secret = PostFactory(space=PaidSpaceFactory(), author=moderator, body="s")
    with pytest.raises(Http404):
        services.toggle_like(member, target=secret)
    comment.deleted_at = timezone.now()
    with pytest.raises(Http404):
        services.toggle_like(member, target=comment)
    post.hidden_at = timezone.now()
    with pytest.raises(Http404):
        services.toggle_like(member, target=post)
    post.hidden_at, post.deleted_at = None, timezone.now()
    for action in (services.toggle_like, services.like, services.unlike):
        with pytest.raises(Http404):
            action(member, target=post)
    assert not Like.objects.exists()


def test_visitors_and_banned_members_may_not_like(member, moderator, space):
    public = Space.objects.create(name="Open", slug="open", visibility="public")
    post = Post.objects.create(space=public, author=moderator, body="p", body_html="p")
    with pytest.raises(PermissionDenied):
        services.toggle_like(AnonymousUser(), target=post)
    services.ban_member(moderator, member=member, reason="spam")
    with pytest.raises(PermissionDenied):
        services.toggle_like(member, target=post)


def test_like_and_unlike_are_idempotent(member, post):
    assert services.like(member, target=post) is True
    assert services.like(member, target=post) is True
    assert Like.objects.count() == 1
    assert services.unlike(member, target=post) is False
    assert services.unlike(member, target=post) is False
    assert not Like.objects.exists()


def test_signals_and_live_events_follow_the_commit(
    member, other_member, post, live_events, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.toggle_like(member, target=post)
        assert domain_signals == [] and live_events == []  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        services.toggle_like(member, target=post)
    with django_capture_on_commit_callbacks(execute=True):
        services.unlike(member, target=post)  # nothing changed: nothing sent
    received = [(name, kw["user_id"], kw["target_author_id"]) for name, kw in domain_signals]
    assert received == [("like_added", member.pk, other_member.pk),
                        ("like_removed", member.pk, other_member.pk)]  # fmt: skip
    event = (f"post:{post.pk}", "like.changed",
             {"target_type": "post", "target_id": post.pk, "post_id": post.pk})  # fmt: skip
    assert live_events.to(f"post:{post.pk}") == [event, event]


# --- Counters -------------------------------------------------------------------------------


def test_the_recount_task_run_twice_gives_the_same_counts(post, comment):
    likers = [UserFactory() for _ in range(3)]
    for liker in likers:
        Like.objects.create(user=liker, target=post)
    Like.objects.create(user=likers[0], target=comment)
    Comment.objects.create(post=post, author=likers[1], body="gone", body_html="gone",
                           deleted_at=timezone.now())  # fmt: skip
    for _ in range(2):
        tasks.recount_post(post.pk)
        tasks.recount_comment(comment.pk)
        assert (fresh(post).like_count, post.comment_count) == (3, 1)
        assert fresh(comment).like_count == 1


def test_reconcile_repairs_corrupted_counters_and_only_those(member, post, comment, space):
    Like.objects.create(user=member, target=post)
    Like.objects.create(user=member, target=comment)
    tasks.recount_post(post.pk)
    tasks.recount_comment(comment.pk)
    healthy = Post.objects.create(space=space, author=member, body="ok", body_html="ok")
    Post.objects.filter(pk=post.pk).update(like_count=42, comment_count=0)
    Comment.objects.filter(pk=comment.pk).update(like_count=7)

    assert tasks.reconcile_counts() == {"posts": 1, "comments": 1}
    assert (fresh(post).like_count, post.comment_count) == (1, 1)
    assert fresh(comment).like_count == 1
    assert (fresh(healthy).like_count, healthy.comment_count) == (0, 0)
    assert tasks.reconcile_counts() == {"posts": 0, "comments": 0}


def test_reconcile_runs_every_15_minutes(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["reconcile-like-and-comment-counts"]
    assert schedule == {"task": "community.tasks.reconcile_counts", "schedule": 900}


# --- Selectors ------------------------------------------------------------------------------


def test_liked_ids_is_one_query_and_empty_for_visitors(member, space, other_member):
    posts = [Post.objects.create(space=space, author=other_member, body=f"{n}", body_html="x")
             for n in range(10)]  # fmt: skip
    for liked in posts[::3]:
        Like.objects.create(user=member, target=liked)
    selectors.liked_ids(member, posts[:1])  # content types are cached from here on
    queries, liked = count_queries(lambda: selectors.liked_ids(member, posts))
    assert liked == {p.pk for p in posts[::3]}
    assert queries == 1
    assert selectors.liked_ids(AnonymousUser(), posts) == set()
    assert selectors.liked_ids(member, []) == set()


# --- The page -------------------------------------------------------------------------------


def test_the_like_button_toggles_with_htmx_and_without(member_client, post, comment):
    url = reverse("community:like_post", args=[post.pk])
    response = member_client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-pressed="true"' in html and f'id="like-post-{post.pk}"' in html
    assert ">1<" in html.replace(" ", "") or "1<span" in html  # the exact count, at once
    response = member_client.post(url)
    assert response.status_code == 302
    assert not Like.objects.exists()
    response = member_client.post(reverse("community:like_comment", args=[comment.pk]),
                                  HTTP_HX_REQUEST="true")  # fmt: skip
    assert f'id="like-comment-{comment.pk}"' in response.content.decode()
    assert Like.objects.get().target == comment


def test_the_like_button_fragment_refreshes_with_get(member_client, member, other_member, post):
    Like.objects.create(user=other_member, target=post)
    html = member_client.get(reverse("community:like_post", args=[post.pk])).content.decode()
    assert 'aria-pressed="false"' in html and "1<span" in html
    assert not Like.objects.filter(user=member).exists()  # a GET never writes


def test_the_like_pages_refuse_deleted_posts_and_visitors(client, member, post):
    post.deleted_at = timezone.now()
    post.save()
    client.force_login(member)
    assert client.post(reverse("community:like_post", args=[post.pk])).status_code == 404
    client.logout()
    public = Space.objects.create(name="Open", slug="open", visibility="public")
    open_post = Post.objects.create(space=public, author=member, body="p", body_html="p")
    response = client.post(reverse("community:like_post", args=[open_post.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Like.objects.exists()


# --- The API --------------------------------------------------------------------------------


def test_api_like_and_unlike_are_idempotent_and_exact(member, other_member, post, comment):
    Like.objects.create(user=other_member, target=post)
    client = api_as(member)
    url = reverse("api-post-like", args=[post.pk])
    for _ in range(2):
        response = client.post(url)
        assert response.status_code == 200
        assert response.json() == {"liked": True, "like_count": 2}
    for _ in range(2):
        assert client.delete(url).json() == {"liked": False, "like_count": 1}
    response = client.post(reverse("api-comment-like", args=[comment.pk]))
    assert response.json() == {"liked": True, "like_count": 1}


def test_api_likes_answer_404_for_missing_and_invisible_targets(member, moderator, post):
    secret = PostFactory(space=PaidSpaceFactory(), author=moderator, body="s")
    client = api_as(member)
    for url in (reverse("api-post-like", args=[secret.pk]), reverse("api-post-like", args=[999]),
                reverse("api-comment-like", args=[999])):  # fmt: skip
        response = client.post(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert APIClient().post(reverse("api-post-like", args=[post.pk])).status_code in (401, 403)


def test_api_likes_work_with_a_token(member, post):
    _token, key = services.create_api_token(member, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post(reverse("api-post-like", args=[post.pk])).json()["liked"] is True


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_members_liking_at_once_give_an_exact_count():
    space = Space.objects.create(name="Busy", slug="busy", visibility="members")
    members = [UserFactory() for _ in range(12)]
    post = Post.objects.create(space=space, author=members[0], body="p", body_html="p")
    run_at_once(len(members), lambda i: services.toggle_like(members[i], target=post))
    assert Like.objects.filter(object_id=post.pk).count() == len(members)
    tasks.recount_post(post.pk)
    assert fresh(post).like_count == len(members)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_member_liking_many_times_at_once_leaves_one_like():
    space = Space.objects.create(name="Busy", slug="busy", visibility="members")
    member = UserFactory()
    post = Post.objects.create(space=space, author=member, body="p", body_html="p")
    results = []
    run_at_once(10, lambda _i: results.append(services.like(member, target=post)))
    assert results == [True] * 10
    assert Like.objects.filter(user=member).count() == 1
    # Racing toggles from "not liked" all insert; the unique constraint keeps one row.
    Like.objects.all().delete()
    run_at_once(10, lambda _i: services.toggle_like(member, target=post))
    assert Like.objects.filter(user=member).count() <= 1
    tasks.recount_post(post.pk)
    assert fresh(post).like_count == Like.objects.filter(object_id=post.pk).count()
