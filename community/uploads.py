"""The one gate for uploaded files: every feature that stores a member's file calls it.

A file is checked for size, its type is sniffed from its bytes (never its name), images are
decoded in full and re-encoded (which drops metadata and anything hidden after the pixels),
and the stored name is random.
"""

import contextlib
import io
import struct
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
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
