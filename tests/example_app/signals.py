from django.dispatch import Signal

workshop_cancelled = Signal()  # workshop_id
