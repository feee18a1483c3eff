"""Pages behave the same way everywhere (the server's half; tests/browser/test_page_behaviour.py
drives the rest): "just now", the greeting of a new member, every compose error at once,
the post page's delete asking first, and editing a post's image as a field."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from community import services
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_times_are_written_absolute_in_the_members_zone_for_the_script_to_make_relative(
    member_client, member, space
):
    """Cards are shared by every viewer, so the server writes the absolute time (readable
    without JavaScript) and static/agora/times.js writes "just now" (the browser test)."""
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    post = services.create_post(member, space=space, body="Fresh")
    comment = services.create_comment(member, post=post, body="Fresh too")
    html = member_client.get(f"/posts/{post.pk}/").content.decode()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    for created_at in (post.created_at, comment.created_at):
        local = timezone.localtime(created_at, tokyo)
        assert f'<time datetime="{local.isoformat()}" data-ago>' in html
    assert "minutes ago" not in html and "just now" not in html


def test_a_member_who_joined_today_is_greeted_as_new(member_client, member):
    html = member_client.get("/").content.decode()
    assert f"Welcome, {member.display_name}" in html
    assert "Welcome back" not in html
    assert 'href="/profile/"' in html or "your profile" in html


def test_a_member_who_joined_earlier_is_welcomed_back(member_client, member):
    member.created_at = timezone.now() - timedelta(days=3)
    member.save(update_fields=["created_at"])
    html = member_client.get("/").content.decode()
    assert f"Welcome back, {member.display_name}" in html


def test_an_empty_post_reports_the_missing_space_and_the_missing_body_together(
    member_client, space
):
    response = member_client.post("/", {"space": "", "title": "", "body": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a space to post in." in html
    assert "Write something before posting." in html


def test_the_service_refuses_every_fault_at_once(member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.create_post(member, space=None, body="  ", title="x" * 500)
    assert set(caught.value.message_dict) == {"space", "body", "title"}


def test_deleting_from_the_post_page_asks_first_as_the_feed_card_does(member_client, member, space):
    post = PostFactory(space=space, author=member)
    question = "Delete this post? This cannot be undone."
    page = member_client.get(f"/posts/{post.pk}/").content.decode()
    feed = member_client.get("/").content.decode()
    assert f'data-confirm="{question}"' in page
    assert f'hx-confirm="{question}"' in feed
    assert "agora/feed.js" in page  # the script that asks, also on the post page


def _png(name="photo.png", colour=(20, 120, 200)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_the_edit_form_shows_the_text_and_the_image_as_a_field(member_client, member, space):
    post = services.create_post(member, space=space, body="Look at this", image=_png())
    _text, line, url = services.posts.split_image(post.body)
    response = member_client.get(f"/posts/{post.pk}/edit/")
    form = response.context["form"]
    html = response.content.decode()
    assert form.initial["body"] == "Look at this"
    assert "![Image]" not in html
    assert f'<img src="{url}"' in html and "Keep the current image" in html
    assert 'name="image"' in html and 'name="remove_image"' in html
    assert 'enctype="multipart/form-data"' in html

    # Saving the text alone keeps the image.
    response = member_client.post(f"/posts/{post.pk}/edit/", {"title": "", "body": "Look again"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == f"Look again\n\n{line}"
    assert f'<img src="{url}"' in post.body_html


def test_the_edit_form_replaces_or_removes_the_image(member_client, member, space, settings):
    from django.core.files.storage import default_storage

    post = services.create_post(member, space=space, body="Look", image=_png())
    _text, _line, old_url = services.posts.split_image(post.body)
    response = member_client.post(
        f"/posts/{post.pk}/edit/", {"title": "", "body": "Look", "image": _png("b.png")}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    text, _line, new_url = services.posts.split_image(post.body)
    assert text == "Look" and new_url and new_url != old_url
    assert default_storage.exists(new_url.removeprefix(settings.MEDIA_URL))
    assert post.body.count("![Image]") == 1

    response = member_client.post(
        f"/posts/{post.pk}/edit/", {"title": "", "body": "Look", "remove_image": "on"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Look" and "<img" not in post.body_html
    page = member_client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert 'name="remove_image"' not in page and "Add an image" in page


def test_a_refused_replacement_stores_nothing_and_changes_nothing(member, space, settings):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    post = services.create_post(member, space=space, body="", image=_png())
    before = post.body
    stored = set((settings.MEDIA_ROOT / "post-images").glob("*"))
    with pytest.raises(ValidationError) as caught:
        services.edit_post(member, post=post, image=SimpleUploadedFile("x.png", b"nope"))
    assert "image" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.edit_post(member, post=post, body="x" * 50_001, image=_png("c.png"))
    assert set((settings.MEDIA_ROOT / "post-images").glob("*")) == stored
    with pytest.raises(ValidationError) as caught:  # nothing left to show
        services.edit_post(member, post=post, body=" ", remove_image=True)
    assert "body" in caught.value.message_dict
    post.refresh_from_db()
    assert post.body == before


def test_the_api_patch_keeps_replaces_or_removes_the_image(member, space):
    from tests.helpers import api_as

    post = services.create_post(member, space=space, body="Hi", image=_png())
    client = api_as(member)
    body = client.get(f"/api/v1/posts/{post.pk}/").json()["body"]
    # Sending back the body as GET returned it keeps one image, not two.
    response = client.patch(f"/api/v1/posts/{post.pk}/", {"body": body + " "}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["body"].count("![Image]") == 1
    response = client.patch(f"/api/v1/posts/{post.pk}/", {"body": "Only text"}, format="json")
    assert response.json()["body"].count("![Image]") == 1  # kept
    response = client.patch(
        f"/api/v1/posts/{post.pk}/", {"image": _png("d.png")}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["body"].startswith("Only text\n\n![Image](")
    response = client.patch(f"/api/v1/posts/{post.pk}/", {"remove_image": True}, format="json")
    assert response.status_code == 200 and response.json()["body"] == "Only text"
