import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from community.models import ApiToken, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def png_upload(name="me.png", size=(64, 64)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def profile_form(member, **changes):
    data = {
        "display_name": member.display_name,
        "bio": member.bio,
        "time_zone": member.time_zone,
        "profile_visibility": member.profile_visibility,
    }
    data.update(changes)
    return data


def edit(client, member, **changes):
    return client.post(reverse("community:edit_profile"), profile_form(member, **changes))


def test_a_member_edits_their_profile(member_client, member):
    response = edit(
        member_client,
        member,
        display_name="Ada L.",
        bio="I like **graphs**.",
        time_zone="Europe/Paris",
        profile_visibility="private",
        avatar=png_upload(),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Ada L."
    assert member.bio_html == "<p>I like <strong>graphs</strong>.</p>\n"
    assert member.time_zone == "Europe/Paris"
    assert member.profile_visibility == User.Visibility.PRIVATE
    assert member.avatar.name.startswith("avatars/") and "me.png" not in member.avatar.name
    page = member_client.get(reverse("community:own_profile")).content.decode()
    assert "<strong>graphs</strong>" in page and member.avatar.url in page


def test_the_edit_page_needs_a_signed_in_member(client):
    response = client.get(reverse("community:edit_profile"))
    assert response.status_code == 302 and reverse("account_login") in response.url


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bio": "x" * 10_000}, "bio"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "n" * 101}, "display_name"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"profile_visibility": "everyone"}, "profile_visibility"),
    ],
)
def test_it_rejects_bad_profile_input_and_changes_nothing(member_client, member, changes, field):
    before = User.objects.values().get(pk=member.pk)
    response = edit(member_client, member, **changes)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.values().get(pk=member.pk) == before


def test_an_oversized_avatar_is_refused_and_the_old_one_kept(member_client, member, settings):
    edit(member_client, member, avatar=png_upload())
    member.refresh_from_db()
    old_avatar = member.avatar.name
    settings.AGORA_IMAGE_MAX_BYTES = 1000
    response = edit(member_client, member, avatar=png_upload(size=(600, 600)))
    assert response.status_code == 400
    assert "limit" in " ".join(response.context["form"].errors["avatar"])
    member.refresh_from_db()
    assert member.avatar.name == old_avatar
    assert member.avatar.storage.exists(old_avatar)


def test_a_text_file_named_png_is_refused(member_client, member):
    fake = SimpleUploadedFile("cat.png", b"just some text, not an image", content_type="image/png")
    response = edit(member_client, member, display_name="Changed", avatar=fake)
    assert response.status_code == 400
    assert "not an image" in " ".join(response.context["form"].errors["avatar"])
    member.refresh_from_db()
    assert not member.avatar
    assert member.display_name != "Changed"  # one bad field means nothing is saved


def test_a_new_avatar_replaces_and_removes_the_old_file(
    member_client, member, django_capture_on_commit_callbacks
):
    edit(member_client, member, avatar=png_upload())
    member.refresh_from_db()
    first = member.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        edit(member_client, member, avatar=png_upload())
    member.refresh_from_db()
    assert member.avatar.name != first
    assert not member.avatar.storage.exists(first)


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_xss_in_the_bio_never_reaches_the_page(member_client, member, client, payload):
    edit(member_client, member, bio=payload)
    member.refresh_from_db()
    page = client.get(reverse("community:profile", args=[member.pk])).content.decode()
    for html in (member.bio_html, page):
        assert "<script>alert" not in html
        assert "<img src=x" not in html  # shown as text, never as a tag
        assert '<a href="javascript:' not in html


def test_a_public_profile_is_visible_to_anyone(client, member):
    response = client.get(reverse("community:profile", args=[member.pk]))
    assert response.status_code == 200
    assert member.display_name in response.content.decode()


def test_a_private_profile_is_a_404_for_other_members_and_visitors(client, other_member):
    private = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    url = reverse("community:profile", args=[private.pk])
    assert client.get(url).status_code == 404
    client.force_login(other_member)
    assert client.get(url).status_code == 404


def test_a_private_profile_is_visible_to_its_owner_moderators_and_admins(client, moderator, admin):
    private = UserFactory(profile_visibility=User.Visibility.PRIVATE)
    url = reverse("community:profile", args=[private.pk])
    for viewer in (private, moderator, admin):
        client.force_login(viewer)
        assert client.get(url).status_code == 200


def test_a_missing_member_is_the_same_404(client):
    assert client.get(reverse("community:profile", args=[999_999])).status_code == 404


def test_pages_show_times_in_the_members_time_zone(member_client, member):
    member.time_zone = "Asia/Tokyo"
    member.save()
    ApiToken.objects.create(
        user=member,
        name="cron",
        key_hash="0" * 64,
        hint="abcd",
        created_at=datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
    )
    page = member_client.get(reverse("community:api_tokens")).content.decode()
    assert "1 Jan 2026, 09:30" in page
    assert timezone.get_current_timezone_name() == "UTC"  # not leaked past the request
