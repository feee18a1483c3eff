from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        # Registers payments' audit actions (module level in services).
        from . import services  # noqa: F401
