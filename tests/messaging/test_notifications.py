"""Notifications: made from the other apps' signals through their real services, never for
one's own actions, told once per cause, grouped for likes, read one by one or all at once,
on the page and over the API alike, each list at a fixed number of queries."""

import pytest
from django.urls import reverse

from community import services as community
from community.models import Comment, Post
from courses import signals as course_signals
from events.services import rsvps
from gamification import signals as gamification_signals
from messaging import tasks
from messaging.models import Notification
from payments import signals as payment_signals
from tests.factories import (
    CommentFactory,
    EventFactory,
    ModuleFactory,
    PostFactory,
    UserFactory,
)
from tests.helpers import api_as, assert_constant_queries

Kind = Notification.Kind
pytestmark = pytest.mark.django_db


def told(member):
    return list(
        Notification.objects.filter(recipient=member).order_by("pk").values_list("kind", "others")
    )


def only(member):
    (notification,) = Notification.objects.filter(recipient=member).select_related("actor")
    return notification


def page_text(response):
    return response.content.decode()


# --- Made from the other apps' signals ---------------------------------------------------------


def test_a_comment_tells_the_post_author_and_never_the_commenter(member, other_member, space,
                                                                  committed):  # fmt: skip
    post = PostFactory(author=member, space=space, title="Garden plans")
    committed(community.create_comment, other_member, post=post, body="Lovely")
    committed(community.create_comment, member, post=post, body="Thanks!")  # their own post
    notification = only(member)
    assert (notification.kind, notification.actor) == (Kind.COMMENT, other_member)
    assert notification.data["title"] == "Garden plans"
    assert told(other_member) == []


def test_a_reply_tells_the_parent_author_and_the_post_author_once_each(
    member, other_member, space, committed
):
    replier = UserFactory()
    post = PostFactory(author=member, space=space)
    parent = CommentFactory(post=post, author=other_member)
    committed(community.create_comment, replier, post=post, body="Agreed", parent=parent)
    assert told(other_member) == [(Kind.REPLY, 0)]
    assert told(member) == [(Kind.COMMENT, 0)]
    # The post's author replying under their own thread's comment: one reply notice only.
    own_parent = CommentFactory(post=post, author=member)
    committed(community.create_comment, replier, post=post, body="Yes", parent=own_parent)
    assert told(member) == [(Kind.COMMENT, 0), (Kind.REPLY, 0)]


def test_likes_of_one_post_gather_in_one_row_until_it_is_read(member, space, committed):
    post = PostFactory(author=member, space=space, title="Sourdough")
    ana, ben, cy = UserFactory(display_name="Ana"), UserFactory(), UserFactory()
    committed(community.like, ana, target=post)
    committed(community.like, ben, target=post)
    notification = only(member)
    assert (notification.kind, notification.others, notification.actor) == (Kind.LIKE, 1, ben)
    committed(community.unlike, ana, target=post)
    committed(community.like, ana, target=post)  # taken back and given again: told once
    assert told(member) == [(Kind.LIKE, 1)]
    notification.read_at = notification.updated_at
    notification.save()
    committed(community.like, cy, target=post)
    assert told(member) == [(Kind.LIKE, 1), (Kind.LIKE, 0)]


def test_the_same_signal_delivered_twice_tells_once(member, other_member, space):
    comment = CommentFactory(post=PostFactory(author=member, space=space), author=other_member)
    tasks.comment_created(comment.pk)
    tasks.comment_created(comment.pk)
    assert told(member) == [(Kind.COMMENT, 0)]


def test_follows_and_mentions(member, other_member, space, committed):
    committed(community.follow, other_member, member=member)
    committed(community.create_post, other_member, space=space, body=f"Hi @{member.handle}!")
    assert told(member) == [(Kind.FOLLOW, 0), (Kind.MENTION, 0)]
    post = PostFactory(space=space)
    committed(community.create_comment, other_member, post=post, body=f"@{member.handle} look")
    assert told(member)[-1] == (Kind.MENTION, 0)


def test_a_reply_that_mentions_its_parent_author_is_one_notice(member, other_member, space,
                                                               committed):  # fmt: skip
    post = PostFactory(author=other_member, space=space)
    parent = CommentFactory(post=post, author=member)
    committed(community.create_comment, other_member, post=post, parent=parent,
              body=f"Thanks @{member.handle}!")  # fmt: skip
    assert told(member) == [(Kind.REPLY, 0)]


def test_nothing_for_a_banned_member_or_about_a_hidden_post(member, banned_member, space,
                                                            moderator, committed):  # fmt: skip
    committed(community.follow, member, member=banned_member)
    assert told(banned_member) == []
    post = PostFactory(author=member, space=space)
    comment = CommentFactory(post=post)
    committed(community.hide_post, moderator, post=post, reason="spam")
    tasks.comment_created(comment.pk)  # a late task: the post is hidden by now
    assert told(member) == []


def test_nothing_about_a_comment_hidden_meanwhile_and_its_notice_no_longer_opens(
    member, other_member, moderator, member_client, space, committed
):
    post = PostFactory(author=member, space=space)
    late = CommentFactory(post=post, author=other_member)
    committed(community.hide_comment, moderator, comment=late)
    tasks.comment_created(late.pk)  # a late task: the comment is hidden by now
    assert told(member) == []
    comment = committed(community.create_comment, other_member, post=post, body="Hi")
    (notification,) = Notification.objects.filter(recipient=member)
    committed(community.hide_comment, moderator, comment=comment)
    response = member_client.get(reverse("messaging:open", args=[notification.pk]), follow=True)
    assert "no longer there" in page_text(response)


def test_a_waitlist_promotion_tells_the_member_who_got_the_seat(member, other_member,
                                                                committed):  # fmt: skip
    event = EventFactory(capacity=1, title="Pottery night")
    start = event.starts_at
    committed(rsvps.rsvp, member, event=event, occurrence_start=start, status="going")
    committed(rsvps.rsvp, other_member, event=event, occurrence_start=start, status="going")
    assert told(other_member) == []  # waitlisted
    committed(rsvps.rsvp, member, event=event, occurrence_start=start, status="not_going")
    notification = only(other_member)
    assert notification.kind == Kind.EVENT and notification.data["what"] == "promoted"
    assert notification.data["title"] == "Pottery night"


@pytest.mark.parametrize(
    ("signal", "kwargs", "kind"),
    [
        (gamification_signals.level_changed, {"previous_level_id": None}, Kind.LEVEL),
        (course_signals.module_unlocked, {}, Kind.COURSE),
        (payment_signals.payment_failed, {"invoice_id": 7, "hosted_invoice_url": ""},
         Kind.PAYMENT),
    ],
)  # fmt: skip
def test_the_other_apps_signals_become_notifications(member, signal, kwargs, kind, committed):
    from community import effects
    from gamification.models import Level

    module = ModuleFactory(title="Week two")
    extra = {"level_id": Level.objects.order_by("threshold").last().pk}
    if signal is course_signals.module_unlocked:
        extra = {"course_id": module.course_id, "module_id": module.pk}
    elif signal is payment_signals.payment_failed:
        extra = {}
    committed(effects.send_signal_on_commit, signal, user_id=member.pk, **kwargs, **extra)
    committed(effects.send_signal_on_commit, signal, user_id=member.pk, **kwargs, **extra)
    assert told(member) == [(kind, 0)]


def test_each_notification_is_published_live_with_the_unread_count(
    member, other_member, space, committed, live_events
):
    post = PostFactory(author=member, space=space)
    committed(community.create_comment, other_member, post=post, body="One")
    committed(community.create_comment, other_member, post=post, body="Two")
    sent = live_events.of_type("notification.created")
    assert [(event.topic, event.data["unread"]) for event in sent] == [
        (f"user:{member.pk}", 1), (f"user:{member.pk}", 2)
    ]  # fmt: skip


# --- The page ----------------------------------------------------------------------------------


def make_comments(post, count):
    for _ in range(count):
        tasks.comment_created(CommentFactory(post=post).pk)


def test_the_page_lists_them_and_opening_one_marks_it_read(member, member_client, space):
    post = PostFactory(author=member, space=space, title="<script>alert(1)</script>")
    make_comments(post, 2)
    html = page_text(member_client.get(reverse("messaging:notifications")))
    assert html.count('class="notification__text"') == 2
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    newest = Notification.objects.filter(recipient=member).latest("pk")
    response = member_client.get(reverse("messaging:open", args=[newest.pk]))
    comment_id = newest.target_id
    assert response.url == reverse("community:post", args=[post.pk]) + f"#comment-{comment_id}"
    newest.refresh_from_db()
    assert newest.is_read
    unread = page_text(member_client.get(reverse("messaging:notifications") + "?show=unread"))
    assert unread.count('class="notification__text"') == 1


def test_a_notification_whose_target_is_gone_says_so(member, member_client, space):
    post = PostFactory(author=member, space=space)
    make_comments(post, 1)
    Comment.objects.update(deleted_at=post.created_at)
    notification = only(member)
    response = member_client.get(reverse("messaging:open", args=[notification.pk]), follow=True)
    assert "no longer there" in page_text(response)


def test_marking_read_one_and_all_and_the_bell(member, member_client, space, client):
    make_comments(PostFactory(author=member, space=space), 3)
    bell = member_client.get(reverse("messaging:bell"))
    assert "3 unread" in page_text(bell)
    first = Notification.objects.filter(recipient=member).earliest("pk")
    member_client.post(reverse("messaging:read", args=[first.pk]))
    assert "2 unread" in page_text(member_client.get(reverse("messaging:bell")))
    response = member_client.post(reverse("messaging:read_all"), follow=True)
    assert "Marked 2 notifications read." in page_text(response)
    assert "unread" not in page_text(member_client.get(reverse("messaging:bell")))
    client.logout()
    assert client.get(reverse("messaging:bell")).status_code == 204  # a session that ended


def test_another_members_notification_is_a_404_everywhere(member, other_member, space, client):
    make_comments(PostFactory(author=other_member, space=space), 1)
    theirs = only(other_member)
    client.force_login(member)
    assert client.get(reverse("messaging:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("messaging:read", args=[theirs.pk])).status_code == 404
    api = api_as(member)
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_visitors_are_sent_to_sign_in_and_refused_by_the_api(client):
    response = client.get(reverse("messaging:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert api_as(None).get("/api/v1/notifications/").status_code in (401, 403)


def test_a_crafted_cursor_is_a_404_on_the_page_and_a_400_in_the_api(member, member_client):
    url = reverse("messaging:notifications")
    assert member_client.get(url, {"cursor": "nonsense"}).status_code == 404
    response = api_as(member).get("/api/v1/notifications/", {"cursor": "nonsense"})
    assert response.status_code == 400


def test_the_page_and_the_api_cost_the_same_for_more_notifications(member, member_client,
                                                                   space):  # fmt: skip
    post = PostFactory(author=member, space=space)
    liked = PostFactory(author=member, space=space)
    make_comments(post, 3)
    for _ in range(2):
        tasks.like_added(UserFactory().pk, "post", liked.pk, member.pk)
    api = api_as(member)

    def grow():
        make_comments(post, 25)  # past a page
        for _ in range(3):
            tasks.like_added(UserFactory().pk, "post", liked.pk, member.pk)

    # Page: session and member (2), the notifications with their actors (1), the header's
    # score (1), the sidebar's spaces (1); the bell's count is fetched apart. API: the page
    # with the actors (1).
    assert_constant_queries(
        {"page": lambda: member_client.get(reverse("messaging:notifications")),
         "api": lambda: api.get("/api/v1/notifications/")},
        grow=grow, bound={"page": 5, "api": 1},
    )  # fmt: skip


# --- The API -----------------------------------------------------------------------------------


def test_the_api_lists_counts_and_marks_read(member, space):
    post = PostFactory(author=member, space=space, title="Kites")
    make_comments(post, 2)
    ana = UserFactory(display_name="Ana")
    tasks.like_added(UserFactory().pk, "post", post.pk, member.pk)
    tasks.like_added(ana.pk, "post", post.pk, member.pk)
    api = api_as(member)
    body = api.get("/api/v1/notifications/", {"size": 2}).json()
    first = body["results"][0]
    assert first["kind"] == "like" and first["others"] == 1
    assert first["text"] == "Ana and 1 other liked your post “Kites”"
    assert first["actor"]["display_name"] == "Ana" and first["is_read"] is False
    rest = api.get("/api/v1/notifications/", {"cursor": body["next_cursor"]}).json()
    assert len(body["results"]) + len(rest["results"]) == 3
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 3}
    read = api.post(f"/api/v1/notifications/{first['id']}/read/").json()
    assert read["is_read"] is True and read["read_at"]
    unread = api.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert len(unread) == 2
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_a_notification_of_a_post_deleted_or_hidden_since_says_so(
    member, other_member, member_client, space, committed
):
    liked = PostFactory(author=member, space=space, title="Seeds")
    committed(community.like, other_member, target=liked)
    post = PostFactory(author=other_member, space=space, title="Beans")
    committed(community.create_comment, other_member, post=post, body=f"Hey @{member.handle}")
    like, mention = Notification.objects.filter(recipient=member).order_by("pk")
    assert (like.target_type, mention.target_type) == ("post", "comment")
    for notification, shown in ((like, liked), (mention, post)):
        opened = member_client.get(reverse("messaging:open", args=[notification.pk]))
        assert opened.url.startswith(reverse("community:post", args=[shown.pk]))
    for change in (
        {"hidden_at": post.created_at},
        {"hidden_at": None, "deleted_at": post.created_at},
    ):
        Post.objects.update(**change)
        for notification in (like, mention):
            response = member_client.get(
                reverse("messaging:open", args=[notification.pk]), follow=True
            )
            assert "no longer there" in page_text(response), (change, notification.kind)
