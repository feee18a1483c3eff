from django.apps import AppConfig


class ExampleAppConfig(AppConfig):
    name = "tests.example_app"
    label = "example_app"

    def ready(self):
        from community import live

        from . import access, services  # noqa: F401  (services registers its audit actions)

        live.register_topic("workshop", access.may_receive_workshop_topic)
