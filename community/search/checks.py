"""Keeping the index in step with the settings and the schema, checked and repaired when
`migrate` runs."""

from django.core import checks
from django.db.models.signals import post_migrate

from . import indexes
from .sources import registered_sources


def check_index_language(app_configs=None, databases=None, **kwargs):
    """Warns when SEARCH_LANGUAGE is not the language the index was built in (searches
    still use the built one, so they keep working until the index is rebuilt)."""
    if not databases or "default" not in databases or indexes.agrees_with_setting() is not False:
        return []
    return [
        checks.Warning(
            "The search index was built in another language than SEARCH_LANGUAGE.",
            hint="Run `manage.py rebuild_search_index` to build it in the new one.",
            id="community.W101",
        )
    ]


def _repair_after_migrate(sender, **kwargs):
    indexes.repair_sqlite_triggers(registered_sources())


def connect(app_config):
    checks.register(check_index_language, checks.Tags.database)
    # Sent once for community after every app's migrations ran, other apps' kinds included.
    post_migrate.connect(
        _repair_after_migrate, sender=app_config, dispatch_uid="community.search.repair"
    )
