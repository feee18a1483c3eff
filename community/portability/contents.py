"""What a community export holds, and the rules its zip follows (community/portability).

The zip:

    manifest.json                      format, version, site, apps, models with row counts
    data/<app_label>.<model>.jsonl     one file per model, a row per line (Django's JSON Lines
                                       serializer), in an order that loads parents first
    media/<storage alias>/<name>       every file of the community's storages ("default":
                                       avatars, covers, post and message images; "private":
                                       course videos and attachments)

Rows keep their primary keys, so foreign keys between them stay plain ids. The rows that
`migrate` makes in every install (content types, permissions, the admin site's groups) have
install-specific ids: rows refer to them by natural key (["community", "post"]) instead.
"""

import datetime
import re

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JsonLinesSerializer

FORMAT = "agora-community-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_FOLDER = "data/"
MEDIA_FOLDER = "media/"

# Every model of the project's apps...
APPS = ("community", "courses", "events", "gamification", "messaging", "payments")
# ...and what a member needs to sign in again: their addresses (verified or not, which is
# primary) and the Google or GitHub accounts linked to them. The user model is community's.
SIGN_IN_MODELS = ("account.emailaddress", "socialaccount.socialaccount")
# Left out, as they belong to the old server rather than to the community:
# - sessions: raw keys that sign a browser in (a copy in a file would be a way in), tied to
#   the old SECRET_KEY anyway; members sign in again, with the same password;
# - allauth's pending email confirmations (short-lived links), OAuth apps (client secrets are
#   configured per install) and OAuth tokens (issued to those apps; renewed at next sign-in);
# - the admin site's change log (the audit log, community.AuditEntry, moves);
# - content types, permissions and groups: `migrate` makes them (rows refer to them by name).
# Kept although secret-looking: API tokens are stored as a SHA-256 of a 256-bit random key
# (useless to a reader of the zip, and integrations keep working after the move), and
# calendar feed tokens (members' subscribed calendars keep working if the address does).
# Kept although derived: the analytics' daily rollups (community.DailyFigure), so the moved
# community shows the figures its old server counted (rows removed since included) at once;
# the import replaces those an empty install may have stored, and a row of another time
# zone than the new server's is not read but counted again. Likewise search's spelling
# vocabulary (community.SearchTerm): "Did you mean" works before the first nightly refresh.
# The zip still holds every member's address, password hash and messages: keep it private.
NATURAL_KEY_MODELS = (ContentType, Permission, Group)

# A zip member's name: relative, "/"-separated, no empty, "." or ".." part, no backslash,
# drive letter or control character (path traversal and its Windows spellings).
_UNSAFE_NAME = re.compile(r"[\\\x00-\x1f]|^[A-Za-z]:")


def exported_models():
    """The models an export holds, in load order: a model after those its foreign keys and
    many-to-many fields point to (cycles broken in registry order; the load is checked
    once at the end, as every backend defers foreign key checks to then)."""
    models = [
        model
        for label in APPS
        if apps.is_installed(label)
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    for label in SIGN_IN_MODELS:
        app_label, _, name = label.partition(".")
        if any(config.label == app_label for config in apps.get_app_configs()):
            models.append(apps.get_model(app_label, name))
    return _parents_first(models)


def _dependencies(model, among):
    related = [field.remote_field.model for field in model._meta.fields if field.remote_field]
    related += [field.remote_field.model for field in model._meta.many_to_many]
    return {other for other in related if other in among and other is not model}


def _parents_first(models):
    among = set(models)
    pending = {model: _dependencies(model, among) for model in models}
    ordered = []
    while pending:
        ready = [model for model, deps in pending.items() if not deps - set(ordered)]
        for model in ready or [next(iter(pending))]:  # a cycle: take the first, check later
            ordered.append(model)
            del pending[model]
    return ordered


def model_label(model):
    return model._meta.label_lower


def data_file(model):
    return f"{DATA_FOLDER}{model_label(model)}.jsonl"


def media_storage_aliases():
    """The storages whose files are the community's (every one but the static files')."""
    return [alias for alias in settings.STORAGES if alias != "staticfiles"]


def media_member(alias, name):
    return f"{MEDIA_FOLDER}{alias}/{name}"


def is_safe_member_name(name):
    """True for a plain relative name that cannot leave the folder it is unpacked in."""
    if not name or name.startswith("/") or _UNSAFE_NAME.search(name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


class ExactTimesEncoder(DjangoJSONEncoder):
    """Django's encoder keeps times to the millisecond (ECMA-262's format): an export keeps
    every microsecond, so the moved community's times are exactly the old ones (a time of
    .000456 s written as .000 would come back as a whole second, and a second export would
    differ from the first)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.utcoffset() is None:
            return o.isoformat()
        return super().default(o)


class RowSerializer(JsonLinesSerializer):
    """Django's JSON Lines serializer with natural keys for the rows `migrate` makes, and
    plain ids for every other relation (the community's own rows keep their ids), and times
    to the microsecond."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactTimesEncoder

    def _model_supports_natural_key(self, model):
        return issubclass(model, NATURAL_KEY_MODELS)

    def _resolve_fk_natural_key(self, obj, field):
        if field.remote_field.model is ContentType:  # from the cache: no query per row
            pk = getattr(obj, field.attname)
            return None if pk is None else ContentType.objects.get_for_id(pk).natural_key()
        return super()._resolve_fk_natural_key(obj, field)
