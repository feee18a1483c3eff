"""The private storage (issue 14, item 2): attachments are kept outside MEDIA_ROOT with no
public URL, so they are served only through a view that checks access; the storage follows
settings.PRIVATE_MEDIA_ROOT even after a test changes it."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from community.storage import PrivateFileSystemStorage
from courses.models import Attachment, Lesson
from tests.factories import LessonFactory


def test_a_private_file_lands_under_the_private_root_not_the_media_root(settings):
    private = storages["private"]
    assert isinstance(private, PrivateFileSystemStorage)
    name = private.save("courses/attachments/notes.txt", ContentFile(b"secret notes"))
    path = Path(private.path(name))
    assert path.is_file() and path.read_bytes() == b"secret notes"
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not (Path(settings.MEDIA_ROOT) / name).exists()


def test_a_private_file_has_no_url():
    private = storages["private"]
    name = private.save("courses/attachments/notes.txt", ContentFile(b"x"))
    with pytest.raises(ValueError, match="no URL"):
        private.url(name)


def test_the_storage_follows_the_setting_when_a_test_changes_it(settings, tmp_path):
    private = storages["private"]
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    name = private.save("a.txt", ContentFile(b"a"))
    assert (tmp_path / "elsewhere" / name).read_bytes() == b"a"


@pytest.mark.django_db
def test_an_attachment_is_saved_to_the_private_storage_and_has_no_url(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "this-test"  # the field's storage follows
    lesson = LessonFactory()
    attachment = Attachment(lesson=lesson, name="Worksheet.txt", content_type="text/plain", size=5)
    attachment.file.save("worksheet.txt", ContentFile(b"hello"), save=True)

    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.file.name.startswith("courses/attachments/")
    assert Path(stored.file.path).is_relative_to((tmp_path / "this-test").resolve())
    assert not (Path(settings.MEDIA_ROOT) / stored.file.name).exists()
    with stored.file.open("rb") as handle:
        assert handle.read() == b"hello"
    with pytest.raises(ValueError, match="no URL"):
        stored.file.url  # noqa: B018 - the property is the behaviour under test
    assert Attachment._meta.get_field("file").storage is storages["private"]
    assert Lesson._meta.get_field("video_file").storage is storages["private"]
