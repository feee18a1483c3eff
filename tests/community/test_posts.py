"""Posts: writing, editing, deleting, hiding and pinning them, through the services, the
pages and the API."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from community import services, signals, tasks
from community.models import AuditEntry, Hashtag, Post, SpaceVisit
from tests.factories import UserFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db

XSS_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>'
XSS_BODY = (
    '<script>alert("b")</script>\n\n<img src=x onerror="alert(2)">\n\n'
    '[click](javascript:alert(3)) <a href="javascript:alert(4)">x</a>'
)


@pytest.fixture
def spaces(admin, pro):
    make = services.create_space
    return {
        "general": make(admin, name="General", visibility="members"),
        "public": make(admin, name="Announcements", visibility="public", post_permission="admins"),
        "paid": make(admin, name="Pro lounge", visibility="paid", required_tier=pro),
        "mods": make(admin, name="Mods", visibility="members", post_permission="moderators"),
    }  # fmt: skip


@pytest.fixture
def general(spaces):
    return spaces["general"]


def ban(member):
    member.banned_at = timezone.now()
    member.save(update_fields=["banned_at"])


# --- Creating -------------------------------------------------------------------------


def test_a_member_posts_in_a_space_with_an_optional_title(member, general):
    post = services.create_post(member, space=general, body="Hello **everyone**", title="  Hi ")
    post.refresh_from_db()
    assert post.author == member and post.space == general
    assert post.title == "Hi"
    assert "<strong>everyone</strong>" in post.body_html
    untitled = services.create_post(member, space=general, body="No title here")
    assert untitled.title == ""


def test_an_empty_or_blank_body_is_refused(member, general):
    for body in ("", "   \n\t "):
        with pytest.raises(ValidationError) as error:
            services.create_post(member, space=general, body=body)
        assert "body" in error.value.message_dict
    assert not Post.objects.exists()


def test_a_body_of_50001_characters_is_refused_but_50000_is_fine(member, general):
    with pytest.raises(ValidationError) as error:
        services.create_post(member, space=general, body="a" * 50_001)
    assert "body" in error.value.message_dict
    services.create_post(member, space=general, body="a" * 50_000)
    assert Post.objects.count() == 1


def test_a_title_over_200_characters_is_refused(member, general):
    with pytest.raises(ValidationError) as error:
        services.create_post(member, space=general, body="ok", title="t" * 201)
    assert "title" in error.value.message_dict


def test_posting_where_only_moderators_or_admins_post_is_forbidden(member, moderator, spaces):
    with pytest.raises(PermissionDenied):
        services.create_post(member, space=spaces["mods"], body="Let me in")
    with pytest.raises(PermissionDenied):
        services.create_post(moderator, space=spaces["public"], body="Admins only")
    assert services.create_post(moderator, space=spaces["mods"], body="Fine").pk


def test_posting_in_a_space_the_member_cannot_see_or_a_deleted_one_is_not_found(
    admin, member, spaces
):
    with pytest.raises(Http404):
        services.create_post(member, space=spaces["paid"], body="Sneaking in")
    services.delete_space(admin, space=spaces["general"])
    with pytest.raises(Http404):
        services.create_post(member, space=spaces["general"], body="Anyone here?")
    assert not Post.objects.exists()


def test_a_banned_member_cannot_post(member, general):
    ban(member)
    with pytest.raises((PermissionDenied, Http404)):
        services.create_post(member, space=general, body="I'm back")
    assert not Post.objects.exists()


class _Unsafe(HTMLParser):
    """Collects what a browser would run: script elements, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def unsafe_parts(html):
    parser = _Unsafe()
    parser.feed(html)
    return parser.found


def test_xss_in_title_and_body_never_reaches_the_page(member, general, client):
    post = services.create_post(member, space=general, body=XSS_BODY, title=XSS_TITLE)
    assert unsafe_parts(post.body_html) == []
    client.force_login(UserFactory())
    html = client.get(reverse("community:space", args=[general.slug])).content.decode()
    assert unsafe_parts(html) == []
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    data = api_as(UserFactory()).get(f"/api/v1/posts/{post.pk}/").json()
    assert data["title"] == XSS_TITLE.strip()  # JSON carries the text; clients escape it
    assert unsafe_parts(data["body_html"]) == []


def test_mentions_and_hashtags_are_stored_and_announced_after_commit(
    member, other_member, general, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = services.create_post(
            member,
            space=general,
            body=f"Hi @{other_member.handle} and @{member.handle} #Django #python #django",
        )
    assert set(post.hashtags.values_list("name", flat=True)) == {"django", "python"}
    assert set(post.mentions.all()) == {other_member, member}
    # The author mentioning themself is not announced.
    assert domain_signals.of(signals.member_mentioned) == [
        {"member_id": other_member.pk, "by_id": member.pk, "post_id": post.pk, "comment_id": None}
    ]
    services.create_post(member, space=general, body="More #django")
    assert Hashtag.objects.filter(name="django").count() == 1


def test_the_new_post_event_and_signal_go_out_only_after_commit(
    member, general, live_events, domain_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = services.create_post(member, space=general, body="News")
    assert live_events == [] and domain_signals == []
    for callback in callbacks:
        callback()
    assert live_events.to(f"space:{general.pk}") == [
        (f"space:{general.pk}", "post.created", {"id": post.pk})
    ]
    created = domain_signals.of(signals.post_created)
    assert created[0]["post_id"] == post.pk
    assert created[0]["author_id"] == member.pk and created[0]["space_id"] == general.pk


# --- Editing and deleting --------------------------------------------------------------


def test_the_author_edits_their_post_and_it_shows_edited(member, general, client):
    post = services.create_post(member, space=general, body="First", title="Old")
    services.edit_post(member, post=post, body="Second #edited", title="New")
    post.refresh_from_db()
    assert post.title == "New" and "Second" in post.body_html and post.edited_at is not None
    assert list(post.hashtags.values_list("name", flat=True)) == ["edited"]
    client.force_login(member)
    html = client.get(reverse("community:space", args=[general.slug])).content.decode()
    assert "edited" in html and "New" in html


def test_another_member_cannot_edit_or_delete_a_post(member, other_member, general):
    post = services.create_post(member, space=general, body="Mine")
    with pytest.raises(PermissionDenied):
        services.edit_post(other_member, post=post, body="Yours now")
    with pytest.raises(PermissionDenied):
        services.delete_post(other_member, post=post)
    post.refresh_from_db()
    assert post.body == "Mine" and post.deleted_at is None


def test_an_edit_is_validated_like_a_new_post(member, general):
    post = services.create_post(member, space=general, body="Fine")
    with pytest.raises(ValidationError):
        services.edit_post(member, post=post, body=" ")
    with pytest.raises(ValidationError):
        services.edit_post(member, post=post, body="x" * 50_001)


def test_a_moderator_edits_and_deletes_any_post_with_an_audit_entry(member, moderator, general):
    post = services.create_post(member, space=general, body="Spam spam")
    services.edit_post(moderator, post=post, body="[removed]")
    services.delete_post(moderator, post=post)
    post.refresh_from_db()
    assert post.deleted_at is not None
    actions = list(AuditEntry.objects.filter(actor=moderator).values_list("action", flat=True))
    assert len(actions) == 2 and all("post" in action for action in actions)


def test_the_author_deletes_their_own_post_softly_without_an_audit_entry(member, general):
    post = services.create_post(member, space=general, body="Oops")
    services.delete_post(member, post=post)
    assert Post.objects.filter(pk=post.pk, deleted_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(actor=member).exists()
    with pytest.raises(Http404):
        services.edit_post(member, post=post, body="Back")


# --- Hiding and pinning ----------------------------------------------------------------


def test_only_moderators_pin_and_hide(member, moderator, general):
    post = services.create_post(member, space=general, body="Pin me")
    for action in (services.pin_post, services.hide_post):
        with pytest.raises(PermissionDenied):
            action(member, post=post)
    services.pin_post(moderator, post=post)
    services.hide_post(moderator, post=post)
    post.refresh_from_db()
    assert post.pinned_at is not None and post.hidden_at is not None
    services.unpin_post(moderator, post=post)
    services.unhide_post(moderator, post=post)
    post.refresh_from_db()
    assert post.pinned_at is None and post.hidden_at is None
    assert AuditEntry.objects.filter(actor=moderator).count() == 4


def test_deleting_hiding_and_unhiding_a_post_are_announced_after_commit(
    member, moderator, general, domain_signals, django_capture_on_commit_callbacks
):
    hidden = services.create_post(member, space=general, body="Borderline")
    deleted = services.create_post(member, space=general, body="Regret")
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(moderator, post=hidden)
        services.hide_post(moderator, post=hidden)  # already hidden: nothing new
        services.pin_post(moderator, post=hidden)  # not a change of who sees it
        services.unhide_post(moderator, post=hidden)
        services.delete_post(member, post=deleted)
    removed = domain_signals.of(signals.post_removed)
    assert removed == [
        {"post_id": hidden.pk, "author_id": member.pk, "reason": "hidden"},
        {"post_id": deleted.pk, "author_id": member.pk, "reason": "deleted"},
    ]
    assert domain_signals.of(signals.post_restored) == [
        {"post_id": hidden.pk, "author_id": member.pk}
    ]


def test_a_hidden_post_is_gone_for_members_but_moderators_still_see_it(
    member, other_member, moderator, general
):
    post = services.create_post(member, space=general, body="Borderline")
    services.hide_post(moderator, post=post)
    assert api_as(other_member).get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert api_as(moderator).get(f"/api/v1/posts/{post.pk}/").json()["hidden_at"]


# --- Pages -----------------------------------------------------------------------------


def test_composing_on_the_feed_page_creates_the_post_and_redirects(member_client, general):
    response = member_client.post(
        reverse("community:feed"), {"space": general.slug, "title": "", "body": "From the page"}
    )
    assert response.status_code == 302
    assert Post.objects.get().body == "From the page"


def test_compose_errors_show_inline_and_nothing_is_saved(member_client, general, spaces):
    response = member_client.post(reverse("community:feed"), {"space": general.slug, "body": " "})
    assert response.status_code == 400
    assert "Write something before posting." in response.content.decode()
    # A space the member may not post in is not even a choice.
    response = member_client.post(
        reverse("community:feed"), {"space": spaces["mods"].slug, "body": "Hi"}
    )
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_the_compose_space_picker_lists_postable_spaces_and_keeps_the_choice(
    member_client, general, spaces
):
    page = member_client.get(reverse("community:feed")).content.decode()
    picker = page[page.index('<select name="space" id="id_space">') :]
    picker = picker[: picker.index("</select>")]
    assert '<option value="" selected>Choose a space</option>' in picker
    assert '<option value="general">General</option>' in picker
    assert 'value="mods"' not in picker and 'value="announcements"' not in picker  # no posting
    kept = member_client.post(reverse("community:feed"), {"space": general.slug, "body": " "})
    assert '<option value="general" selected>General</option>' in kept.content.decode()
    missing = member_client.post(reverse("community:feed"), {"body": "Hi"}).content.decode()
    assert 'id="id_space" aria-invalid="true" aria-describedby="id_space_error"' in missing
    assert '<p class="error" id="id_space_error">Choose a space to post in.</p>' in missing


def test_composing_on_a_space_page(member_client, general, spaces):
    url = reverse("community:space", args=[general.slug])
    assert member_client.post(url, {"title": "T", "body": "In the space"}).status_code == 302
    assert Post.objects.get().space == general
    # No form where the member may not post, and a POST is refused.
    mods_url = reverse("community:space", args=[spaces["mods"].slug])
    assert 'name="body"' not in member_client.get(mods_url).content.decode()
    assert member_client.post(mods_url, {"body": "Hi"}).status_code == 400
    assert Post.objects.count() == 1


def test_visitors_are_sent_to_sign_in_to_post(client, spaces):
    response = client.post(reverse("community:feed"), {"space": "x", "body": "Hi"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_space_page_records_the_visit_by_a_task_after_the_response(
    member_client, member, general, django_capture_on_commit_callbacks
):
    url = reverse("community:space", args=[general.slug])
    with django_capture_on_commit_callbacks() as enqueued:
        member_client.get(url)
    assert len(enqueued) == 1 and not SpaceVisit.objects.exists()  # not in the request
    enqueued[0]()
    # A later visit moves it forward (written at most once a minute: test_sidebar.py).
    SpaceVisit.objects.update(last_visited_at=timezone.now() - timedelta(minutes=2))
    first = SpaceVisit.objects.get(user=member, space=general).last_visited_at
    with django_capture_on_commit_callbacks(execute=True):
        member_client.get(url)
    assert SpaceVisit.objects.get(user=member, space=general).last_visited_at > first
    assert SpaceVisit.objects.count() == 1


def test_a_late_visit_task_never_moves_the_visit_back(member, general):
    now = timezone.now()
    tasks.record_space_visit(member.pk, general.pk, now.isoformat())
    tasks.record_space_visit(member.pk, general.pk, (now - timedelta(minutes=5)).isoformat())
    assert SpaceVisit.objects.get(user=member, space=general).last_visited_at == now


def test_a_space_the_member_cannot_see_is_not_found(member_client, spaces, admin):
    assert member_client.get(reverse("community:space", args=["paid"])).status_code == 404
    assert member_client.get(reverse("community:space", args=["nope"])).status_code == 404
    services.delete_space(admin, space=spaces["general"])
    assert member_client.get(reverse("community:space", args=["general"])).status_code == 404


def test_the_edit_page_for_the_author_and_not_for_others(member, other_member, general, client):
    post = services.create_post(member, space=general, body="Draft")
    url = reverse("community:edit_post", args=[post.pk])
    client.force_login(other_member)
    assert client.get(url).status_code == 403
    client.force_login(member)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "", "body": ""}).status_code == 400
    assert client.post(url, {"title": "Final", "body": "Done"}).status_code == 302
    post.refresh_from_db()
    assert post.title == "Final" and post.edited_at


def test_moderation_buttons_on_the_card_work_with_and_without_htmx(member, moderator, general,
                                                                    client):  # fmt: skip
    post = services.create_post(member, space=general, body="Rules")
    client.force_login(moderator)
    space_url = reverse("community:space", args=[general.slug])
    html = client.get(space_url).content.decode()
    assert reverse("community:pin_post", args=[post.pk]) in html
    response = client.post(reverse("community:pin_post", args=[post.pk]), {"next": space_url})
    assert response.status_code == 302 and response["Location"] == space_url
    response = client.post(reverse("community:hide_post", args=[post.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Hidden from members" in response.content.decode()
    response = client.post(reverse("community:delete_post", args=[post.pk]),
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and response.content == b""
    post.refresh_from_db()
    assert post.pinned_at and post.hidden_at and post.deleted_at


def test_members_see_no_moderation_buttons_and_cannot_use_them(member, other_member, general,
                                                               client):  # fmt: skip
    post = services.create_post(other_member, space=general, body="Theirs")
    client.force_login(member)
    html = client.get(reverse("community:space", args=[general.slug])).content.decode()
    assert reverse("community:pin_post", args=[post.pk]) not in html
    assert reverse("community:delete_post", args=[post.pk]) not in html
    assert client.post(reverse("community:pin_post", args=[post.pk])).status_code == 403
    assert client.post(reverse("community:delete_post", args=[post.pk])).status_code == 403
    assert client.get(reverse("community:pin_post", args=[post.pk])).status_code == 405


# --- API -------------------------------------------------------------------------------


def test_api_create_read_edit_delete(member, general):
    api = api_as(member)
    response = api.post("/api/v1/posts/", {"space": general.slug, "title": "API", "body": "Hi @x"},
                        format="json")  # fmt: skip
    assert response.status_code == 201
    data = response.json()
    assert data["author"] == {"id": member.pk, "display_name": member.display_name,
                              "handle": member.handle, "avatar_url": None}  # fmt: skip
    assert data["space"] == {"id": general.pk, "slug": general.slug, "name": general.name}
    assert data["liked"] is False and data["like_count"] == 0 and data["comment_count"] == 0
    assert data["edited_at"] is None and data["pinned_at"] is None and data["body_html"]
    url = f"/api/v1/posts/{data['id']}/"
    assert api.get(url).json()["title"] == "API"
    response = api.patch(url, {"title": "Edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Edited" and response.json()["edited_at"]
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_api_bad_input_gets_json_errors_by_field(member, general, spaces):
    api = api_as(member)
    response = api.post("/api/v1/posts/", {"space": general.slug, "body": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "body" in response.json()["fields"]
    response = api.post("/api/v1/posts/", {"space": general.slug, "body": "a" * 50_001},
                        format="json")  # fmt: skip
    assert response.status_code == 400 and "body" in response.json()["fields"]
    response = api.post("/api/v1/posts/", {"space": "paid", "body": "hi"}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post("/api/v1/posts/", {"space": "mods", "body": "hi"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Post.objects.exists()


def test_api_moderation_endpoints(member, moderator, general):
    post = services.create_post(member, space=general, body="Pin")
    assert api_as(member).post(f"/api/v1/posts/{post.pk}/pin/").status_code == 403
    api = api_as(moderator)
    assert api.post(f"/api/v1/posts/{post.pk}/pin/").json()["pinned_at"]
    assert api.post(f"/api/v1/posts/{post.pk}/unpin/").json()["pinned_at"] is None
    assert api.post(f"/api/v1/posts/{post.pk}/hide/").json()["hidden_at"]
    assert api.post(f"/api/v1/posts/{post.pk}/unhide/").json()["hidden_at"] is None


def test_api_with_a_token_and_a_banned_member(member, general):
    _token, key = services.create_api_token(member, name="bot")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.post("/api/v1/posts/", {"space": general.slug, "body": "by bot"}, format="json")
    assert response.status_code == 201
    ban(member)
    response = api.post("/api/v1/posts/", {"space": general.slug, "body": "again"}, format="json")
    assert response.status_code in (401, 403, 404)
    assert Post.objects.count() == 1


def test_an_old_edit_time_is_replaced_by_the_latest(member, general):
    post = services.create_post(member, space=general, body="v1")
    services.edit_post(member, post=post, body="v2")
    Post.objects.filter(pk=post.pk).update(edited_at=timezone.now() - timedelta(days=1))
    post.refresh_from_db()
    services.edit_post(member, post=post, body="v3")
    assert post.edited_at > timezone.now() - timedelta(minutes=1)
