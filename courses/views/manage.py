"""The admins' course pages under /courses/manage/: the list, the course form, the builder
(modules and lessons in order, moved with buttons or by drag and drop), the module and
lesson forms, attachments, and deleting with a question first. Thin: the selectors read,
courses.services.authoring writes and validates, and its refusals go on the forms (400).

Only admins (courses.access.can_author) get these pages; everyone else a 403."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community.forms import apply_service_errors
from community.views.common import form_status

from ..access import can_author
from ..forms import AttachmentForm, CourseForm, LessonForm, ModuleForm, NewLessonForm
from ..models import Attachment
from ..selectors import authoring as selectors
from ..services import authoring as services

BAD_JSON = 'Send JSON: {"modules": [{"id": …, "lessons": […]}, …]}.'


def _check_author(user):
    if not can_author(user):
        raise PermissionDenied("Only admins may edit courses.")


def _course(request, course_id):
    _check_author(request.user)
    course = selectors.course_for_admin(course_id)
    if course is None:
        raise Http404("No such course.")
    return course


def _module(request, module_id):
    _check_author(request.user)
    module = selectors.module_for_admin(module_id)
    if module is None:
        raise Http404("No such module.")
    return module


def _lesson(request, lesson_id):
    _check_author(request.user)
    lesson = selectors.lesson_for_admin(lesson_id)
    if lesson is None:
        raise Http404("No such lesson.")
    return lesson


def _run(form, call):
    """Calls the service; its refusals go on the form. Returns what it returned, or None."""
    try:
        return call()
    except ValidationError as error:
        apply_service_errors(form, error)
    return None


def _builder_url(course_id, anchor=""):
    return reverse("courses:manage_course", args=[course_id]) + (f"#{anchor}" if anchor else "")


def _confirmed(request):
    """A POST without `confirm=yes` (the builder's button) shows a page that asks first."""
    return request.POST.get("confirm") == "yes"


# --- Courses ----------------------------------------------------------------------------------


def manage_courses(request):
    _check_author(request.user)
    context = {"courses": list(selectors.courses_for_admin()), "section": "courses"}
    return render(request, "courses/manage/courses.html", context)


def _course_form(request, *, course=None):
    form = CourseForm(request.POST or None, request.FILES or None, course=course)
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        if course is None:
            saved = _run(form, lambda: services.create_course(request.user, **changes))
            done = "“{}” is created as a draft. Add its modules and lessons here."
        elif not changes:
            messages.info(request, f"“{course.title}”: nothing changed.")
            return redirect(_builder_url(course.pk))
        else:
            saved = _run(form, lambda: services.update_course(request.user, course=course,
                                                              **changes))  # fmt: skip
            done = "“{}” is saved."
        if saved is not None:
            messages.success(request, done.format(saved.title))
            return redirect(_builder_url(saved.pk))
        if course is not None:
            course.refresh_from_db()  # the service set the refused values on it
    context = {"form": form, "course": course, "section": "courses"}
    return render(request, "courses/manage/course_form.html", context, status=form_status(form))


def manage_new_course(request):
    _check_author(request.user)
    return _course_form(request)


def manage_edit_course(request, course_id):
    return _course_form(request, course=_course(request, course_id))


@require_POST
def manage_publish_course(request, course_id):
    course = _course(request, course_id)
    if request.POST.get("publish") == "no":
        services.unpublish_course(request.user, course=course)
        messages.success(request, f"“{course.title}” is a draft again: only admins see it.")
    else:
        services.publish_course(request.user, course=course)
        messages.success(request, f"“{course.title}” is published.")
    return redirect(_builder_url(course.pk))


def _delete(request, *, thing, kind, call, back, done, consequence):
    if request.method == "POST" and _confirmed(request):
        call()
        messages.success(request, done)
        return redirect(back)
    context = {"thing": thing, "kind": kind, "back": back, "consequence": consequence,
               "section": "courses"}  # fmt: skip
    return render(request, "courses/manage/delete.html", context)


def manage_delete_course(request, course_id):
    course = _course(request, course_id)
    return _delete(
        request,
        thing=course,
        kind="course",
        call=lambda: services.delete_course(request.user, course=course),
        back=reverse("courses:manage_courses"),
        done=f"“{course.title}” is deleted.",
        consequence="It disappears from the catalog for everyone, with its lessons; "
        "members' progress is kept.",
    )


# --- The builder ------------------------------------------------------------------------------


def _builder(request, course, *, module_form=None, lesson_form=None, lesson_module_id=None,
             status=200):  # fmt: skip
    context = {
        "course": course,
        "modules": selectors.course_outline(course),
        "module_form": module_form or ModuleForm(prefix="module"),
        "lesson_form": lesson_form,
        "lesson_module_id": lesson_module_id,
        "new_lesson_form": NewLessonForm(prefix="lesson"),
        "section": "courses",
    }
    return render(request, "courses/manage/builder.html", context, status=status)


def manage_course(request, course_id):
    return _builder(request, _course(request, course_id))


@require_POST
def manage_new_module(request, course_id):
    course = _course(request, course_id)
    form = ModuleForm(request.POST, prefix="module")
    if form.is_valid():
        data = form.service_kwargs()
        module = _run(form, lambda: services.create_module(request.user, course=course, **data))
        if module is not None:
            messages.success(request, f"Module “{module.title}” is added.")
            return redirect(_builder_url(course.pk, f"module-{module.pk}"))
    return _builder(request, course, module_form=form, status=400)


@require_POST
def manage_new_lesson(request, module_id):
    module = _module(request, module_id)
    form = NewLessonForm(request.POST, prefix="lesson")
    if form.is_valid():
        data = form.cleaned_data
        lesson = _run(form, lambda: services.create_lesson(request.user, module=module, **data))
        if lesson is not None:
            messages.success(request, f"Lesson “{lesson.title}” is added.")
            return redirect(reverse("courses:manage_edit_lesson", args=[lesson.pk]))
    return _builder(
        request, module.course, lesson_form=form, lesson_module_id=module.pk, status=400
    )


def _order_response(course, status=200, error=None):
    body = {"modules": services.current_order(course)}
    if error is not None:
        body |= {"code": "invalid", "detail": " ".join(error.messages),
                 "errors": getattr(error, "message_dict", {"modules": error.messages})}  # fmt: skip
    return JsonResponse(body, status=status)


@require_POST
def manage_reorder_course(request, course_id):
    """The builder's drag and drop: a JSON body {"modules": [{"id", "lessons": [ids]}]},
    the whole order. 200 with the order saved; 400 with why and the order kept."""
    course = _course(request, course_id)
    try:
        modules = json.loads(request.body or b"null")["modules"]
    except (ValueError, TypeError, KeyError):
        error = ValidationError({"modules": [BAD_JSON]})
        return _order_response(course, 400, error)
    try:
        services.reorder_course(request.user, course=course, modules=modules)
    except ValidationError as error:
        return _order_response(course, 400, error)
    return _order_response(course)


def _move(request, call, anchor, course_id):
    try:
        call(request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_builder_url(course_id, anchor))


@require_POST
def manage_move_module(request, module_id):
    module = _module(request, module_id)
    return _move(
        request,
        lambda direction: services.move_module(request.user, module=module, direction=direction),
        f"module-{module.pk}",
        module.course_id,
    )


@require_POST
def manage_move_lesson(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    return _move(
        request,
        lambda direction: services.move_lesson(request.user, lesson=lesson, direction=direction),
        f"lesson-{lesson.pk}",
        lesson.course_id,
    )


# --- Modules and lessons ----------------------------------------------------------------------


def manage_edit_module(request, module_id):
    module = _module(request, module_id)
    form = ModuleForm(request.POST or None, module=module)
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        saved = _run(form, lambda: services.update_module(request.user, module=module,
                                                          **changes))  # fmt: skip
        if saved is not None:
            messages.success(request, f"Module “{saved.title}” is saved.")
            return redirect(_builder_url(module.course_id, f"module-{module.pk}"))
        module.refresh_from_db()
    context = {"form": form, "module": module, "course": module.course, "section": "courses"}
    return render(request, "courses/manage/module_form.html", context, status=form_status(form))


def manage_delete_module(request, module_id):
    module = _module(request, module_id)
    return _delete(
        request,
        thing=module,
        kind="module",
        call=lambda: services.delete_module(request.user, module=module),
        back=_builder_url(module.course_id),
        done=f"Module “{module.title}” is deleted.",
        consequence="Its lessons disappear with it.",
    )


def _lesson_page(request, lesson, *, form=None, attachment_form=None, status=200):
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "form": form or LessonForm(lesson=lesson),
        "attachment_form": attachment_form or AttachmentForm(),
        "attachments": selectors.lesson_attachments(lesson),
        "section": "courses",
    }
    return render(request, "courses/manage/lesson_form.html", context, status=status)


def manage_edit_lesson(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    if request.method != "POST":
        return _lesson_page(request, lesson)
    form = LessonForm(request.POST, request.FILES, lesson=lesson)
    if form.is_valid():
        changes = form.service_kwargs()
        saved = _run(form, lambda: services.update_lesson(request.user, lesson=lesson,
                                                          **changes))  # fmt: skip
        if saved is not None:
            messages.success(request, f"Lesson “{saved.title}” is saved.")
            return redirect(_builder_url(lesson.course_id, f"lesson-{lesson.pk}"))
        lesson.refresh_from_db()  # the service set the refused values on it
    return _lesson_page(request, lesson, form=form, status=400)


def manage_delete_lesson(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    return _delete(
        request,
        thing=lesson,
        kind="lesson",
        call=lambda: services.delete_lesson(request.user, lesson=lesson),
        back=_builder_url(lesson.course_id),
        done=f"Lesson “{lesson.title}” is deleted.",
        consequence="Members no longer see it; their progress on it is kept.",
    )


@require_POST
def manage_add_attachment(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["upload"]
        attachment = _run(
            form, lambda: services.add_attachment(request.user, lesson=lesson, upload=upload)
        )
        if attachment is not None:
            messages.success(request, f"“{attachment.name}” is attached.")
            return redirect(reverse("courses:manage_edit_lesson", args=[lesson.pk]) + "#files")
    return _lesson_page(request, lesson, attachment_form=form, status=400)


@require_POST
def manage_remove_attachment(request, attachment_id):
    _check_author(request.user)
    attachment = get_object_or_404(Attachment.objects.select_related("lesson"), pk=attachment_id)
    services.remove_attachment(request.user, attachment=attachment)
    messages.success(request, f"“{attachment.name}” is removed.")
    return redirect(reverse("courses:manage_edit_lesson", args=[attachment.lesson_id]) + "#files")
