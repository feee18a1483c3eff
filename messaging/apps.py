from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from community import cards, live, profile_panels, search

        from . import access, card_kinds, receivers, search_kinds
        from .views.conversations import profile_panel

        receivers.connect()
        live.register_topic("conversation", access.may_receive_conversation_topic)
        for kind in (card_kinds.NOTIFICATION, card_kinds.CONVERSATION, card_kinds.MESSAGE):
            cards.register_kind(kind)
        search.register_source(search_kinds.MESSAGES)
        profile_panels.register_profile_panel("messaging/_profile_panel.html", profile_panel)
