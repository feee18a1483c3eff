from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        # The live topics and card kinds community owns; other apps register theirs the
        # same way.
        from . import access, card_kinds, cards, live

        live.register_topic("user", access.may_receive_user_topic)
        live.register_topic("space", access.may_receive_space_topic)
        live.register_topic("post", access.may_receive_post_topic)

        cards.register_kind(card_kinds.POST)
        cards.register_kind(card_kinds.COMMENT)
