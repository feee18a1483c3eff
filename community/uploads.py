"""The one gate for uploaded files: every feature that stores a member's file calls it.

A file is checked for size, its type is sniffed from its bytes (never its name), images are
decoded in full and re-encoded (which drops metadata and anything hidden after the pixels),
and the stored name is random. clean_image keeps images (re-encoded); clean_file keeps
other files as they came once their type is one the caller allows.
"""

import codecs
import contextlib
import io
import os
import re
import struct
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's format name -> (stored extension, format to re-encode to)
IMAGE_FORMATS = {
    "JPEG": ("jpg", "JPEG"),
    "MPO": ("jpg", "JPEG"),  # a multi-picture JPEG, as many phone cameras write them
    "PNG": ("png", "PNG"),
    "GIF": ("png", "PNG"),
    "WEBP": ("webp", "WEBP"),
}
MAX_IMAGE_PIXELS = 40_000_000
# image.info entries that carry pixels' meaning, kept on re-encoding; any other (comments,
# EXIF, XMP, text chunks) is dropped rather than copied into the stored file by Pillow.
KEPT_IMAGE_INFO = {"transparency", "icc_profile"}


def _too_many_pixels():
    return ValidationError("This image has too many pixels.", code="image_too_large")


def check_size(upload, max_bytes):
    if upload.size > max_bytes:
        raise ValidationError(
            "This file is %(size)s; the limit is %(limit)s.",
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )


def _open_image(upload):
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels()
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:  # Pillow refuses it before we can measure it
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(
            "This file is not an image we can read (use JPEG, PNG, GIF or WebP).",
            code="invalid_image",
        ) from exc
    if kind not in IMAGE_FORMATS:
        raise ValidationError(
            "Images must be JPEG, PNG, GIF or WebP.", code="unsupported_image_type"
        )
    return image, kind


def clean_image(upload, *, max_bytes=None, max_side=None):
    """Validate an uploaded image and return a re-encoded ContentFile with a random name."""
    check_size(upload, max_bytes or settings.AGORA_IMAGE_MAX_BYTES)
    image, kind = _open_image(upload)
    extension, output_format = IMAGE_FORMATS[kind]
    # Unreadable EXIF (Pillow raises on a corrupt eXIf chunk): keep the pixels as stored.
    with contextlib.suppress(SyntaxError, ValueError, OSError, struct.error):
        image = ImageOps.exif_transpose(image)
    if max_side:
        image.thumbnail((max_side, max_side))
    if output_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif output_format == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.info = {key: value for key, value in image.info.items() if key in KEPT_IMAGE_INFO}
    buffer = io.BytesIO()
    image.save(buffer, format=output_format, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def clean_avatar(upload):
    return clean_image(upload, max_side=settings.AGORA_AVATAR_SIZE)


# --- Other files (course attachments and videos) ------------------------------------------
#
# The type comes from the bytes, through the `filetype` package (magic numbers, no system
# library), never from the name or the browser's Content-Type. Two families need more than
# a magic number:
# - Office documents (docx, xlsx, pptx) are ZIP archives: one is told from a plain ZIP by
#   its central directory, which lists "[Content_Types].xml" and the part that makes its
#   kind (word/document.xml, xl/workbook.xml, ppt/presentation.xml). The order of entries
#   in an archive is free, so this reads the directory rather than the first bytes.
# - Text has no magic number: a file is text when all of it decodes as UTF-8 and it holds
#   no NUL byte. The name then only chooses between the text flavours (.md, .csv, else
#   .txt), all served as text.

PDF = "application/pdf"
ZIP = "application/zip"
PNG, JPEG, GIF, WEBP = "image/png", "image/jpeg", "image/gif", "image/webp"
TEXT, MARKDOWN, CSV = "text/plain", "text/markdown", "text/csv"
MP3, MP4, WEBM = "audio/mpeg", "video/mp4", "video/webm"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

FILE_EXTENSIONS = {
    PDF: "pdf", ZIP: "zip", PNG: "png", JPEG: "jpg", GIF: "gif", WEBP: "webp",
    TEXT: "txt", MARKDOWN: "md", CSV: "csv", MP3: "mp3", MP4: "mp4", WEBM: "webm",
    DOCX: "docx", XLSX: "xlsx", PPTX: "pptx",
}  # fmt: skip
FILE_TYPE_NAMES = {
    PDF: "PDF", ZIP: "ZIP", PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WebP", TEXT: "text",
    MARKDOWN: "Markdown", CSV: "CSV", MP3: "MP3", MP4: "MP4", WEBM: "WebM", DOCX: "Word",
    XLSX: "Excel", PPTX: "PowerPoint",
}  # fmt: skip
ATTACHMENT_TYPES = frozenset(FILE_EXTENSIONS)
VIDEO_TYPES = frozenset({MP4, WEBM})
TEXT_TYPES = frozenset({TEXT, MARKDOWN, CSV})
IMAGE_TYPES = frozenset({PNG, JPEG, GIF, WEBP})
OFFICE_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
# What `filetype` may call a ZIP-based file: each is opened and told apart as above.
ZIP_FAMILY = {ZIP, DOCX, XLSX, PPTX, "application/epub+zip",
              "application/vnd.oasis.opendocument.text",
              "application/vnd.oasis.opendocument.spreadsheet",
              "application/vnd.oasis.opendocument.presentation"}  # fmt: skip
SNIFF_BYTES = 8192  # as much as `filetype`'s longest signature reads
DOWNLOAD_NAME_MAX = 120


@dataclass(frozen=True)
class CleanedFile:
    """An accepted upload: `file` is it under a random name (assign it to a FileField),
    `content_type` the sniffed type, `name` a safe download name with the type's extension."""

    file: File
    content_type: str
    name: str
    size: int


def _office_or_zip(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" in names:
        for content_type, part in OFFICE_PARTS.items():
            if part in names:
                return content_type
    return ZIP


def _text_type(upload, name):
    upload.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    extension = os.path.splitext(name)[1].lower()
    return {".md": MARKDOWN, ".markdown": MARKDOWN, ".csv": CSV}.get(extension, TEXT)


def _is_readable_image(upload):
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_IMAGE_PIXELS:
                return False
            probe.verify()
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError):
        return False
    return True


def sniff_type(upload, *, name=""):
    """The file's type from its bytes (None: not one we know)."""
    upload.seek(0)
    kind = filetype.guess(upload.read(SNIFF_BYTES))
    mime = kind.mime if kind else None
    if mime in ZIP_FAMILY:
        return _office_or_zip(upload)
    if mime in IMAGE_TYPES and not _is_readable_image(upload):
        return None
    if mime is None:
        return _text_type(upload, name)
    return mime


def safe_download_name(name, content_type):
    """The uploader's name reduced to a harmless one (no path, quotes or control
    characters), with the extension of the type its bytes have."""
    stem = os.path.splitext(os.path.basename(str(name).replace("\\", "/")))[0]
    stem = unicodedata.normalize("NFKC", stem)
    stem = re.sub(r"[^\w .()-]+", "_", stem).strip(" ._-")[: DOWNLOAD_NAME_MAX - 6]
    return f"{stem or 'file'}.{FILE_EXTENSIONS.get(content_type, 'bin')}"


def _types_sentence(allowed):
    names = sorted({FILE_TYPE_NAMES.get(t, t) for t in allowed}, key=str.lower)
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def clean_file(upload, *, allowed, max_bytes):
    """Validate an uploaded file of one of the `allowed` content types (FILE_EXTENSIONS'
    keys) up to `max_bytes`; returns a CleanedFile. ValidationError otherwise (no field:
    the caller names it)."""
    check_size(upload, max_bytes)
    if not upload.size:
        raise ValidationError("This file is empty.", code="empty_file")
    name = getattr(upload, "name", "") or ""
    content_type = sniff_type(upload, name=name)
    upload.seek(0)
    if content_type not in allowed:
        raise ValidationError(
            "This type of file is not accepted here (use %(types)s).",
            code="unsupported_file_type",
            params={"types": _types_sentence(allowed)},
        )
    stored = File(upload, name=f"{uuid.uuid4().hex}.{FILE_EXTENSIONS[content_type]}")
    return CleanedFile(
        file=stored,
        content_type=content_type,
        name=safe_download_name(name, content_type),
        size=upload.size,
    )
