"""The one write of the community's branding (the admins' page and the API call it)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from community import audit, branding, effects
from community.access import check_can_administer
from community.models import Branding
from community.models.branding import NAME_MAX
from community.uploads import clean_image
from community.validators import clean_color, clean_domain

from .common import reject_unknown

TEXT_FIELDS = ("name", "primary_color", "custom_domain")
LOGO_MAX_SIDE = 1024
FAVICON_MAX_SIDE = 256
LABELS = {"name": "name", "primary_color": "colour", "custom_domain": "custom domain",
          "logo": "logo", "favicon": "favicon"}  # fmt: skip


def _clean_name(value):
    name = " ".join(str(value).split())
    if len(name) > NAME_MAX:
        raise ValidationError(
            "A name has at most %(max)s characters.", code="max_length", params={"max": NAME_MAX}
        )
    return name


CLEANERS = {
    "name": _clean_name,
    "primary_color": lambda value: clean_color(value) if str(value).strip() else "",
    "custom_domain": lambda value: clean_domain(value) if str(value).strip() else "",
}


def _cleaned(changes, files):
    """The changes validated (blank text: back to the env default), and the images through
    the shared upload gate; ValidationError naming every bad field."""
    reject_unknown(changes, TEXT_FIELDS)
    cleaned, errors = {}, {}
    for name, value in changes.items():
        try:
            cleaned[name] = CLEANERS[name]("" if value is None else value)
        except ValidationError as exc:
            errors[name] = exc.messages
    max_sides = {"logo": LOGO_MAX_SIDE, "favicon": FAVICON_MAX_SIDE}
    for name, upload in files.items():
        if upload:
            try:
                cleaned[name] = clean_image(upload, max_side=max_sides[name])
            except ValidationError as exc:
                errors[name] = exc.messages
        else:
            cleaned[name] = None  # removed
    if errors:
        raise ValidationError(errors)
    return cleaned


def update_branding(actor, *, logo=False, favicon=False, **changes):
    """Changes the branding (admins only). `changes`: name, primary_color, custom_domain,
    blank for the env default; `logo`, `favicon`: an upload, None to remove, False (the
    default) to leave as is. Validates everything first and changes nothing on an error
    (ValidationError by field); audited; every page and mail reads the new branding at
    once. Returns the Branding row."""
    check_can_administer(actor)
    files = {name: upload for name, upload in (("logo", logo), ("favicon", favicon))
             if upload is not False}  # fmt: skip
    cleaned = _cleaned(changes, files)
    # New images are stored before the transaction (a stored file cannot be rolled back),
    # and deleted again if the row is not saved.
    stored = {name: _store(name, value) for name, value in cleaned.items()
              if name in files and value is not None}  # fmt: skip
    cleaned.update(stored)
    try:
        row = _save(actor, cleaned)
    except Exception:
        for name, file_name in stored.items():
            Branding._meta.get_field(name).storage.delete(file_name)
        raise
    return row


def _store(name, image):
    field = Branding._meta.get_field(name)
    return field.storage.save(field.generate_filename(None, image.name), image)


def _save(actor, cleaned):
    with transaction.atomic():
        Branding.objects.get_or_create(pk=Branding.SINGLETON_ID)
        row = Branding.objects.select_for_update().get(pk=Branding.SINGLETON_ID)
        changed = [name for name, value in cleaned.items() if _differs(row, name, value)]
        for name in changed:
            _apply(row, name, cleaned[name])
        row.full_clean()
        row.save()
        if changed:
            summary = ", ".join(LABELS[name] for name in changed)
            audit.record(actor, audit.BRANDING, row, reason=f"Changed: {summary}")
        branding.forget()
        # Again once committed: a request that read the old row meanwhile cached it.
        effects.on_commit(branding.forget)
    return row


def _differs(row, name, value):
    if name in ("logo", "favicon"):
        return value is not None or bool(getattr(row, name))
    return getattr(row, name) != value


def _apply(row, name, value):
    """Sets a text field, or points an image field at its stored file ("" for none); a
    replaced file leaves the storage once the change is committed."""
    if name in ("logo", "favicon"):
        old = getattr(row, name)
        if old:
            storage, old_name = old.storage, old.name
            effects.on_commit(lambda: storage.delete(old_name))
        value = value or ""
    setattr(row, name, value)
