"""The branding's rules, shared by the model, the admins' form and the API (no model import,
so that models may use them as field validators).

A primary colour is `#rgb` or `#rrggbb`, nothing else: it is written into a stylesheet and
into every mail's inline styles, so text such as `red; background:url(x)` must never get
there. Buttons, the brand mark and badges print white text on it, and links print it on
white, so it needs WCAG AA's 4.5:1 contrast against white (the ratio is symmetric: one check
covers both uses).
"""

import re

from django.core.exceptions import ValidationError

MIN_CONTRAST = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
DOMAIN_MAX = 253


# --- Colours -------------------------------------------------------------------------------


def _channels(color):
    digits = color[1:]
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


def _luminance(color):
    """WCAG 2's relative luminance of a `#rrggbb` colour."""

    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(color):
    """The WCAG contrast ratio of white on `color` (a `#rrggbb`), from 1 to 21."""
    return 1.05 / (_luminance(color) + 0.05)


def darker_suggestion(color):
    """The same hue darkened just enough for MIN_CONTRAST against white."""
    r, g, b = _channels(color)
    for step in range(100, -1, -1):
        factor = step / 100
        candidate = "#" + "".join(f"{round(c * factor):02x}" for c in (r, g, b))
        if contrast_with_white(candidate) >= MIN_CONTRAST:
            return candidate
    return "#000000"


def clean_color(value):
    """`value` as a lowercase `#rrggbb`; ValidationError if it is not a hex colour or white
    text on it would be hard to read."""
    text = str(value or "").strip()
    match = _HEX.fullmatch(text)
    if not match or not text.startswith("#"):
        raise ValidationError(
            "Give the colour as #rrggbb or #rgb (for example #4f46e5).", code="invalid_color"
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    color = f"#{digits}"
    ratio = contrast_with_white(color)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            "White text on %(color)s has a contrast of %(ratio).2f:1; buttons and links need "
            "at least %(needed)s:1 to be readable. Try a darker shade, such as %(suggestion)s.",
            code="low_contrast",
            params={"color": color, "ratio": ratio, "needed": MIN_CONTRAST,
                    "suggestion": darker_suggestion(color)},
        )  # fmt: skip
    return color


def validate_primary_color(value):
    """The model field's validator: the stored value must be what clean_color gives."""
    if value and clean_color(value) != value:
        raise ValidationError("Store the colour as lowercase #rrggbb.", code="invalid_color")


# --- The custom domain -------------------------------------------------------------------


def clean_domain(value):
    """`value` as a lowercase host name (IDNs in their xn-- form): no scheme, path, port or
    IP address; ValidationError otherwise."""
    text = str(value or "").strip().lower().rstrip(".")
    if any(mark in text for mark in ("://", "/", ":", "@", "*", " ", "?", "#")):
        raise ValidationError(
            "Give the host name alone, such as community.example.com: no https://, path or port.",
            code="invalid_domain",
        )
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError("This is not a valid host name.", code="invalid_domain") from exc
    labels = text.split(".")
    if (
        len(text) > DOMAIN_MAX
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            "This is not a valid host name: use a name such as community.example.com (an IP "
            "address is not a domain).",
            code="invalid_domain",
        )
    return text


def validate_custom_domain(value):
    if value and clean_domain(value) != value:
        raise ValidationError("Store the domain in lowercase.", code="invalid_domain")
