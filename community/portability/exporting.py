"""Writing a community export: every exported model's rows, then every stored file, into a
zip (community/portability/contents.py describes it). Rows are read model by model in
chunks and written as they are read, so a large community is never in memory at once."""

import io
import json
import shutil
import time
import zipfile
from contextlib import contextmanager

from django.contrib.auth.models import Permission
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from community import branding

from .contents import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    RowSerializer,
    data_file,
    exported_models,
    media_member,
    media_storage_aliases,
    model_label,
)

CHUNK_SIZE = 2000


def write_export(file):
    """Writes the community's export as a zip to `file` (a path or a binary file open for
    writing, seekable) and returns its manifest."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        with _snapshot():
            models = [_write_rows(zf, model) for model in exported_models()]
        media = [_write_media(zf, alias) for alias in media_storage_aliases()]
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "site_name": branding.current().name,
            "apps": list(dict.fromkeys(entry["app"] for entry in models)),
            "models": models,
            "media": media,
        }
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


@contextmanager
def _snapshot():
    """One transaction for every model's rows, so that they agree with each other (a post
    never refers to a member who joined after the members were read). On PostgreSQL a
    read-only repeatable-read one: a snapshot that blocks no writer. Inside a transaction
    already (tests), that one serves."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _rows(model):
    """The model's rows by primary key, its many-to-many values fetched a chunk at a time
    (in id order, so that two exports of the same data are the same bytes)."""
    prefetches = []
    for field in model._meta.many_to_many:
        target = field.remote_field.model
        related = target._base_manager.order_by("pk")
        if target is Permission:  # its natural key names its content type
            related = related.select_related("content_type")
        prefetches.append(Prefetch(field.name, queryset=related))
    rows = model._base_manager.order_by("pk").prefetch_related(*prefetches)
    return rows.iterator(chunk_size=CHUNK_SIZE)


def _member(name):
    """A zip entry dated now (zipfile's default for a stream is 1980), compressed."""
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _counted(rows, counter):
    for row in rows:
        counter["rows"] += 1
        yield row


def _write_rows(zf, model):
    name = data_file(model)
    counter = {"rows": 0}
    with zf.open(_member(name), "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        RowSerializer().serialize(
            _counted(_rows(model), counter),
            stream=text,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=False,
        )
        text.flush()
        text.detach()
    return {
        "app": model._meta.app_label,
        "model": model_label(model),
        "file": name,
        "rows": counter["rows"],
    }


def _stored_names(storage, folder=""):
    """Every file name in `storage` under `folder`, sorted (a missing folder: none)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}{name}"
    for sub in sorted(folders):
        yield from _stored_names(storage, f"{folder}{sub}/")


def _write_media(zf, alias):
    storage = storages[alias]
    count = 0
    for name in _stored_names(storage):
        target = zf.open(_member(media_member(alias, name)), "w", force_zip64=True)
        with storage.open(name, "rb") as source, target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        count += 1
    return {"storage": alias, "files": count}
