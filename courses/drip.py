"""When a drip module opens for a member: at midnight in the member's own time zone, on
its date or a number of days after the day they enrolled. Pure functions of the module,
the enrollment and the zone, so the pages, the API and the unlock task agree; open_modules
is is_locked's twin in SQL, for lists (search) that filter many lessons at once."""

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q


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


def open_modules(enrollments, zone, *, now, prefix=""):
    """The modules not locked for a member now (is_locked in SQL): a Q on modules, through
    `prefix` ("module__" from lessons), given all the member's enrollments and their zone.
    A module's day has come when it is not after the member's `today`: midnight of that day
    (opens_at) is then not after `now`, whatever daylight saving did to it."""
    today = now.astimezone(zone).date()
    released = [row.course_id for row in enrollments if row.released_at is not None]
    # Courses by how many of the member's days have begun since they enrolled: one clause
    # per count, not per course.
    waited = defaultdict(list)
    for row in enrollments:
        if row.released_at is None:
            waited[(today - row.enrolled_at.astimezone(zone).date()).days].append(row.course_id)
    days_come = Q(**{f"{prefix}drip_days__isnull": True})
    for days, course_ids in waited.items():
        days_come |= Q(**{f"{prefix}course_id__in": course_ids, f"{prefix}drip_days__lte": days})
    date_come = Q(**{f"{prefix}drip_date__isnull": True}) | Q(**{f"{prefix}drip_date__lte": today})
    return Q(**{f"{prefix}course_id__in": released}) | (date_come & days_come)
