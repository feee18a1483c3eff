"""Courses' searchable kinds (community/search/sources.py), registered in
CoursesConfig.ready(). The columns are those migration 0004_search indexes."""

from django.urls import reverse

from community.search import Source

from . import access
from .models import Course, Lesson

COURSES = Source(
    kind="courses",
    label="Courses",
    model=Course,
    columns={"title": "A", "description": "B"},
    snippet="description",
    visible=access.visible_courses,
    title=lambda course: course.title,
    url=lambda course: reverse("courses:course", args=[course.slug]),
)

LESSONS = Source(
    kind="lessons",
    label="Lessons",
    model=Lesson,
    columns={"title": "A", "content": "B"},
    snippet="content",
    visible=access.visible_lessons,
    title=lambda lesson: f"{lesson.title} ({lesson.course.title})",
    url=lambda lesson: reverse("courses:lesson", args=[lesson.course.slug, lesson.pk]),
    related=("course",),
    visible_reads=True,  # the member's enrollments, for the drip
)

KINDS = (COURSES, LESSONS)
