"""Courses' analytics series (community.analytics): enrollments per day, and the completion
rate per course of the members who enrolled in the period."""

from django.db.models import Count, Q

from community.analytics import CATEGORY, DAILY, PERCENT, Series, per_period

from .models import Enrollment


def enrollments_per_day(period):
    """One GROUP BY day on enrollment_enrolled_idx."""
    return {"enrollments": per_period(Enrollment.objects.all(), "enrolled_at", period)}


def completion_per_course(period):
    """The members who enrolled in the period, per live course (most enrollments first):
    how many have completed it by now. One GROUP BY course; the rate is worked out from the
    two counts of each course."""
    start, end = period.bounds()
    courses = (
        Enrollment.objects.filter(
            enrolled_at__gte=start, enrolled_at__lt=end, course__deleted_at__isnull=True
        )
        .values("course_id", "course__title")
        .annotate(enrolled=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False)))
        .order_by("-enrolled", "course__title", "course_id")
    )
    rate, enrolled, completed = {}, {}, {}
    for row in courses:
        name = row["course__title"]
        if name in enrolled:  # two courses of one title: tell them apart
            name = f"{name} (#{row['course_id']})"
        rate[name] = round(100 * row["completed"] / row["enrolled"], 1)
        enrolled[name] = row["enrolled"]
        completed[name] = row["completed"]
    return {"completion_rate_percent": rate, "enrolled": enrolled, "completed": completed}


def _format(column, value):
    return f"{value:.1f}%" if column == "completion_rate_percent" else f"{value:,}"


SERIES = [
    Series(
        key="enrollments",
        label="Course enrollments per day",
        description="Members enrolling in a course on each day (one per member and course).",
        kind=DAILY,
        compute=enrollments_per_day,
    ),
    Series(
        key="course_completion",
        label="Completion rate per course",
        description="Of the members who enrolled in the period, the share who have completed "
        "the course by now; the table gives both counts.",
        kind=CATEGORY,
        compute=completion_per_course,
        unit=PERCENT,
        format_value=_format,
        charted=1,
    ),
]
