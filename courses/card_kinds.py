"""Courses' cards (community.cards): the catalog's course card. Its `version` lists every
value the template shows; the viewer's progress (enrolled, lessons done, completed) is
filled per viewer from what selectors.learning.with_progress set, so one rendered card
serves every member."""

from html import unescape

from django.utils.html import strip_tags
from django.utils.text import Truncator

from community.cards import CardKind

SUMMARY_LENGTH = 160


def summary(course):
    """The description as plain text, cut short for a card (the template escapes it)."""
    text = " ".join(unescape(strip_tags(course.description_html)).split())
    return Truncator(text).chars(SUMMARY_LENGTH)


def _course_version(course):
    tier = course.required_tier
    return (
        course.title,
        course.slug,
        course.description_html,
        course.thumbnail.name,
        course.lesson_count,
        course.published_at is None,
        course.is_locked,
        tier.name if tier else None,
    )


def _course_viewer_state(request, course):
    enrollment = course.enrollment
    finished = enrollment is not None and enrollment.completed_at is not None
    return {
        "enrolled": enrollment is not None and not finished,
        "finished": finished,
        "done": str(course.completed),
    }


COURSE = CardKind(
    name="course",
    template="courses/_course_card.html",
    version=_course_version,
    viewer_state=_course_viewer_state,
    context=lambda course: {"summary": summary(course)},
)
