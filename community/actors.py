"""Who acts when no person does.

Services take the actor first. A Stripe webhook granting a tier, a scheduled job releasing a
module or a reconcile task passes `system(cause=…)`: access.can_administer lets it run the
admins' services (grants, spaces) and nothing else answers yes for it (it cannot post,
moderate a thread or see a paid space), and the audit log shows "system" with the cause.
It is a plain object, never a `User`, so no request, session or token can carry it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    cause: str

    is_authenticated = False
    is_active = False
    pk = None

    def __str__(self):
        return f"system ({self.cause})"


def system(cause):
    """The actor for a service run without a person; `cause` says what triggered it."""
    cause = (cause or "").strip()
    if not cause:
        raise ValueError("The system acts for a reason: give the cause (e.g. the event id).")
    return SystemActor(cause=cause[:200])
