from django.db import transaction
from django.utils import timezone

from community import access, audit, effects, live

from . import signals

CANCEL = audit.register_action("example_app.cancel", "Cancelled a workshop")


def cancel_workshop(actor, *, workshop, reason=""):
    """Admins cancel, and so does the system (e.g. a scheduled job), with an audit entry."""
    access.check_can_administer(actor)
    with transaction.atomic():
        workshop.cancelled_at = timezone.now()
        workshop.save(update_fields=["cancelled_at"])
        audit.record(actor, CANCEL, workshop, reason)
        live.publish_on_commit(f"workshop:{workshop.pk}", "workshop.cancelled", id=workshop.pk)
        effects.send_signal_on_commit(signals.workshop_cancelled, workshop_id=workshop.pk)
    return workshop
