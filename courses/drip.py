"""When a drip module opens for a member: at midnight in the member's own time zone, on
its date or a number of days after the day they enrolled. Pure functions of the module,
the enrollment and the zone, so the pages, the API and the unlock task agree."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def member_zone(user):
    return ZoneInfo(getattr(user, "time_zone", None) or "UTC")


def opens_at(module, enrollment, zone):
    """The moment `module` opens for the member (None: it has no drip, or it is released).
    Without an enrollment a days-after module has no date yet (it counts from enrolling)."""
    if enrollment is not None and enrollment.released_at is not None:
        return None
    if module.drip_date is not None:
        day = module.drip_date
    elif module.drip_days is not None:
        if enrollment is None:
            return None
        day = enrollment.enrolled_at.astimezone(zone).date() + timedelta(days=module.drip_days)
    else:
        return None
    # Midnight where the member is; fold=0 picks the first of a repeated hour, and a
    # midnight skipped by a daylight-saving jump resolves to the moment after it.
    local = datetime.combine(day, time.min, tzinfo=zone)
    return datetime.fromtimestamp(local.timestamp(), tz=zone)


def is_locked(module, enrollment, zone, *, now):
    """Whether the member must still wait for `module` (a days-after module is locked until
    they enroll)."""
    if enrollment is not None and enrollment.released_at is not None:
        return False
    if module.drip_days is not None and enrollment is None:
        return True
    moment = opens_at(module, enrollment, zone)
    return moment is not None and moment > now
