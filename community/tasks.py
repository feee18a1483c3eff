from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions():
    """Periodic: removes expired sessions from the database (idempotent)."""
    call_command("clearsessions")
