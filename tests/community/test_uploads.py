"""clean_image / clean_avatar: the one gate every uploaded image passes."""

import io
import re
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from community.uploads import clean_avatar, clean_image

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def image_bytes(fmt, *, mode="RGB", size=(40, 30), color="red", **save_options):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save_options)
    return buffer.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def reopen(cleaned):
    cleaned.seek(0)
    image = Image.open(io.BytesIO(cleaned.read()))
    image.load()
    return image


def stored_bytes(cleaned):
    cleaned.seek(0)
    return cleaned.read()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width, height):
    """A tiny PNG that declares width x height RGB pixels (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def refusal_code(upload_file, **options):
    with pytest.raises(ValidationError) as caught:
        clean_image(upload_file, **options)
    return caught.value.code


# Accepted images


@pytest.mark.parametrize(
    ("fmt", "uploaded_name", "stored_format", "extension"),
    [
        ("PNG", "holiday.png", "PNG", "png"),
        ("JPEG", "holiday.jpg", "JPEG", "jpg"),
        ("GIF", "holiday.gif", "PNG", "png"),
        ("WEBP", "holiday.webp", "WEBP", "webp"),
    ],
)
def test_it_accepts_supported_images_and_re_encodes_them(
    fmt, uploaded_name, stored_format, extension
):
    original = image_bytes(fmt)

    cleaned = clean_image(upload(uploaded_name, original))

    image = reopen(cleaned)
    assert image.format == stored_format
    assert image.size == (40, 30)
    assert RANDOM_NAME.match(cleaned.name)
    assert cleaned.name.endswith(f".{extension}")
    assert "holiday" not in cleaned.name


def test_it_sniffs_the_type_from_the_bytes_not_the_name():
    cleaned = clean_image(upload("photo.gif", image_bytes("JPEG")))

    assert reopen(cleaned).format == "JPEG"
    assert cleaned.name.endswith(".jpg")


def test_it_gives_every_upload_a_different_random_name():
    data = image_bytes("PNG")

    names = {clean_image(upload("same.png", data)).name for _ in range(5)}

    assert len(names) == 5
    assert all(RANDOM_NAME.match(name) for name in names)


def test_it_accepts_a_multi_picture_jpeg_from_a_phone_camera():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(
        buffer, format="MPO", save_all=True, append_images=[Image.new("RGB", (40, 30))]
    )

    cleaned = clean_image(upload("IMG_0001.jpg", buffer.getvalue()))

    assert reopen(cleaned).format == "JPEG"
    assert cleaned.name.endswith(".jpg")


def test_it_strips_exif_metadata_from_a_jpeg():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x013B] = "Jane Doe"  # Artist
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif()[0x013B] == "Jane Doe"

    cleaned = clean_image(upload("me.jpg", original))

    image = reopen(cleaned)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"Jane Doe" not in stored_bytes(cleaned)
    assert b"SpyCam" not in stored_bytes(cleaned)


def test_it_turns_a_jpeg_upright_from_its_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    original = image_bytes("JPEG", size=(40, 30), exif=exif.tobytes())

    image = reopen(clean_image(upload("sideways.jpg", original)))

    assert image.size == (30, 40)


def test_it_strips_comments_and_xmp_from_a_jpeg():
    original = image_bytes(
        "JPEG",
        comment=b"<script>alert(1)</script>",
        xmp=b"<x:xmpmeta>GPSLatitude 48.8584</x:xmpmeta>",
    )

    data = stored_bytes(clean_image(upload("me.jpg", original)))

    assert b"<script>" not in data
    assert b"GPSLatitude" not in data


def test_it_strips_text_chunks_and_exif_from_a_png():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"
    original = image_bytes("PNG", pnginfo=info, exif=exif.tobytes())

    data = stored_bytes(clean_image(upload("me.png", original)))

    assert b"<script>" not in data
    assert b"Jane Doe" not in data


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_it_accepts_an_image_whose_exif_is_corrupt(fmt):
    original = image_bytes(fmt, exif=b"Exif\x00\x00garbage")

    cleaned = clean_image(upload(f"broken-exif.{fmt.lower()}", original))

    assert reopen(cleaned).size == (40, 30)


def test_it_keeps_transparency_in_a_png():
    original = image_bytes("PNG", mode="RGBA", color=(255, 0, 0, 64))

    cleaned = clean_image(upload("logo.png", original))

    image = reopen(cleaned)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0)) == (255, 0, 0, 64)


def test_it_keeps_the_transparent_colour_of_a_palette_gif():
    frame = Image.new("P", (40, 30), 0)
    frame.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    frame.paste(1, (0, 0, 20, 30))
    buffer = io.BytesIO()
    frame.save(buffer, format="GIF", transparency=0)

    image = reopen(clean_image(upload("sticker.gif", buffer.getvalue())))

    rgba = image.convert("RGBA")
    assert rgba.getpixel((5, 5)) == (255, 0, 0, 255)
    assert rgba.getpixel((35, 5))[3] == 0


def test_it_accepts_a_gif_polyglot_only_as_clean_image_bytes():
    payload = b"<html><script>alert(document.cookie)</script></html>"
    polyglot = image_bytes("GIF", comment=b"<script>alert(1)</script>") + payload

    cleaned = clean_image(upload("funny.gif", polyglot))

    data = stored_bytes(cleaned)
    assert b"<script" not in data
    assert b"<html>" not in data
    assert reopen(cleaned).format == "PNG"
    assert cleaned.name.endswith(".png")


def test_it_drops_bytes_appended_after_a_jpeg():
    polyglot = image_bytes("JPEG") + b"<?php system($_GET['c']); ?>"

    data = stored_bytes(clean_image(upload("photo.jpg", polyglot)))

    assert b"<?php" not in data


def test_it_scales_a_large_avatar_down_to_the_avatar_size(settings):
    settings.AGORA_AVATAR_SIZE = 64
    original = image_bytes("PNG", size=(400, 200))

    cleaned = clean_avatar(upload("me.png", original))

    assert reopen(cleaned).size == (64, 32)
    assert RANDOM_NAME.match(cleaned.name)


def test_it_scales_an_avatar_to_the_configured_default_size(settings):
    side = settings.AGORA_AVATAR_SIZE
    original = image_bytes("JPEG", size=(side * 2, side * 3))

    image = reopen(clean_avatar(upload("me.jpg", original)))

    assert max(image.size) == side
    assert image.size == (side * 2 // 3, side)


def test_it_leaves_a_small_avatar_at_its_own_size(settings):
    settings.AGORA_AVATAR_SIZE = 64
    original = image_bytes("PNG", size=(32, 16))

    assert reopen(clean_avatar(upload("me.png", original))).size == (32, 16)


# Refused files


def test_it_rejects_a_text_file_named_like_an_image():
    evil = upload("evil.png", b"just some text, not an image\n" * 10, "image/png")

    assert refusal_code(evil) == "invalid_image"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.jpg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        (
            "drawing.jpg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
            b'onload="alert(1)"><rect width="10" height="10"/></svg>',
        ),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_it_rejects_html_and_svg_disguised_as_images(name, data):
    assert refusal_code(upload(name, data, "image/jpeg")) == "invalid_image"


def test_it_rejects_an_empty_file():
    assert refusal_code(upload("empty.png", b"")) == "invalid_image"


def test_it_rejects_a_file_over_the_size_limit():
    data = image_bytes("PNG", size=(200, 200))
    too_big = upload("big.png", data)

    with pytest.raises(ValidationError) as caught:
        clean_image(too_big, max_bytes=len(data) - 1)

    assert caught.value.code == "file_too_large"
    assert "limit" in caught.value.messages[0]


def test_it_accepts_a_file_exactly_at_the_size_limit():
    data = image_bytes("PNG")

    cleaned = clean_image(upload("ok.png", data), max_bytes=len(data))

    assert reopen(cleaned).format == "PNG"


def test_it_rejects_a_file_one_byte_over_the_real_ten_megabyte_limit(settings):
    assert settings.AGORA_IMAGE_MAX_BYTES == 10 * 1024 * 1024
    data = image_bytes("PNG") + b"\x00" * (10 * 1024 * 1024 + 1)

    with pytest.raises(ValidationError) as caught:
        clean_image(upload("huge.png", data))

    assert caught.value.code == "file_too_large"
    assert "10.0\xa0MB" in caught.value.messages[0]


def test_it_rejects_an_avatar_over_the_image_size_limit(settings):
    settings.AGORA_IMAGE_MAX_BYTES = 1000
    data = image_bytes("PNG", size=(200, 200)) + b"\x00" * 1000

    with pytest.raises(ValidationError) as caught:
        clean_avatar(upload("me.png", data))

    assert caught.value.code == "file_too_large"


def test_it_rejects_a_truncated_png():
    noisy = Image.effect_noise((300, 300), 64).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    data = buffer.getvalue()

    assert refusal_code(upload("cut.png", data[: len(data) // 2])) == "invalid_image"


def test_it_rejects_a_truncated_jpeg():
    noisy = Image.effect_noise((300, 300), 64).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, format="JPEG")
    data = buffer.getvalue()

    assert refusal_code(upload("cut.jpg", data[: len(data) // 2])) == "invalid_image"


@pytest.mark.parametrize(("fmt", "name"), [("BMP", "old.bmp"), ("TIFF", "scan.png")])
def test_it_rejects_valid_images_of_unsupported_types(fmt, name):
    assert refusal_code(upload(name, image_bytes(fmt))) == "unsupported_image_type"


def test_it_explains_which_image_types_are_supported():
    with pytest.raises(ValidationError) as caught:
        clean_image(upload("old.bmp", image_bytes("BMP")))

    assert "JPEG, PNG, GIF or WebP" in caught.value.messages[0]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [100_000, 10_000, 7_000])
def test_it_rejects_a_decompression_bomb_as_too_many_pixels(side):
    bomb = upload("bomb.png", png_header_only(side, side))

    with pytest.raises(ValidationError) as caught:
        clean_image(bomb)

    assert caught.value.code == "image_too_large"
    assert caught.value.messages == ["This image has too many pixels."]


def test_it_rejects_a_decompression_bomb_without_using_much_memory():
    """Measured in a fresh interpreter: a 100000x100000 RGB image would need 30 GB."""
    script = textwrap.dedent(
        f"""
        import resource, sys
        import django
        from django.conf import settings
        settings.configure(AGORA_IMAGE_MAX_BYTES=10_000_000, AGORA_AVATAR_SIZE=512)
        django.setup()
        from django.core.exceptions import ValidationError
        from django.core.files.uploadedfile import SimpleUploadedFile
        from community.uploads import clean_image
        bomb = SimpleUploadedFile("bomb.png", {png_header_only(100_000, 100_000)!r})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            clean_image(bomb)
        except ValidationError as exc:
            code = exc.code
        else:
            code = "accepted"
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(code, after - before)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    code, grown_kib = result.stdout.split()
    assert code != "accepted"
    assert int(grown_kib) < 20 * 1024  # under 20 MB more than the interpreter already used
