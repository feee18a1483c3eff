"""Cards rendered once (community/cards.py): the same cached card serves every viewer, what
differs per viewer is filled per request, every change a card shows is on the next request,
and a cold cache only costs time (a cache that is down: tests/test_cache_down.py). The suite
runs these on the local-memory cache and, on the PostgreSQL pass, on Redis."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from community import card_kinds, cards, services
from community.models import Like, User
from tests.community.test_post_images import png
from tests.factories import CommentFactory, PostFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many cards were rendered (cache misses), by kind."""
    counts = {"post": 0, "comment": 0}
    original = cards.CardKind.render_uncached

    def counted(kind, *args):
        counts[kind.name] += 1
        return original(kind, *args)

    monkeypatch.setattr(cards.CardKind, "render_uncached", counted)
    return counts


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _card(html, post):
    match = re.search(
        rf'<article class="post-card[^"]*" id="post-{post.pk}".*?</article>', html, re.S
    )
    assert match, f"no card for post {post.pk}"
    return match.group(0)


def _feed_card(client, post):
    return _card(client.get("/").content.decode(), post)


def test_a_card_is_rendered_once_and_reused_for_every_viewer(renders, member, other_member, space):
    PostFactory.create_batch(3, space=space)
    _client(member).get("/")
    assert renders["post"] == 3
    _client(other_member).get("/")
    _client(member).get("/")
    assert renders["post"] == 3


def test_what_differs_per_viewer_is_filled_per_request(member, other_member, moderator):
    post = PostFactory(space=SpaceFactory(public=True), author=member)
    services.toggle_like(other_member, target=post)
    as_author = _feed_card(_client(member), post)
    as_liker = _feed_card(_client(other_member), post)
    as_moderator = _feed_card(_client(moderator), post)
    as_visitor = _feed_card(Client(), post)

    assert "Liked" in as_liker and 'aria-pressed="true"' in as_liker
    assert ">Like<" in as_author and 'aria-pressed="false"' in as_author
    assert "/edit/" in as_author and "Hide from members" not in as_author
    assert "Report" not in as_author and "Report" in as_liker
    assert "post-menu" not in as_liker
    assert "Hide from members" in as_moderator and "Pin to top of space" in as_moderator
    assert "sign in to like" in as_visitor and "/accounts/login/?next=/" in as_visitor
    for html in (as_author, as_liker, as_moderator, as_visitor):
        assert "\x00" not in html


def test_the_csrf_token_in_a_cached_card_is_the_viewers_own(member, other_member, space):
    post = PostFactory(space=space, author=other_member)
    _client(other_member).get("/")  # fills the cache
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    card = _feed_card(client, post)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)
    response = client.post(f"/posts/{post.pk}/like/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Like.objects.filter(user=member, object_id=post.pk).exists()


def test_each_change_a_card_shows_is_on_the_next_request(
    member, other_member, moderator, admin, django_capture_on_commit_callbacks
):
    space = services.create_space(admin, name="Lounge", slug="lounge")
    post = services.create_post(member, space=space, body="First words")
    viewer = _client(other_member)
    _feed_card(viewer, post)

    services.edit_post(member, post=post, body="Second words")
    assert "Second words" in _feed_card(viewer, post)

    services.pin_post(moderator, post=post)
    assert "Pinned" in _feed_card(viewer, post)

    with django_capture_on_commit_callbacks(execute=True):  # the counter follows the commit
        services.toggle_like(moderator, target=post)
    assert '</span>1<span class="visually-hidden"> like</span>' in _feed_card(viewer, post)

    services.update_profile(member, display_name="Renamed Author")
    assert "Renamed Author" in _feed_card(viewer, post)

    services.update_profile(member, avatar=png("face.png", size=(64, 64)))
    member.refresh_from_db()
    assert member.avatar.url in _feed_card(viewer, post)

    services.update_space(admin, space=space, name="Parlour", icon="🛋")
    card = _feed_card(viewer, post)
    assert "Parlour" in card and "🛋" in card

    services.hide_post(moderator, post=post)
    assert "Hidden from members" in _feed_card(_client(moderator), post)
    assert f'id="post-{post.pk}"' not in viewer.get("/").content.decode()


def test_a_deleted_author_takes_their_cards_with_them(member, other_member, space):
    post = PostFactory(space=space, author=member)
    viewer = _client(other_member)
    _feed_card(viewer, post)
    User.objects.get(pk=member.pk).delete()
    assert f'id="post-{post.pk}"' not in viewer.get("/").content.decode()


def test_a_comment_card_follows_edits_likes_and_deletion(
    member, other_member, space, django_capture_on_commit_callbacks
):
    post = PostFactory(space=space)
    comment = CommentFactory(post=post, author=member, body="Before", body_html="<p>Before</p>")
    reader = _client(other_member)
    reader.get(f"/posts/{post.pk}/")

    services.edit_comment(member, comment=comment, body="After")
    page = reader.get(f"/posts/{post.pk}/").content.decode()
    assert "After" in page and "Before" not in page

    services.toggle_like(other_member, target=comment)
    page = reader.get(f"/posts/{post.pk}/").content.decode()
    assert (
        f'id="like-button-comment-{comment.pk}" aria-pressed="true"'
        in page.replace(' is-liked" type="submit"', '" type="submit"')
        or 'is-liked" type="submit" id="like-button-comment-' in page
    )

    author_page = _client(member).get(f"/posts/{post.pk}/").content.decode()
    assert f'id="edit-{comment.pk}"' in author_page and f'id="edit-{comment.pk}"' not in page

    services.delete_comment(member, comment=comment)
    assert "After" not in reader.get(f"/posts/{post.pk}/").content.decode()


def test_a_hidden_comment_shown_to_a_moderator_never_reaches_a_member(
    moderator, member, other_member, space
):
    post = PostFactory(space=space)
    top = CommentFactory(post=post, author=member, body="Secret", body_html="<p>Secret</p>")
    CommentFactory(post=post, author=other_member, parent=top, body="Reply")
    services.hide_comment(moderator, comment=top)
    # Both are the members' audience: the moderator's card, rendered first, is another card.
    page = _client(moderator).get(f"/posts/{post.pk}/").content.decode()
    assert "Secret" in page and "Hidden from members" in page
    page = _client(other_member).get(f"/posts/{post.pk}/").content.decode()
    assert "Secret" not in page and "A moderator hid this comment." in page
    services.unhide_comment(moderator, comment=top)
    page = _client(other_member).get(f"/posts/{post.pk}/").content.decode()
    assert "Secret" in page and "Hidden from members" not in page


def test_a_card_in_another_time_zone_is_another_card(member, other_member, space):
    post = PostFactory(space=space)
    User.objects.filter(pk=other_member.pk).update(time_zone="Asia/Tokyo")
    utc = _feed_card(_client(member), post)
    tokyo = _feed_card(_client(User.objects.get(pk=other_member.pk)), post)
    assert "+00:00" in utc and "+09:00" in tokyo


def test_a_cold_cache_renders_and_fills(renders, member, space):
    PostFactory(space=space)
    cache.clear()
    assert _client(member).get("/").status_code == 200
    assert renders["post"] == 1
    assert any(key.startswith("card:post:") for key in _card_keys())


def _card_keys():
    backend = getattr(cache, "_cache", None)
    if isinstance(backend, dict):  # local memory: its keys carry the version prefix
        return [key.split(":", 2)[-1] for key in backend]
    # django-redis (config/settings.py, redis_cache): its raw client lists the keys.
    return [key.decode().split(":", 2)[-1] for key in cache.client.get_client().keys("*card:*")]


def test_every_kind_names_what_it_shows():
    """A card's key is the digest of its version: a kind must list a value for each thing
    its template shows. These are the kinds community registers."""
    assert cards.kinds["post"] is card_kinds.POST
    assert cards.kinds["comment"] is card_kinds.COMMENT
    with pytest.raises(ValueError, match="already registered"):
        cards.register_kind(cards.CardKind("post", "x.html", tuple, dict))


def test_a_marker_without_a_value_never_reaches_a_page():
    with pytest.raises(KeyError):
        cards.fill(f"<p>{cards.slot('csrf')}</p>", {})
    html = cards.section("edit", "<a>Edit</a>") + cards.section("not_edit", "<a>View</a>")
    assert cards.fill(html, {"edit": False}) == "<a>View</a>"
    assert cards.fill(html, {"edit": True}) == "<a>Edit</a>"


def test_a_viewer_who_joined_later_does_not_reuse_a_visitors_card(member):
    post = PostFactory(space=SpaceFactory(public=True), author=UserFactory())
    Client().get("/")
    assert "sign in to like" not in _feed_card(_client(member), post)
