"""Images attached to posts go through the shared upload validator."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community import services
from community.models import Post

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(3000, 1500)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_image_is_re_encoded_stored_and_shown_below_the_text(member, space, settings):
    post = services.create_post(member, space=space, body="Look at this", image=png())
    assert post.body.startswith(f"Look at this\n\n![Image]({settings.MEDIA_URL}post-images/")
    url = post.body.split("](")[1].rstrip(")")
    assert "photo.png" not in url  # a random stored name
    assert f'<img src="{url}" alt="Image">' in post.body_html
    with default_storage.open(url.removeprefix(settings.MEDIA_URL)) as stored:
        assert max(Image.open(stored).size) == 2000  # scaled down


def test_a_post_may_be_only_an_image(member, space):
    post = services.create_post(member, space=space, body="", image=png())
    assert post.body.startswith("![Image](")


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(member, space, settings):
    fake = SimpleUploadedFile("cat.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.create_post(member, space=space, body="hi", image=fake)
    assert "image" in error.value.message_dict
    assert not Post.objects.exists()
    assert not (settings.MEDIA_ROOT / "post-images").exists()


def test_a_rejected_post_removes_the_image_it_had_stored(member, space, settings):
    with pytest.raises(ValidationError):
        services.create_post(member, space=space, body="x" * 50_001, image=png())
    assert not any((settings.MEDIA_ROOT / "post-images").glob("*"))


def test_the_compose_form_and_the_api_take_an_image(member_client, member, api_client, space):
    url = reverse("community:space", args=[space.slug])
    response = member_client.post(url, {"body": "From the page", "image": png()})
    assert response.status_code == 302
    bad = member_client.post(url, {"body": "x", "image": SimpleUploadedFile("a.png", b"no")})
    assert bad.status_code == 400 and "image" in bad.context["form"].errors
    api_client.force_authenticate(member)
    response = api_client.post(
        "/api/v1/posts/", {"space": space.slug, "image": png()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert "<img" in response.json()["body_html"]
    assert Post.objects.count() == 2
