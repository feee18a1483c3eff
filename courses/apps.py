from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from community import analytics, cards, live, search

        # Registers courses' audit actions (module level in the services).
        from . import access, card_kinds, search_kinds
        from .analytics import SERIES
        from .services import authoring, learning  # noqa: F401

        live.register_topic("course", access.may_receive_course_topic)
        cards.register_kind(card_kinds.COURSE)
        for series in SERIES:
            analytics.register_series(series)
        for source in search_kinds.KINDS:
            search.register_source(source)
