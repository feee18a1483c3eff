"""Loading a community export into an empty install: the whole zip is checked before
anything is written, then every row loads in one transaction, and the files are stored
only once the rows are in (and removed again if anything fails), so a refused import
leaves the install as it was."""

import io
import json
import zipfile
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import storages
from django.core.management.color import no_style
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DatabaseError, connection, transaction

from community import branding
from community.models import User

from .contents import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA_FOLDER,
    data_file,
    exported_models,
    is_safe_member_name,
    media_storage_aliases,
    model_label,
)

COMPARE_CHUNK = 1024 * 1024


class ImportRefused(Exception):
    """The export cannot be imported here; the message says which file or row, and why.
    Nothing was changed."""


@dataclass(frozen=True)
class _DataFile:
    model: object
    name: str
    rows: int


@dataclass(frozen=True)
class _MediaFile:
    member: str
    alias: str
    name: str


def import_export(file):
    """Loads the export in `file` (a path or a binary file open for reading) into this
    install, which must be empty. Raises ImportRefused, having changed nothing, if the zip
    or any row in it is not a sound export of this format, or the install is not empty.
    Returns the manifest."""
    try:
        zf = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused(f"Not a zip file: {exc}") from exc
    with zf:
        manifest, data_files, media_files = _checked_contents(zf)
        _check_empty()
        media_files = _media_to_write(zf, media_files)
        written = []
        try:
            with transaction.atomic():
                _clear(data_files)
                for data in data_files:
                    _load(zf, data)
                _check_references(data_files)
                _reset_sequences(data_files)
                for media in media_files:
                    _store(zf, media, written)
        except BaseException:
            for storage, name in written:
                storage.delete(name)
            raise
    # The cache kept the empty install's "no branding" with no expiry (rendered cards are
    # keyed by row and version, and no row existed before): read the imported one instead.
    branding.forget()
    return manifest


# --- Checks, before anything is written --------------------------------------------------


def _checked_contents(zf):
    """(manifest, data files in load order, media files) of a zip whose every member is
    accounted for, or ImportRefused."""
    names = _checked_names(zf)
    if MANIFEST not in names:
        raise ImportRefused(f"The zip has no {MANIFEST}: it is not a community export.")
    manifest = _read_manifest(zf)
    data_files = _data_files(manifest, names)
    listed = {MANIFEST, *(data.name for data in data_files)}
    media_files = []
    for name in names - listed:
        media = _media_file(name)
        if media is None:
            raise ImportRefused(f"{name}: the format has no such file.")
        media_files.append(media)
    return manifest, data_files, sorted(media_files, key=lambda media: media.member)


def _checked_names(zf):
    names = set()
    for info in zf.infolist():
        name = info.filename
        if not is_safe_member_name(name) and not (info.is_dir() and is_safe_member_name(name[:-1])):
            raise ImportRefused(f"{name!r}: not a plain relative name (path traversal refused).")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ImportRefused(f"{name}: a symbolic link; an export holds only files.")
        if name in names:
            raise ImportRefused(f"{name}: in the zip twice.")
        if not info.is_dir():
            names.add(name)
    return names


def _read_manifest(zf):
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (ValueError, zipfile.BadZipFile) as exc:
        raise ImportRefused(f"{MANIFEST}: not readable JSON ({exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ImportRefused(f"{MANIFEST}: not an export of format {FORMAT!r}.")
    version = manifest.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise ImportRefused(
            f"{MANIFEST}: format version {version!r}; this install reads version "
            f"{FORMAT_VERSION} only."
        )
    return manifest


def _data_files(manifest, names):
    """The manifest's data files, each of a model this install exports, in this install's
    load order; its row counts are checked as the rows load."""
    known = {model_label(model): model for model in exported_models()}
    entries = manifest.get("models")
    if not isinstance(entries, list):
        raise ImportRefused(f"{MANIFEST}: `models` is not a list.")
    listed = {}
    for entry in entries:
        label = entry.get("model") if isinstance(entry, dict) else None
        model = known.get(label)
        if model is None:
            raise ImportRefused(f"{MANIFEST}: {label!r} is not a model an export holds here.")
        rows = entry.get("rows")
        if entry.get("file") != data_file(model) or type(rows) is not int or rows < 0:
            raise ImportRefused(f"{MANIFEST}: the entry of {label} is malformed.")
        if label in listed:
            raise ImportRefused(f"{MANIFEST}: {label} is listed twice.")
        if data_file(model) not in names:
            raise ImportRefused(f"{data_file(model)}: listed in {MANIFEST} but not in the zip.")
        listed[label] = _DataFile(model, data_file(model), rows)
    return [listed[label] for label in known if label in listed]


def _media_file(name):
    """The storage and name a media/<alias>/<name> member goes to (None: not one)."""
    if not name.startswith(MEDIA_FOLDER):
        return None
    alias, _, stored_name = name[len(MEDIA_FOLDER) :].partition("/")
    if alias not in media_storage_aliases() or not stored_name:
        return None
    return _MediaFile(name, alias, stored_name)


def _check_empty():
    """An install is empty while it has no members: nothing can have been written by anyone
    yet. The rows `migrate` seeds (the default point rules and levels) are replaced by the
    community's own."""
    if User.objects.exists():
        raise ImportRefused(
            "This install already has members: import a community only into an empty one "
            "(a new database, after `manage.py migrate`)."
        )


def _media_to_write(zf, media_files):
    """The files to store: a file already stored under the same name is skipped if it is
    the same, and refused if not (it would be overwritten, or stored under another name)."""
    to_write = []
    for media in media_files:
        storage = storages[media.alias]
        if not storage.exists(media.name):
            to_write.append(media)
        elif not _same_bytes(zf, media, storage):
            raise ImportRefused(
                f"{media.member}: the {media.alias} storage already holds another file named "
                f"{media.name}; move it away first."
            )
    return to_write


def _same_bytes(zf, media, storage):
    with zf.open(media.member) as ours, storage.open(media.name, "rb") as theirs:
        while True:
            chunk = ours.read(COMPARE_CHUNK)
            if chunk != theirs.read(COMPARE_CHUNK):
                return False
            if not chunk:
                return True


# --- Writing, in one transaction ---------------------------------------------------------


def _clear(data_files):
    """Deletes the rows migrations seeded in the exported tables (children first)."""
    for data in reversed(data_files):
        data.model._base_manager.all().delete()


def _load(zf, data):
    label = model_label(data.model)
    count = 0
    with zf.open(data.name) as raw:
        for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), start=1):
            where = f"{data.name}, line {number}"
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or row.get("model") != label or "pk" not in row:
                    raise ImportRefused(f"{where}: not a row of {label} with its key.")
                for obj in PythonDeserializer([row], handle_forward_references=False):
                    # An insert, never an update: a key twice in the file is refused.
                    obj.save(force_insert=True)
            except ImportRefused:
                raise
            except Exception as exc:
                # Any failure (bad JSON, an unknown field, a value of the wrong type, a
                # constraint) names the row; the transaction rolls everything back.
                raise ImportRefused(f"{where}: {exc}") from exc
            count += 1
    if count != data.rows:
        raise ImportRefused(f"{data.name}: {count} rows, but {MANIFEST} says {data.rows}.")


def _check_references(data_files):
    """Every backend defers foreign key checks to the end of the transaction: check them
    now, while a failure can still name the table."""
    tables = []
    for data in data_files:
        tables.append(data.model._meta.db_table)
        tables += [
            field.remote_field.through._meta.db_table
            for field in data.model._meta.many_to_many
            if field.remote_field.through._meta.auto_created
        ]
    try:
        connection.check_constraints(table_names=tables)
    except DatabaseError as exc:
        raise ImportRefused(f"A row refers to a row that is not in the export: {exc}") from exc


def _reset_sequences(data_files):
    """Rows came with their ids: the next row made here must not take one of them."""
    statements = connection.ops.sequence_reset_sql(no_style(), [d.model for d in data_files])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _store(zf, media, written):
    storage = storages[media.alias]
    with zf.open(media.member) as source:
        stored = storage.save(media.name, File(source, name=media.name))
    written.append((storage, stored))
    if stored != media.name:
        raise ImportRefused(f"{media.member}: the storage would keep it as {stored}.")
