"""The full community export and its import into an empty install (community/portability):
the round trip on the demo data, refusals that change nothing, and who may download it."""

import datetime
import importlib
import io
import json
import warnings
import zipfile

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps as django_apps
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import AsyncClient
from django.urls import reverse

from community import audit
from community.demo import DEMO_PASSWORD
from community.models import AuditEntry, Post, User
from community.portability import (
    FORMAT_VERSION,
    ImportRefused,
    exported_models,
    import_export,
    write_export,
)
from community.services import toggle_like
from tests.factories import CommentFactory, PostFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db

SEEDED_DEFAULTS = importlib.import_module("gamification.migrations.0002_default_rules_and_levels")


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


def export_bytes():
    buffer = io.BytesIO()
    write_export(buffer)
    return buffer.getvalue()


def members_of(zip_bytes):
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zip_of(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def content(zip_bytes):
    """Every member of the zip, the manifest without the time it was made."""
    members = members_of(zip_bytes)
    manifest = json.loads(members.pop("manifest.json"))
    del manifest["created_at"]
    return manifest, members


def stored_files():
    """{(storage, name): bytes} of every stored file."""
    found = {}
    for alias in ("default", "private"):
        storage = storages[alias]

        def walk(folder, storage=storage, alias=alias):
            try:
                folders, files = storage.listdir(folder)
            except FileNotFoundError:
                return
            for name in files:
                with storage.open(f"{folder}{name}", "rb") as file:
                    found[(alias, f"{folder}{name}")] = file.read()
            for sub in folders:
                walk(f"{folder}{sub}/")

        walk("")
    return found


def row_counts():
    return {model._meta.label: model._base_manager.count() for model in exported_models()}


def empty_install(settings, tmp_path):
    """This database as a new install after `migrate`: every table emptied (content types,
    permissions and the admin site's groups made again by post_migrate, under new ids), the
    rows migrations seed (point rules, levels), and new, empty storage folders."""
    connection.check_constraints()  # PostgreSQL truncates no table with checks pending
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    SEEDED_DEFAULTS.add_defaults(django_apps, None)
    settings.MEDIA_ROOT = tmp_path / "new-install" / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "new-install" / "private"


@pytest.fixture
def small_export(settings, tmp_path):
    """An export of a little community (posts, a comment, an avatar), taken before the
    database is emptied as a new install."""
    post = PostFactory()
    CommentFactory(post=post)
    post.author.avatar.save("face.png", ContentFile(b"\x89PNG not really"), save=True)
    data = export_bytes()
    empty_install(settings, tmp_path)
    return members_of(data)


# --- The round trip ------------------------------------------------------------------------


def test_export_then_import_then_export_gives_the_same_content(settings, tmp_path):
    seed_demo()
    lena = User.objects.get(email="lena@agora.localhost")
    lena.avatar.save("lena.png", ContentFile(b"\x89PNG lena"), save=True)
    first = export_bytes()
    counts = row_counts()
    path = tmp_path / "community.zip"
    path.write_bytes(first)

    empty_install(settings, tmp_path)
    assert not User.objects.exists()
    out = io.StringIO()
    call_command("import_community", str(path), stdout=out)
    second = export_bytes()

    assert "Imported" in out.getvalue()
    (manifest_before, files_before), (manifest, files) = content(first), content(second)
    assert manifest == manifest_before
    assert {
        name for name in files | files_before if files.get(name) != files_before.get(name)
    } == set()
    assert row_counts() == counts
    assert manifest["version"] == FORMAT_VERSION
    assert sum(entry["rows"] for entry in manifest["models"]) > 100
    assert files["media/default/" + lena.avatar.name] == b"\x89PNG lena"
    assert any(name.startswith("media/private/courses/attachments/") for name in files)
    # The moved community works: members sign in with their password, in their groups.
    assert authenticate(email="lena@agora.localhost", password=DEMO_PASSWORD) is not None
    admin = User.objects.get(email="admin@agora.localhost")
    assert list(admin.groups.values_list("name", flat=True)) == ["Admins"]
    # New rows get ids after the imported ones (sequences reset).
    post = PostFactory()
    assert post.pk > max(Post.objects.exclude(pk=post.pk).values_list("pk", flat=True))


def test_export_refers_to_content_types_by_name_not_by_id():
    post = PostFactory()
    toggle_like(post.author, target=post)
    lines = members_of(export_bytes())["data/community.like.jsonl"].decode().splitlines()
    assert json.loads(lines[0])["fields"]["content_type"] == ["community", "post"]


def test_times_move_to_the_microsecond(settings, tmp_path):
    # Django's JSON encoder keeps milliseconds: .000456 s would come back as a whole second.
    created = datetime.datetime(2026, 3, 1, 9, 30, 15, 456, tzinfo=datetime.UTC)
    edited = datetime.datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=datetime.UTC)
    post = PostFactory()
    Post.objects.filter(pk=post.pk).update(created_at=created, edited_at=edited)
    data = export_bytes()

    empty_install(settings, tmp_path)
    import_export(io.BytesIO(data))

    moved = Post.objects.get(pk=post.pk)
    assert (moved.created_at, moved.edited_at) == (created, edited)
    assert content(export_bytes())[1] == content(data)[1]


# --- Refusals that change nothing ----------------------------------------------------------


def assert_refused(data, match):
    counts, files = row_counts(), stored_files()
    with pytest.raises(ImportRefused, match=match):
        import_export(io.BytesIO(data))
    assert row_counts() == counts
    assert stored_files() == files


@pytest.mark.parametrize(
    "name",
    [
        "../escaped.txt",
        "media/default/../../escaped.png",
        "/etc/cron.d/agora",
        "media/default/..\\..\\escaped.png",
        "C:/escaped.png",
        "media/default/./avatars/x.png",
    ],
)
def test_a_member_name_that_could_leave_its_folder_is_refused(small_export, name):
    assert_refused(zip_of({**small_export, name: b"x"}), "path traversal")


def test_a_file_the_format_does_not_have_is_refused(small_export):
    assert_refused(zip_of({**small_export, "notes.txt": b"x"}), "no such file")


@pytest.mark.parametrize("version", [FORMAT_VERSION + 1, 0, str(FORMAT_VERSION), None])
def test_another_format_version_is_refused(small_export, version):
    manifest = json.loads(small_export["manifest.json"])
    manifest["version"] = version
    changed = {**small_export, "manifest.json": json.dumps(manifest)}
    assert_refused(zip_of(changed), "format version")


def _with_row_changed(members, file, change):
    """The export with the last row of `file` changed by `change(row)`."""
    lines = members[file].decode().splitlines()
    row = json.loads(lines[-1])
    change(row)
    lines[-1] = json.dumps(row)
    return zip_of({**members, file: "\n".join(lines).encode() + b"\n"})


def test_a_row_referring_to_a_missing_row_is_refused_and_every_row_rolled_back(small_export):
    # The comment loads after members, posts and the rest: all of them are rolled back.
    def orphan(row):
        row["fields"]["post"] = 999_999

    assert_refused(_with_row_changed(small_export, "data/community.comment.jsonl", orphan),
                   "refers to a row that is not in the export")  # fmt: skip
    assert not User.objects.exists()


def test_a_field_of_the_wrong_type_is_refused_naming_the_row(small_export):
    def bad_time(row):
        row["fields"]["created_at"] = "last Tuesday"

    data = _with_row_changed(small_export, "data/community.comment.jsonl", bad_time)
    assert_refused(data, r"data/community\.comment\.jsonl, line 1: .*last Tuesday")


def test_an_unknown_field_is_refused(small_export):
    def unknown(row):
        row["fields"]["colour"] = "red"

    assert_refused(_with_row_changed(small_export, "data/community.post.jsonl", unknown),
                   r"data/community\.post\.jsonl, line 1")  # fmt: skip


def test_a_row_of_another_model_is_refused(small_export):
    def sneaky(row):
        row["model"] = "sessions.session"

    assert_refused(_with_row_changed(small_export, "data/community.post.jsonl", sneaky),
                   "not a row of community.post")  # fmt: skip


def test_a_key_twice_is_refused(small_export):
    lines = small_export["data/community.post.jsonl"]
    changed = {**small_export, "data/community.post.jsonl": lines + lines}
    assert_refused(zip_of(changed), r"data/community\.post\.jsonl, line 2")


def test_a_line_that_is_not_json_is_refused(small_export):
    changed = {**small_export, "data/community.comment.jsonl": b'{"model": "community.c'}
    assert_refused(zip_of(changed), r"data/community\.comment\.jsonl, line 1")


def test_a_file_with_fewer_rows_than_the_manifest_says_is_refused(small_export):
    changed = {**small_export, "data/community.comment.jsonl": b""}
    assert_refused(zip_of(changed), "0 rows, but manifest.json says 1")


def test_an_install_with_members_is_refused(small_export):
    PostFactory()
    assert_refused(zip_of(small_export), "already has members")


def test_another_file_already_stored_under_a_files_name_is_refused(small_export):
    [avatar] = [name for name in small_export if name.startswith("media/default/avatars/")]
    storages["default"].save(avatar.removeprefix("media/default/"), ContentFile(b"another"))
    assert_refused(zip_of(small_export), "already holds another file")


def test_the_same_file_already_stored_is_kept(small_export):
    [avatar] = [name for name in small_export if name.startswith("media/default/avatars/")]
    storages["default"].save(
        avatar.removeprefix("media/default/"), ContentFile(small_export[avatar])
    )
    import_export(io.BytesIO(zip_of(small_export)))
    assert User.objects.count() == 2


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(ImportRefused, match="Not a zip file"):
        import_export(io.BytesIO(b"PK? no"))


def test_a_refused_import_by_command_says_nothing_changed(small_export, tmp_path):
    path = tmp_path / "bad.zip"
    manifest = json.loads(small_export["manifest.json"])
    manifest["version"] = 99
    path.write_bytes(zip_of({**small_export, "manifest.json": json.dumps(manifest)}))
    with pytest.raises(CommandError, match=r"nothing was changed.*version 99"):
        call_command("import_community", str(path))


# --- The command ---------------------------------------------------------------------------


def test_the_export_command_writes_a_zip_and_will_not_overwrite_one(tmp_path):
    PostFactory()
    path = tmp_path / "community.zip"
    out = io.StringIO()
    call_command("export_community", str(path), stdout=out)
    assert zipfile.is_zipfile(path) and "Exported" in out.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_community", str(path))
    call_command("export_community", str(path), "--force", stdout=out)
    with pytest.raises(CommandError, match=r"\.zip"):
        call_command("export_community", str(tmp_path / "community.tar"))


# --- Who may download it -------------------------------------------------------------------


def _download(response):
    return b"".join(response.streaming_content)


def test_an_admin_downloads_the_export_from_the_members_page(client, admin):
    client.force_login(admin)
    directory = client.get(reverse("community:directory"))
    assert reverse("community:export_community").encode() in directory.content
    response = client.get(reverse("community:export_community"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    _, members = content(_download(response))
    assert "data/community.user.jsonl" in members
    entry = AuditEntry.objects.get(action=audit.COMMUNITY_EXPORTED)
    assert entry.actor == admin


def test_over_asgi_the_zip_streams_asynchronously(admin):
    """An ASGI server reads an async stream as it comes; a plain generator Django would read
    whole, with a warning, before sending anything."""
    client = AsyncClient()
    client.force_login(admin)

    async def download():
        response = await client.get(reverse("community:export_community"))
        assert response.status_code == 200 and response.is_async
        return b"".join([chunk async for chunk in response.streaming_content])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = async_to_sync(download)()
    assert "data/community.user.jsonl" in members_of(data)


def test_members_and_moderators_may_not_download_the_export(client, member, moderator):
    for user in (member, moderator):
        client.force_login(user)
        directory = client.get(reverse("community:directory"))
        assert directory.status_code == 200
        assert reverse("community:export_community").encode() not in directory.content
        assert client.get(reverse("community:export_community")).status_code == 403
    assert not AuditEntry.objects.filter(action=audit.COMMUNITY_EXPORTED).exists()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("community:export_community"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_api_export_is_for_admins_only(admin, member):
    response = api_as(admin).get("/api/v1/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert zipfile.is_zipfile(io.BytesIO(_download(response)))
    assert api_as(member).get("/api/v1/export/").status_code == 403
    assert api_as(None).get("/api/v1/export/").status_code == 401
