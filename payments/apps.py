from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from community import analytics

        # Registers payments' audit actions (module level in services).
        from . import services  # noqa: F401
        from .analytics import SERIES

        for series in SERIES:
            analytics.register_series(series)
