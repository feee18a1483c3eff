"""The members' course pages: the catalog, a course (its outline with progress and drip
dates), a lesson (content, video, attachments, previous / next, mark complete), enrolling,
"resume", and the private files (uploaded videos, attachments) served after an access check.
Thin: selectors.learning reads, services.learning writes, courses.access decides.

A course the viewer may not see is a 404 (Django's page); a paid course they may only
preview shows what it is and the plans, never its lessons; a lesson whose module opens
later is a 403 page saying when."""

import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from community.views.common import page_url

from .. import access
from ..access import LessonLocked
from ..files import private_file_response
from ..selectors import learning as selectors
from ..services import learning as services

# Sent with an htmx answer that changed the member's progress: the outline on the page
# listens for it and fetches itself again.
PROGRESS_EVENT = "course-progress"


def _pricing_url():
    try:  # the pricing page, once the payments app registers it
        return reverse("payments:pricing")
    except NoReverseMatch:
        return None


def _course(request, slug):
    course = selectors.course_by_slug(request.user, slug)
    if course is None:
        raise Http404("No such course.")
    return course


def _locked_course(request, course, *, status=200):
    """A paid course the member may only preview: what it is and how to get it."""
    context = {"course": course, "pricing_url": _pricing_url(), "tier": course.required_tier}
    return render(request, "courses/course_locked.html", context, status=status)


def _locked_lesson(request, course, lesson, locked):
    context = {"course": course, "lesson": lesson, "opens_at": locked.opens_at}
    return render(request, "courses/lesson_locked.html", context, status=403)


def _outline(request, course):
    """The viewer's outline of `course`, each lesson with its `url` (one reverse() for the
    whole list: a 20 x 20 course has 400 links)."""
    outline = selectors.outline(request.user, course)
    prefix = reverse("courses:lesson", args=[course.slug, 0]).removesuffix("0/")
    for lesson in outline.lessons:
        lesson.url = f"{prefix}{lesson.pk}/"
    return outline


def _outline_lesson(outline, lesson_id):
    """The lesson of the outline (alive, in an alive module, with its progress and drip
    state), or a 404."""
    for lesson in outline.lessons:
        if lesson.pk == lesson_id:
            return lesson
    raise Http404("No such lesson.")


# --- The catalog -----------------------------------------------------------------------------


def catalog(request):
    try:
        page = selectors.catalog(request.user, cursor=request.GET.get("cursor"))
    except ValidationError:
        raise Http404("This page of courses does not exist.") from None
    context = {
        "courses": page.items,
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
        "can_author": access.can_author(request.user),
        "is_later_page": bool(request.GET.get("cursor")),
    }
    if request.htmx and context["is_later_page"]:
        return render(request, "courses/catalog.html#course-items", context)
    return render(request, "courses/catalog.html", context)


# --- A course --------------------------------------------------------------------------------


def _course_context(request, course):
    outline = _outline(request, course)
    return {
        "course": course,
        "outline": outline,
        "resume": outline.resume_lesson(),
        "can_enroll": access.can_enroll(request.user, course),
        "can_author": access.can_author(request.user),
    }


def course(request, slug):
    course = _course(request, slug)
    if course.is_locked:
        return _locked_course(request, course)
    context = _course_context(request, course)
    context["live_topic"] = f"course:{course.pk}"
    return render(request, "courses/course.html", context)


def course_outline(request, slug):
    """The outline fragment the course and lesson pages fetch again when the course changes
    (live "course.updated") or the member's progress does; `lesson` marks the one open."""
    course = _course(request, slug)
    if course.is_locked:
        raise Http404("No such course.")
    context = _course_context(request, course)
    lesson_id = request.GET.get("lesson", "")
    if lesson_id.isascii() and lesson_id.isdigit():
        context["lesson"] = _outline_lesson(context["outline"], int(lesson_id))
        return render(request, "courses/lesson.html#outline", context)
    return render(request, "courses/course.html#outline", context)


@require_POST
def enroll(request, slug):
    course = _course(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:course", args=[slug]))
    if course.is_locked:
        return _locked_course(request, course, status=403)
    _, created = services.enroll(request.user, course=course)
    if request.htmx:
        response = render(request, "courses/course.html#actions", _course_context(request, course))
        response["HX-Trigger"] = PROGRESS_EVENT
        return response
    if created:
        messages.success(request, f"You are enrolled in “{course.title}”.")
    else:
        messages.info(request, f"You were already enrolled in “{course.title}”.")
    return redirect("courses:course", slug=course.slug)


def resume(request, slug):
    """To the lesson "resume" means for this member (the first one for anyone else)."""
    course = _course(request, slug)
    if course.is_locked:
        return redirect("courses:course", slug=course.slug)
    lesson = selectors.outline(request.user, course).resume_lesson()
    if lesson is None:
        return redirect("courses:course", slug=course.slug)
    return redirect("courses:lesson", slug=course.slug, lesson_id=lesson.pk)


# --- A lesson --------------------------------------------------------------------------------


def _open_lesson(request, slug, lesson_id):
    """(course, outline, lesson) once the viewer may open the lesson; raises Http404 or
    LessonLocked. A previewed paid course's lessons are not there for them."""
    course = _course(request, slug)
    if course.is_locked:
        raise Http404("No such lesson.")
    outline = _outline(request, course)
    lesson = _outline_lesson(outline, lesson_id)
    access.check_can_open_lesson(request.user, lesson, outline.enrollment)
    return course, outline, lesson


def lesson(request, slug, lesson_id):
    try:
        course, outline, lesson = _open_lesson(request, slug, lesson_id)
    except LessonLocked as locked:
        course = _course(request, slug)
        lesson = selectors.lesson_with_course(lesson_id, course)
        return _locked_lesson(request, course, lesson, locked)
    services.record_lesson_opened(request.user, lesson=lesson, enrollment=outline.enrollment)
    previous, following = outline.neighbours(lesson)
    context = {
        "course": course,
        "outline": outline,
        "lesson": lesson,
        "previous": previous,
        "next": following,
        "attachments": selectors.attachments(lesson),
        "live_topic": f"course:{course.pk}",
    }
    return render(request, "courses/lesson.html", context)


def _set_completed(request, slug, lesson_id, *, completed):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:lesson", args=[slug, lesson_id]))
    try:
        course, _outline, lesson = _open_lesson(request, slug, lesson_id)
        if completed:
            services.complete_lesson(request.user, lesson=lesson)
        else:
            services.uncomplete_lesson(request.user, lesson=lesson)
    except LessonLocked as locked:
        course = _course(request, slug)
        return _locked_lesson(request, course, selectors.lesson_with_course(lesson_id), locked)
    lesson.completed = completed
    if request.htmx:
        context = {"course": course, "lesson": lesson}
        response = render(request, "courses/lesson.html#progress", context)
        response["HX-Trigger"] = PROGRESS_EVENT
        return response
    done = "marked complete" if completed else "marked not complete"
    messages.success(request, f"“{lesson.title}” is {done}.")
    return redirect("courses:lesson", slug=course.slug, lesson_id=lesson.pk)


@require_POST
def complete(request, slug, lesson_id):
    return _set_completed(request, slug, lesson_id, completed=True)


@require_POST
def uncomplete(request, slug, lesson_id):
    return _set_completed(request, slug, lesson_id, completed=False)


# --- Private files ---------------------------------------------------------------------------


def _content_type(name, fallback):
    return mimetypes.guess_type(name)[0] or fallback


def lesson_video(request, slug, lesson_id):
    """The lesson's uploaded video, played inline, for whoever may open the lesson."""
    try:
        _, _, lesson = _open_lesson(request, slug, lesson_id)
    except LessonLocked:
        raise Http404("No such video.") from None
    if not lesson.video_file:
        raise Http404("No such video.")
    name = PurePosixPath(lesson.video_file.name).name
    return private_file_response(
        lesson.video_file, filename=name, content_type=_content_type(name, "video/mp4"),
        inline=True,
    )  # fmt: skip


def attachment(request, attachment_id):
    """An attachment, downloaded, for whoever may open its lesson (a 404 for everyone else,
    a 403 page with the date while its module is locked by drip)."""
    found = selectors.attachment_with_lesson(attachment_id)
    if found is None:
        raise Http404("No such file.")
    lesson = found.lesson
    enrollment = selectors.enrollments_by_course(request.user, [lesson.course_id])
    try:
        access.check_can_open_lesson(request.user, lesson, enrollment.get(lesson.course_id))
    except LessonLocked as locked:
        return _locked_lesson(request, lesson.course, lesson, locked)
    return private_file_response(found.file, filename=found.name, content_type=found.content_type)
