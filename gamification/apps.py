from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = "Gamification"

    def ready(self):
        # Registers gamification's audit actions (module level in the services).
        from . import receivers
        from .services import levels, rules  # noqa: F401

        receivers.connect()

        from community import cards

        from . import card_kinds, directory

        cards.register_kind(card_kinds.BOARD_ROW)

        # A points sort and a level filter in the member directory, points and level
        # columns in the member export.
        directory.register()

        from community.profile_panels import register_profile_panel

        from .views import profile_panel

        # The member's points, level, progress and rank on their profile.
        register_profile_panel("gamification/_profile_panel.html", profile_panel)
