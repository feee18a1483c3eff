"""When a drip module opens for a member: at midnight in the member's own time zone, on
its date or a number of days after the day they enrolled. Pure functions of the module,
the enrollment and the zone, so the pages, the API and the unlock task agree; open_modules
is is_locked's twin in SQL, for lists (search) that filter many lessons at once."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Func, IntegerField, Q


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
    """The modules not locked for a member now (is_locked in SQL): a Q on modules, or on
    lessons with `prefix` "module__" for the module's own fields (the course is each row's
    own `course_id`: a lesson keeps its module's), given all the member's enrollments and
    their zone.
    A module's day has come when it is not after the member's `today`: midnight of that day
    (opens_at) is then not after `now`, whatever daylight saving did to it."""
    today = now.astimezone(zone).date()
    released = [row.course_id for row in enrollments if row.released_at is not None]
    # How many of the member's days have begun since they enrolled, per course.
    waited = {
        row.course_id: (today - row.enrolled_at.astimezone(zone).date()).days
        for row in enrollments
        if row.released_at is None
    }
    days_come = Q(**{f"{prefix}drip_days__isnull": True})
    if waited:
        days_come |= Q(**{f"{prefix}drip_days__lte": _DaysWaited(waited)})
    date_come = Q(**{f"{prefix}drip_date__isnull": True}) | Q(**{f"{prefix}drip_date__lte": today})
    return Q(course_id__in=released) | (date_come & days_come)


class _DaysWaited(Func):
    """`CASE course_id WHEN %s THEN %s … ELSE -1 END` (on PostgreSQL, its twin on two
    arrays): the days waited in each course of `waited` ({course id: days}), -1 in any other
    (no module opens by it there, negated or not). One expression with its values as
    parameters: as a When (or a Q) per course, Django resolved a lookup for each of them,
    4-6 ms for a member of 80 courses on every list of lessons."""

    def __init__(self, waited):
        whens = "WHEN %%s THEN %%s " * len(waited)
        self.template = f"CASE %(expressions)s {whens}ELSE -1 END"
        self.waited = waited
        super().__init__(F("course_id"), output_field=IntegerField())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        pairs = [value for course_days in self.waited.items() for value in course_days]
        return sql, (*params, *pairs)

    def as_postgresql(self, compiler, connection, **extra_context):
        # Two arrays whatever the number of courses: psycopg parses a query of more than 50
        # parameters again at every run (it caches fewer), 1-1.6 ms for a member of 80
        # courses (167 parameters) on every list of lessons, search's included.
        course, params = compiler.compile(self.source_expressions[0])
        sql = f"coalesce((%s::integer[])[array_position(%s::bigint[], {course})], -1)"
        return sql, (list(self.waited.values()), list(self.waited), *params)
