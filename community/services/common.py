from django.contrib.contenttypes.models import ContentType

from community.models import AuditEntry


def reject_unknown(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def audit(actor, action, target, reason=""):
    """Call inside the transaction of the change it records."""
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        reason=reason,
    )
