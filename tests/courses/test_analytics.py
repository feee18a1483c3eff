"""Courses' analytics series: enrollments per day, and the completion rate per course of
those who enrolled in the period (community.analytics)."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from community import analytics
from community.analytics import Period
from tests.factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 3))


def at(day):
    return datetime(2026, 3, day, 12, tzinfo=UTC)


def figures(key):
    return analytics.figures(analytics.series_by_key(key), PERIOD)


def test_enrollments_are_counted_per_day_with_the_empty_days():
    EnrollmentFactory.create_batch(2, enrolled_at=at(1))
    EnrollmentFactory(enrolled_at=at(3))
    EnrollmentFactory(enrolled_at=at(4))
    assert [row[1] for row in figures("enrollments").rows] == [[2], [0], [1]]


def test_completion_rate_is_of_those_who_enrolled_in_the_period_per_live_course():
    python, rust = CourseFactory(title="Python"), CourseFactory(title="Rust")
    EnrollmentFactory.create_batch(3, course=python, enrolled_at=at(1), completed_at=at(2))
    EnrollmentFactory(course=python, enrolled_at=at(2))
    EnrollmentFactory(course=python, enrolled_at=datetime(2026, 2, 1, tzinfo=UTC))  # before
    EnrollmentFactory(course=rust, enrolled_at=at(3))
    EnrollmentFactory(course=CourseFactory(deleted_at=at(3)), enrolled_at=at(1))
    result = figures("course_completion")
    assert result.columns == ["completion_rate_percent", "enrolled", "completed"]
    assert result.rows == [("Python", [75.0, 4, 3]), ("Rust", [0.0, 1, 0])]


def test_the_completion_csv_neutralises_a_course_title_that_is_a_formula(admin):
    EnrollmentFactory(course=CourseFactory(title="=HYPERLINK(1)"), enrolled_at=at(1))
    client = Client()
    client.force_login(admin)
    response = client.get("/manage/analytics/course_completion.csv",
                          {"from": "2026-03-01", "to": "2026-03-03"})  # fmt: skip
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["name", "completion_rate_percent", "enrolled", "completed"],
                    ["'=HYPERLINK(1)", "0.0", "1", "0"]]  # fmt: skip


def test_the_page_charts_the_rate_and_tables_the_counts(admin):
    EnrollmentFactory(course=CourseFactory(title="Python"), enrolled_at=at(1), completed_at=at(2))
    client = Client()
    client.force_login(admin)
    html = client.get("/manage/analytics/", {"from": "2026-03-01", "to": "2026-03-03"})
    section = html.content.decode().split('id="course_completion"', 1)[1].split("</section>")[0]
    assert ">100.0%</text>" in section  # the bar's value
    assert '<th scope="row">Python</th><td>100.0%</td><td>1</td><td>1</td>' in section
