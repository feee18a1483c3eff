import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community import audit, selectors, services
from community.models import AuditEntry, Comment, Post, Space
from tests.factories import AdminFactory, PaidSpaceFactory, PostFactory, UserFactory
from tests.helpers import api_as, assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(space, other_member):
    return Post.objects.create(
        space=space, author=other_member, body="Hello", body_html="<p>Hello</p>"
    )


def comment_on(post, author, body="A comment", parent=None, **fields):
    return Comment.objects.create(
        post=post, author=author, body=body, body_html=f"<p>{body}</p>", parent=parent, **fields
    )


# --- The service ----------------------------------------------------------------------------


def test_a_member_comments_and_the_post_counts_it(member, post, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.create_comment(member, post=post, body="Nice **post**")
    assert comment.body_html.strip() == "<p>Nice <strong>post</strong></p>"
    post.refresh_from_db()
    assert post.comment_count == 1


def test_a_reply_to_a_reply_attaches_to_the_top_level_comment(member, other_member, post):
    top = services.create_comment(member, post=post, body="Top")
    reply = services.create_comment(other_member, post=post, body="Reply", parent=top)
    deeper = services.create_comment(member, post=post, body="Reply to reply", parent=reply)
    assert reply.parent == top
    assert deeper.parent == top


def test_a_reply_three_levels_deep_is_flattened_to_two(member, post):
    top = comment_on(post, member, "Top")
    # Even a row made three levels deep by hand: a reply to it joins its own parent.
    middle = comment_on(post, member, "Middle", parent=top)
    third = comment_on(post, member, "Third", parent=middle)
    fourth = services.create_comment(member, post=post, body="Fourth", parent=third)
    assert fourth.parent_id == middle.pk
    fifth = services.create_comment(member, post=post, body="Fifth", parent=middle)
    assert fifth.parent_id == top.pk


def test_a_reply_to_a_comment_on_another_post_or_a_deleted_one_is_refused(member, post, space):
    elsewhere = Post.objects.create(space=space, author=member, body="x", body_html="x")
    foreign = comment_on(elsewhere, member)
    deleted = comment_on(post, member, deleted_at=timezone.now())
    for parent in (foreign, deleted):
        with pytest.raises(ValidationError) as error:
            services.create_comment(member, post=post, body="Hi", parent=parent)
        assert "parent" in error.value.message_dict


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 50_001])
def test_an_empty_or_too_long_body_is_refused(member, post, body):
    with pytest.raises(ValidationError) as error:
        services.create_comment(member, post=post, body=body)
    assert "body" in error.value.message_dict
    assert not Comment.objects.exists()


def test_a_body_of_exactly_50000_characters_is_accepted(member, post):
    assert len(services.create_comment(member, post=post, body="x" * 50_000).body) == 50_000


def test_xss_in_a_comment_never_reaches_the_page(member, member_client, post):
    vectors = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    services.create_comment(member, post=post, body=vectors)
    html = member_client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html and '<img src="x" onerror' not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)" in html  # shown as text


def test_invisible_hidden_or_deleted_posts_take_no_comments(member, moderator, post):
    secret = PostFactory(space=PaidSpaceFactory(), author=moderator, body="s")
    with pytest.raises(Http404):
        services.create_comment(member, post=secret, body="Let me in")
    post.deleted_at = timezone.now()
    with pytest.raises(Http404):
        services.create_comment(member, post=post, body="Hi")
    post.deleted_at, post.hidden_at = None, timezone.now()
    with pytest.raises(Http404):
        services.create_comment(member, post=post, body="Hi")
    with pytest.raises(PermissionDenied):  # moderators see hidden posts but may not comment
        services.create_comment(moderator, post=post, body="Hi")


def test_a_banned_member_may_not_comment(member, moderator, post):
    services.ban_member(moderator, member=member, reason="spam")
    with pytest.raises((PermissionDenied, Http404)):
        services.create_comment(member, post=post, body="Hi")


def test_only_the_author_edits_and_the_comment_shows_edited(member, other_member, moderator, post):
    comment = services.create_comment(member, post=post, body="Frist")
    for intruder in (other_member, moderator):
        with pytest.raises(PermissionDenied):
            services.edit_comment(intruder, comment=comment, body="Hacked")
    services.edit_comment(member, comment=comment, body="First")
    comment.refresh_from_db()
    assert comment.body == "First" and comment.edited_at is not None


def test_authors_and_moderators_delete_others_do_not(member, other_member, moderator, post):
    mine = services.create_comment(member, post=post, body="Mine")
    theirs = services.create_comment(other_member, post=post, body="Theirs")
    with pytest.raises(PermissionDenied):
        services.delete_comment(member, comment=theirs)
    services.delete_comment(member, comment=mine)
    services.delete_comment(moderator, comment=theirs)
    assert Comment.objects.filter(deleted_at__isnull=True).count() == 0
    with pytest.raises(Http404):  # already deleted
        services.delete_comment(member, comment=mine)


def test_a_deleted_comment_is_announced_after_commit(
    member, moderator, post, domain_signals, django_capture_on_commit_callbacks
):
    comment = services.create_comment(member, post=post, body="Oops")
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_comment(moderator, comment=comment)
    assert domain_signals.of("comment_removed") == [
        {"comment_id": comment.pk, "post_id": post.pk, "author_id": member.pk, "reason": "deleted"}
    ]


def test_a_deleted_comment_with_replies_shows_as_deleted_and_keeps_them(
    member, other_member, member_client, post
):
    top = services.create_comment(member, post=post, body="Original thought")
    services.create_comment(other_member, post=post, body="A reply worth keeping", parent=top)
    lonely = services.create_comment(member, post=post, body="Nobody answered this")
    services.delete_comment(member, comment=top)
    services.delete_comment(member, comment=lonely)

    threads = selectors.comments_for(member, post).items
    assert [(c.pk, c.is_deleted, len(c.thread)) for c in threads] == [(top.pk, True, 1)]
    html = member_client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert "This comment was deleted." in html
    assert "A reply worth keeping" in html
    assert "Original thought" not in html and "Nobody answered this" not in html


def test_creating_a_comment_sends_its_events_after_commit(
    member, other_member, post, live_events, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.create_comment(member, post=post, body=f"Hey @{other_member.handle}")
    assert live_events.to(f"post:{post.pk}") == [(f"post:{post.pk}", "comment.created",
                            {"id": comment.pk, "post_id": post.pk, "parent_id": None})]  # fmt: skip
    assert ("comment_created", {"comment_id": comment.pk, "post_id": post.pk,
            "author_id": member.pk, "parent_id": None,
            "post_author_id": other_member.pk}) in domain_signals  # fmt: skip
    assert any(kw["member_id"] == other_member.pk for kw in domain_signals.of("member_mentioned"))
    assert list(comment.mentions.all()) == [other_member]


# --- The page -------------------------------------------------------------------------------


def test_the_post_page_shows_comments_and_a_form(member_client, member, other_member, post):
    top = services.create_comment(other_member, post=post, body="First!")
    services.create_comment(member, post=post, body="Welcome", parent=top)
    response = member_client.get(reverse("community:post", args=[post.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-live-topic="post:{post.pk}"' in html
    assert "First!" in html and "Welcome" in html
    assert 'id="comment-new"' in html
    assert f'id="reply-{top.pk}"' in html
    assert "2 comments" in html


def test_visitors_and_outsiders_get_404_for_a_private_post(client, post):
    assert client.get(reverse("community:post", args=[post.pk])).status_code == 404
    assert client.get(reverse("community:post", args=[99999])).status_code == 404


def test_commenting_without_javascript_redirects_to_the_comment(member_client, post):
    response = member_client.post(reverse("community:post_comments", args=[post.pk]),
                                  {"body": "Plain form"})  # fmt: skip
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/posts/{post.pk}/#comment-{comment.pk}")


def test_commenting_with_htmx_returns_the_refreshed_threads(member_client, post):
    response = member_client.post(reverse("community:post_comments", args=[post.pk]),
                                  {"body": "Via htmx"}, HTTP_HX_REQUEST="true")  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="comments__threads" id="comment-threads"')
    assert "Via htmx" in html and "1 comment" in html


def test_a_bad_comment_shows_the_form_again_with_the_error(member_client, post):
    url = reverse("community:post_comments", args=[post.pk])
    response = member_client.post(url, {"body": "  "})
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    response = member_client.post(url, {"body": "x" * 50_001}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#comment-new"
    assert "50,000" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_with_a_parent_on_another_post_is_refused(member_client, member, space, post):
    elsewhere = Post.objects.create(space=space, author=member, body="x", body_html="x")
    foreign = comment_on(elsewhere, member)
    url = reverse("community:post_comments", args=[post.pk])
    response = member_client.post(url, {"body": "Hi", "parent": foreign.pk}, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == f"#reply-{foreign.pk}"
    assert post.comments.count() == 0


def test_edit_and_delete_through_the_page(member_client, member, other_member, post):
    comment = services.create_comment(member, post=post, body="Typo")
    response = member_client.post(reverse("community:edit_comment", args=[comment.pk]),
                                  {"body": "Fixed"}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200
    assert "Fixed" in response.content.decode() and "edited" in response.content.decode()
    theirs = services.create_comment(other_member, post=post, body="Not yours")
    response = member_client.post(reverse("community:delete_comment", args=[theirs.pk]))
    assert response.status_code == 403
    response = member_client.post(reverse("community:delete_comment", args=[comment.pk]))
    assert response.status_code == 302
    assert Comment.objects.filter(deleted_at__isnull=False).get() == comment


def test_moderators_see_delete_on_every_comment_members_only_on_their_own(
    client, member, other_member, moderator, post
):
    mine = services.create_comment(member, post=post, body="Mine")
    theirs = services.create_comment(other_member, post=post, body="Theirs")
    url = reverse("community:post", args=[post.pk])
    client.force_login(member)
    html = client.get(url).content.decode()
    assert reverse("community:delete_comment", args=[mine.pk]) in html
    assert reverse("community:delete_comment", args=[theirs.pk]) not in html
    assert reverse("community:edit_comment", args=[theirs.pk]) not in html
    client.force_login(moderator)
    html = client.get(url).content.decode()
    assert reverse("community:delete_comment", args=[theirs.pk]) in html
    assert reverse("community:edit_comment", args=[theirs.pk]) not in html


def test_a_later_page_of_comments_loads_with_a_cursor(member_client, member, post):
    for n in range(25):
        comment_on(post, member, f"Comment number {n}")
    html = member_client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert "Comment number 24" in html and "Comment number 4" not in html
    assert "Show older comments" in html
    cursor = selectors.comments_for(member, post).next_cursor
    response = member_client.get(reverse("community:post_comments", args=[post.pk]),
                                 {"cursor": cursor}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert "Comment number 4" in response.content.decode()
    bad = member_client.get(reverse("community:post", args=[post.pk]), {"cursor": "nonsense"})
    assert bad.status_code == 400


def test_the_post_page_costs_the_same_queries_with_100_comments_as_with_5(
    member, moderator, client
):
    space = Space.objects.create(name="Busy", slug="busy", visibility="members")
    post = Post.objects.create(space=space, author=member, body="p", body_html="p")
    authors = [UserFactory() for _ in range(4)]
    client.force_login(member)
    moderators_client = Client()
    moderators_client.force_login(moderator)

    def add_comments(count):
        tops = []
        for n in range(count):
            parent = tops[n % len(tops)] if n % 2 and tops else None
            comment = comment_on(post, authors[n % 4], f"c{n}", parent=parent)
            if parent is None:
                tops.append(comment)
        services.delete_comment(AdminFactory(), comment=tops[0])  # a "deleted" placeholder
        services.hide_comment(moderator, comment=tops[1])  # a "hidden" one (and its replies)
        services.hide_comment(moderator, comment=comment)  # a hidden reply or comment

    add_comments(5)
    url = reverse("community:post", args=[post.pk])
    # Session and member (2), the post with space and author (1), the viewer's like of the
    # post (1), a page of threads with authors (1), their replies with authors (1), the
    # viewer's likes of those comments (1), the shown comment count (1), plus whatever
    # base.html's sidebar and context add (a few, fixed; a moderator's the open reports).
    # Warmed up: run alone, the first count would also read the post's content type.
    assert_constant_queries(
        {"member": lambda: client.get(url), "moderator": lambda: moderators_client.get(url)},
        grow=lambda: add_comments(95),
        bound={"member": 16, "moderator": 17},
        warm_up=True,
    )


# --- The API --------------------------------------------------------------------------------


def test_api_lists_threads_with_replies_nested(member, other_member, post):
    top = services.create_comment(other_member, post=post, body="Top")
    services.create_comment(member, post=post, body="Reply", parent=top)
    gone = services.create_comment(member, post=post, body="Gone")
    services.create_comment(other_member, post=post, body="Kept", parent=gone)
    services.delete_comment(member, comment=gone)
    response = api_as(member).get(reverse("api-post-comments", args=[post.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["next_cursor"] is None
    deleted, first = data["results"]
    assert (deleted["deleted"], deleted["author"], deleted["body"]) == (True, None, "")
    assert [r["body"] for r in deleted["replies"]] == ["Kept"]
    assert first["body"] == "Top" and first["author"]["id"] == other_member.pk
    assert first["can_edit"] is False and first["replies"][0]["can_edit"] is True


def test_api_pages_with_a_cursor_and_rejects_a_bad_one(member, post):
    for n in range(5):
        comment_on(post, member, f"c{n}")
    client = api_as(member)
    url = reverse("api-post-comments", args=[post.pk])
    first = client.get(url, {"size": 3}).json()
    second = client.get(url, {"size": 3, "cursor": first["next_cursor"]}).json()
    bodies = [c["body"] for c in first["results"] + second["results"]]
    assert bodies == ["c4", "c3", "c2", "c1", "c0"] and second["next_cursor"] is None
    bad = client.get(url, {"cursor": "!!"})
    assert bad.status_code == 400 and "cursor" in bad.json()["fields"]


def test_api_creates_edits_and_deletes_a_comment(member, other_member, post):
    client = api_as(member)
    url = reverse("api-post-comments", args=[post.pk])
    response = client.post(url, {"body": "Hello <b>there</b>"}, format="json")
    assert response.status_code == 201
    created = response.json()
    assert "<b>" not in created["body_html"] and created["can_edit"] is True
    reply = client.post(url, {"body": "Me again", "parent": created["id"]}, format="json").json()
    assert reply["parent_id"] == created["id"]
    detail = reverse("api-comment", args=[created["id"]])
    edited = client.patch(detail, {"body": "Hello there"}, format="json").json()
    assert edited["body"] == "Hello there" and edited["edited_at"] is not None
    assert api_as(other_member).patch(detail, {"body": "x"}, format="json").status_code == 403
    assert api_as(other_member).delete(detail).status_code == 403
    assert client.delete(detail).status_code == 204
    assert client.delete(detail).status_code == 404


def test_api_rejects_bad_bodies_and_parents_by_field(member, post):
    client = api_as(member)
    url = reverse("api-post-comments", args=[post.pk])
    for payload, field in [({"body": ""}, "body"), ({"body": "x" * 50_001}, "body"),
                           ({"body": "hi", "parent": 123456}, "parent")]:  # fmt: skip
        response = client.post(url, payload, format="json")
        assert response.status_code == 400
        assert field in response.json()["fields"]
    assert not Comment.objects.exists()


def test_api_hides_comments_of_posts_the_member_may_not_see(member, moderator):
    secret = PostFactory(space=PaidSpaceFactory(), author=moderator, body="s")
    comment = comment_on(secret, moderator, "secret talk")
    client = api_as(member)
    assert client.get(reverse("api-post-comments", args=[secret.pk])).status_code == 404
    assert client.post(reverse("api-post-comments", args=[secret.pk]), {"body": "hi"},
                       format="json").status_code == 404  # fmt: skip
    assert client.patch(reverse("api-comment", args=[comment.pk]), {"body": "x"},
                        format="json").status_code == 404  # fmt: skip


def test_the_api_list_costs_the_same_queries_for_n_and_2n_threads(member, space):
    authors = [UserFactory() for _ in range(3)]
    post = Post.objects.create(space=space, author=member, body="p", body_html="p")
    client = api_as(member)

    def add_threads(count):
        for n in range(count):
            top = comment_on(post, authors[n % 3], f"t{n}")
            comment_on(post, authors[(n + 1) % 3], f"r{n}", parent=top)

    add_threads(8)
    # The post (1), the viewer's tiers for access (at most 1), a page of threads with
    # authors (1), their replies with authors (1), the viewer's likes of all of them (1).
    few, many = assert_constant_queries(
        lambda: client.get(reverse("api-post-comments", args=[post.pk])),
        grow=lambda: add_threads(8),
        bound=6,
    )
    assert (len(few.json()["results"]), len(many.json()["results"])) == (8, 16)


# --- Hidden by a moderator -----------------------------------------------------------------


def test_only_moderators_hide_and_unhide_a_comment_audited(member, other_member, moderator, post):
    comment = services.create_comment(other_member, post=post, body="Borderline")
    with pytest.raises(PermissionDenied):
        services.hide_comment(member, comment=comment)
    services.hide_comment(moderator, comment=comment, reason="Off-topic")
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    with pytest.raises(Http404):  # a member may not even see it now
        services.unhide_comment(member, comment=comment)
    services.unhide_comment(moderator, comment=comment)
    comment.refresh_from_db()
    assert comment.hidden_at is None
    entries = AuditEntry.objects.order_by("id").values_list("actor", "action", "reason")
    assert list(entries) == [
        (moderator.pk, audit.COMMENT_HIDE, "Off-topic"),
        (moderator.pk, audit.COMMENT_UNHIDE, "Unhid a comment"),
    ]


def test_hiding_and_unhiding_a_comment_are_announced_and_counted_after_commit(
    member, moderator, post, live_events, domain_signals, django_capture_on_commit_callbacks
):
    comment = services.create_comment(member, post=post, body="Borderline")
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_comment(moderator, comment=comment)
        services.hide_comment(moderator, comment=comment)  # already hidden: nothing new
    post.refresh_from_db()
    assert post.comment_count == 0  # the count is the members'
    ids = {"comment_id": comment.pk, "post_id": post.pk, "author_id": member.pk}
    assert domain_signals.of("comment_removed") == [{**ids, "reason": "hidden"}]
    assert (f"post:{post.pk}", "comment.updated",
            {"id": comment.pk, "post_id": post.pk}) in live_events  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.unhide_comment(moderator, comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 1
    assert domain_signals.of("comment_restored") == [ids]


def test_a_hidden_comment_is_gone_for_members_and_marked_for_moderators(
    member, other_member, moderator, client, post
):
    services.create_comment(member, post=post, body="Kept for all")
    hidden = services.create_comment(member, post=post, body="Selling watches")
    services.hide_comment(moderator, comment=hidden)
    url = reverse("community:post", args=[post.pk])
    for viewer in (other_member, member):  # its author too, as for a hidden post
        client.force_login(viewer)
        html = client.get(url).content.decode()
        assert "Kept for all" in html and "Selling watches" not in html
        assert "1 comment" in html and "Hidden from members" not in html
        api = api_as(viewer)
        bodies = [c["body"] for c in api.get(reverse("api-post-comments", args=[post.pk])).json()
                  ["results"]]  # fmt: skip
        assert bodies == ["Kept for all"]
        assert api.post(reverse("api-comment-like", args=[hidden.pk])).status_code == 404
        assert api.patch(reverse("api-comment", args=[hidden.pk]), {"body": "x"},
                         format="json").status_code == 404  # fmt: skip
    client.force_login(moderator)
    html = client.get(url).content.decode()
    assert "Selling watches" in html and "Hidden from members" in html
    threads = api_as(moderator).get(reverse("api-post-comments", args=[post.pk])).json()
    newest = threads["results"][0]
    assert newest["body"] == "Selling watches" and newest["hidden_at"] is not None


def test_a_hidden_comment_keeps_its_replies_as_a_placeholder_for_members(
    member, other_member, moderator, member_client, post
):
    top = services.create_comment(other_member, post=post, body="Selling watches")
    services.create_comment(member, post=post, body="Please don't", parent=top)
    services.hide_comment(moderator, comment=top)
    html = member_client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert "A moderator hid this comment." in html and "Please don&#x27;t" in html
    assert "Selling watches" not in html and f'id="reply-{top.pk}"' not in html
    (thread,) = api_as(member).get(reverse("api-post-comments", args=[post.pk])).json()["results"]
    assert (thread["author"], thread["body"], thread["body_html"]) == (None, "", "")
    assert thread["hidden_at"] is not None and thread["deleted"] is False
    assert [reply["body"] for reply in thread["replies"]] == ["Please don't"]
    with pytest.raises(ValidationError) as refused:  # nobody replies to what is hidden
        services.create_comment(moderator, post=post, body="Hm", parent=top)
    assert "parent" in refused.value.message_dict


def test_a_hidden_reply_leaves_its_thread_for_members(member, other_member, moderator, post):
    top = services.create_comment(member, post=post, body="Top")
    reply = services.create_comment(other_member, post=post, body="Rude", parent=top)
    services.hide_comment(moderator, comment=reply)
    (thread,) = selectors.comments_for(member, post).items
    assert thread.pk == top.pk and thread.thread == []
    (thread,) = selectors.comments_for(moderator, post).items
    assert [(r.pk, r.withheld) for r in thread.thread] == [(reply.pk, False)]


def test_moderators_hide_and_show_again_from_the_comment(
    client, member, other_member, moderator, post
):
    comment = services.create_comment(other_member, post=post, body="Borderline")
    hide_url = reverse("community:hide_comment", args=[comment.pk])
    client.force_login(member)
    assert hide_url not in client.get(reverse("community:post", args=[post.pk])).content.decode()
    assert client.post(hide_url).status_code == 403
    client.force_login(moderator)
    assert hide_url in client.get(reverse("community:post", args=[post.pk])).content.decode()
    response = client.post(hide_url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Hidden from members" in html
    assert reverse("community:unhide_comment", args=[comment.pk]) in html
    response = client.post(reverse("community:unhide_comment", args=[comment.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/posts/{post.pk}/#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_api_hides_and_unhides_a_comment_for_moderators_only(member, other_member, moderator,
                                                             post):  # fmt: skip
    comment = services.create_comment(other_member, post=post, body="Borderline")
    hide, unhide = (
        reverse(f"api-comment-{verb}", args=[comment.pk]) for verb in ("hide", "unhide")
    )
    assert api_as(member).post(hide).status_code == 403
    answer = api_as(moderator).post(hide)
    assert answer.status_code == 200 and answer.json()["hidden_at"] is not None
    assert api_as(member).post(unhide).status_code == 404  # hidden: not theirs to see
    assert api_as(moderator).post(unhide).json()["hidden_at"] is None
