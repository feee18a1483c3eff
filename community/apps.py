from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        # The live topics, card kinds and analytics series community owns; other apps
        # register theirs the same way.
        from . import access, analytics, card_kinds, cards, live
        from .selectors.analytics import SERIES

        live.register_topic("user", access.may_receive_user_topic)
        live.register_topic("space", access.may_receive_space_topic)
        live.register_topic("post", access.may_receive_post_topic)

        cards.register_kind(card_kinds.POST)
        cards.register_kind(card_kinds.COMMENT)

        for series in SERIES:
            analytics.register_series(series)

        from . import search
        from .search import checks as search_checks
        from .search.kinds import KINDS

        for source in KINDS:
            search.register_source(source)
        search_checks.connect(self)

        from django.core import checks

        from . import branding

        checks.register(branding.check_env_branding)

        # The admin site's groups need every model's permissions, which exist only once
        # migrations have run: rewritten after each migrate, never by a data migration.
        from . import roles

        post_migrate.connect(roles.sync_groups, sender=self, dispatch_uid="community.roles")
