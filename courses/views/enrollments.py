"""The admins' page of a course's members: who enrolled, how far each has come, and
"Release all modules" for one member of a course with drip modules. Only admins get it;
everyone else a 403, like the other /courses/manage/ pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community.views.common import page_url

from ..access import can_author
from ..selectors import authoring as authoring_selectors
from ..selectors import learning as selectors
from ..services import learning as services


def _course(request, course_id):
    if not can_author(request.user):
        raise PermissionDenied("Only admins may see a course's members.")
    course = authoring_selectors.course_for_admin(course_id)
    if course is None:
        raise Http404("No such course.")
    return course


def manage_members(request, course_id):
    course = _course(request, course_id)
    try:
        page = selectors.enrollments_for_admin(course, cursor=request.GET.get("cursor"))
    except ValidationError:
        raise Http404("This page of members does not exist.") from None
    context = {
        "course": course,
        "enrollments": page.items,
        "has_drip": selectors.has_drip_modules(course),
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
    }
    return render(request, "courses/manage/members.html", context)


@require_POST
def manage_release(request, course_id, enrollment_id):
    course = _course(request, course_id)
    enrollment = selectors.enrollment_for_admin(course, enrollment_id)
    if enrollment is None:
        raise Http404("No such enrollment.")
    services.release_modules(request.user, enrollment=enrollment)
    messages.success(request, f"Every module of “{course.title}” is open for {enrollment.user}.")
    url = reverse("courses:manage_members", args=[course.pk])
    return redirect(f"{url}#enrollment-{enrollment.pk}")
