"""Courses' idempotent tasks: counters set from count(*) of their rows, and the drip unlocks
that became due announced once each."""

from datetime import UTC, timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community import access as community_access
from community import effects
from community.counters import recount

from . import drip, signals
from .models import Course, Enrollment, Lesson, Module, ModuleUnlock


def _count(queryset):
    return Coalesce(Subquery(queryset.values("n")[:1]), Value(0))


def _counters():
    lessons = (
        Lesson.objects.filter(course=OuterRef("pk"), deleted_at__isnull=True,
                              module__deleted_at__isnull=True)
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
    )  # fmt: skip
    enrollments = (
        Enrollment.objects.filter(course=OuterRef("pk"))
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
    )
    return {"lesson_count": _count(lessons), "enrollment_count": _count(enrollments)}


@shared_task
def recount_course(course_id):
    """A course's lesson and enrollment counts, from count(*) in one UPDATE."""
    recount(Course.objects.filter(pk=course_id), **_counters())


@shared_task
def recount_all_courses():
    """Periodic repair of every course's counters (idempotent)."""
    recount(Course.objects.all(), **_counters())


# The widest UTC offset east: a date-drip module opens for some member up to 14 hours
# before UTC midnight of its date.
EARLIEST_OFFSET = timedelta(hours=14)
# The most a member's clock can jump forward between enrolling and a module opening: from
# the widest offset west (UTC-12) to the widest east (UTC+14), as Samoa did in 2011 (and
# Antarctica/Troll jumps 2 hours every spring), so no daylight-saving hour is assumed.
WIDEST_JUMP = timedelta(hours=26)


@shared_task
def unlock_due(now=None):
    """Periodic: every drip module that opened for an enrolled member in good standing (or
    that an admin released early for them) and was not yet announced gets its ModuleUnlock
    row (unique per module and member) and one module_unlocked signal. Repeating it, or
    running two at once, announces nothing twice."""
    now = (now or timezone.now()).astimezone(UTC)  # .date() below is the UTC date
    latest_date = (now + EARLIEST_OFFSET).date()
    released_unannounced = Enrollment.objects.filter(
        course=OuterRef("course_id"), released_at__isnull=False
    ).filter(
        ~Exists(ModuleUnlock.objects.filter(module=OuterRef(OuterRef("pk")), user=OuterRef("user")))
    )
    modules = (
        Module.objects.alive()
        .filter(course__deleted_at__isnull=True, course__published_at__isnull=False)
        .annotate(released=Exists(released_unannounced))
        .filter(
            Q(drip_date__isnull=False, drip_date__lte=latest_date)
            | Q(drip_days__isnull=False)
            # Released early: announced now, not on the module's date.
            | Q(drip_date__isnull=False, released=True)
        )
        .select_related("course")
    )
    # A banned or deactivated member is not told now; their unlocks wait (no row) until
    # the ban ends or the account returns.
    for module in modules.iterator(chunk_size=200):
        enrollments = (
            Enrollment.objects.filter(course=module.course_id)
            .filter(community_access.in_good_standing(prefix="user__"))
            .exclude(user__in=ModuleUnlock.objects.filter(module=module).values("user"))
        )
        if module.drip_date is not None and module.drip_date > latest_date:
            enrollments = enrollments.filter(released_at__isnull=False)
        if module.drip_days is not None:
            # Midnight of the day `drip_days` after enrolling comes at the earliest a day
            # (less a moment) and the widest forward jump of a clock less than `drip_days`
            # after the enrollment.
            earliest_gap = timedelta(days=module.drip_days) - timedelta(days=1) - WIDEST_JUMP
            enrollments = enrollments.filter(
                Q(enrolled_at__lte=now - earliest_gap) | Q(released_at__isnull=False)
            )
        for enrollment in enrollments.select_related("user").iterator(chunk_size=500):
            opens = drip.opens_at(module, enrollment, drip.member_zone(enrollment.user))
            if opens is None or opens <= now:
                _announce(module, enrollment, opens or now)


def _announce(module, enrollment, opened_at):
    try:
        with transaction.atomic():
            ModuleUnlock.objects.create(
                module=module, user_id=enrollment.user_id, unlocked_at=opened_at
            )
            effects.send_signal_on_commit(
                signals.module_unlocked,
                user_id=enrollment.user_id,
                course_id=module.course_id,
                module_id=module.pk,
            )
    except IntegrityError:
        pass  # announced by another run a moment ago
