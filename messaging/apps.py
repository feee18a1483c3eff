from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"

    def ready(self):
        from community import cards

        from . import card_kinds, receivers

        receivers.connect()
        cards.register_kind(card_kinds.NOTIFICATION)
