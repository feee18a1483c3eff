"""Side effects of a write, run after its transaction commits and never able to break it.

A committed write is the member's result: a listener that raises, a channel layer that is
down or a broker that refuses a task must not turn it into an error page, nor stop the
effects queued after it. Each effect runs as its own robust on_commit callback (Django logs
a failing one with its traceback and runs the next), and the functions here log their own
failures too, so a failure shows in the log, names its cause and harms nothing else.

Never call a task's `.delay()`, `live.broadcast_rollback_unsafe` or `Signal.send` from a
service: a transaction that rolls back would already have announced what never happened.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def on_commit(callback):
    """Runs `callback` once the current transaction commits (at once outside one); its
    exception is logged, and the other callbacks still run."""
    transaction.on_commit(callback, robust=True)


def enqueue_on_commit(task, *args, **kwargs):
    """Queues a Celery task after commit. A broker that refuses it is logged; the periodic
    reconcile jobs repair whatever that task would have recomputed."""

    def enqueue():
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.exception("Task %s%r was not queued", task.name, args)

    on_commit(enqueue)


def send_signal_on_commit(signal, **kwargs):
    """Sends a domain signal after commit to every receiver, whatever the others do: each
    receiver's exception is logged with its traceback (Signal.send_robust)."""

    def send():
        for receiver, result in signal.send_robust(sender=None, **kwargs):
            if isinstance(result, Exception):
                logger.error(
                    "Receiver %r of a domain signal failed (%s)",
                    receiver,
                    ", ".join(f"{k}={v!r}" for k, v in kwargs.items()),
                    exc_info=result,
                )

    on_commit(send)
