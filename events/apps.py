from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from community import analytics, cards, live, search

        # Registers events' audit actions (module level in the services).
        from . import access, card_kinds, search_kinds
        from .analytics import SERIES
        from .services import authoring, imports, occurrences  # noqa: F401

        live.register_topic("event", access.may_receive_event_topic)
        cards.register_kind(card_kinds.OCCURRENCE)
        for series in SERIES:
            analytics.register_series(series)
        search.register_source(search_kinds.EVENTS)
