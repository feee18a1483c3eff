"""Every write an admin makes to courses: courses, modules, lessons, attachments and their
order. Each call checks courses.access.check_can_author, validates the whole row
(ValidationError by field) before writing, records an audit entry in its transaction, and
after commit announces "course.updated" on the course's topic and, when the course's set
of lessons changed, recounts it. Pages and the API call these, never the models."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from community import audit, effects, live, uploads
from community.richtext import embed_url, render_markdown
from community.services.common import reject_unknown, unique_slug

from .. import tasks
from ..access import check_can_author
from ..models import Attachment, Course, Lesson, Module

CREATE = audit.register_action("courses.create", "Created a course")
UPDATE = audit.register_action("courses.update", "Edited a course")
PUBLISH = audit.register_action("courses.publish", "Published a course")
UNPUBLISH = audit.register_action("courses.unpublish", "Unpublished a course")
DELETE = audit.register_action("courses.delete", "Deleted a course")
REORDER = audit.register_action("courses.reorder", "Reordered a course's modules and lessons")
MODULE_CREATE = audit.register_action("courses.module_create", "Added a course module")
MODULE_UPDATE = audit.register_action("courses.module_update", "Edited a course module")
MODULE_DELETE = audit.register_action("courses.module_delete", "Deleted a course module")
LESSON_CREATE = audit.register_action("courses.lesson_create", "Added a lesson")
LESSON_UPDATE = audit.register_action("courses.lesson_update", "Edited a lesson")
LESSON_DELETE = audit.register_action("courses.lesson_delete", "Deleted a lesson")
ATTACH = audit.register_action("courses.attach", "Attached a file to a lesson")
DETACH = audit.register_action("courses.detach", "Removed a lesson's attachment")

COURSE_FIELDS = ("title", "slug", "description", "thumbnail", "visibility", "required_tier",
                 "position")  # fmt: skip
MODULE_FIELDS = ("title", "drip_days", "drip_date")
LESSON_FIELDS = ("title", "content", "video_url", "video_file")
DIRECTIONS = ("up", "down")
# Paths under /courses/ that a course's slug must not shadow.
RESERVED_COURSE_SLUGS = {"manage"}
THUMBNAIL_MAX_SIDE = 1600


# --- Shared steps ---------------------------------------------------------------------------


def _announce(course_id, *, lessons_changed=False):
    """After commit: the course's viewers refresh; its lesson count is recomputed."""
    live.publish_on_commit(f"course:{course_id}", "course.updated", id=course_id)
    if lessons_changed:
        effects.enqueue_on_commit(tasks.recount_course, course_id)


def _field_error(field, error):
    return ValidationError({field: error.messages})


def _delete_file_on_commit(field_file):
    """A replaced or removed file leaves the storage once the change is committed."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        effects.on_commit(lambda: storage.delete(name))


def _strip(obj, *names):
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, str):
            setattr(obj, name, value.strip())


def _next_position(queryset):
    last = queryset.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _check_alive(obj, noun):
    if obj.deleted_at is not None:
        raise ValidationError(f"This {noun} is deleted.", code="deleted")


# --- Courses ----------------------------------------------------------------------------------


def _clean_thumbnail(upload):
    try:
        return uploads.clean_image(upload, max_side=THUMBNAIL_MAX_SIDE)
    except ValidationError as error:
        raise _field_error("thumbnail", error) from error


def _save_course(course):
    _strip(course, "title", "slug")
    if not course.slug:
        course.slug = unique_slug(
            Course.objects.all(),
            course.title or "",
            noun="course",
            max_length=200,
            reserved=RESERVED_COURSE_SLUGS,
            exclude=course.pk,
        )
    if course.slug in RESERVED_COURSE_SLUGS:
        raise ValidationError({"slug": [f"“{course.slug}” is reserved; choose another."]})
    course.description_html = render_markdown(course.description)
    course.full_clean()
    course.save()


def create_course(actor, *, title, slug="", description="", thumbnail=None, visibility,
                  required_tier=None, position=0, published=False):  # fmt: skip
    """A new course, a draft unless `published`."""
    check_can_author(actor)
    course = Course(title=title, slug=slug, description=description, visibility=visibility,
                    required_tier=required_tier, position=position,
                    published_at=timezone.now() if published else None,
                    created_by=actor if getattr(actor, "pk", None) else None)  # fmt: skip
    if thumbnail is not None:
        course.thumbnail = _clean_thumbnail(thumbnail)
    with transaction.atomic():
        _save_course(course)
        audit.record(actor, CREATE, course)
        if published:
            audit.record(actor, PUBLISH, course)
        _announce(course.pk)
    return course


def update_course(actor, *, course, **changes):
    """Changes some of COURSE_FIELDS; `thumbnail=None` removes the picture, an upload
    replaces it. An empty slug is made again from the title."""
    check_can_author(actor)
    reject_unknown(changes, COURSE_FIELDS)
    _check_alive(course, "course")
    old_thumbnail = course.thumbnail if "thumbnail" in changes else None
    if "thumbnail" in changes:
        upload = changes.pop("thumbnail")
        course.thumbnail = _clean_thumbnail(upload) if upload is not None else ""
    for name, value in changes.items():
        setattr(course, name, value)
    with transaction.atomic():
        _save_course(course)
        audit.record(actor, UPDATE, course, ", ".join(sorted(changes)))
        if old_thumbnail is not None:
            _delete_file_on_commit(old_thumbnail)
        _announce(course.pk)
    return course


def _set_published(actor, course, published_at, action):
    check_can_author(actor)
    _check_alive(course, "course")
    with transaction.atomic():
        course.published_at = published_at
        course.save(update_fields=["published_at", "updated_at"])
        audit.record(actor, action, course)
        _announce(course.pk)
    return course


def publish_course(actor, *, course):
    """Members who may see it find it in the catalog (publishing twice keeps the first date)."""
    return _set_published(actor, course, course.published_at or timezone.now(), PUBLISH)


def unpublish_course(actor, *, course):
    """Back to a draft: only admins see it."""
    return _set_published(actor, course, None, UNPUBLISH)


def delete_course(actor, *, course):
    """Soft delete: the course leaves every list and page; the admin can purge it."""
    check_can_author(actor)
    with transaction.atomic():
        course.deleted_at = course.deleted_at or timezone.now()
        course.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, DELETE, course)
        _announce(course.pk)
    return course


# --- Modules ----------------------------------------------------------------------------------


def _save_module(module):
    _strip(module, "title")
    if module.drip_days is not None and module.drip_date is not None:
        raise ValidationError(
            {"drip_date": ["A module opens after some days or on a date, not both."]}
        )
    module.full_clean()
    module.save()


def create_module(actor, *, course, title, drip_days=None, drip_date=None):
    """A module at the end of the course."""
    check_can_author(actor)
    _check_alive(course, "course")
    module = Module(course=course, title=title, drip_days=drip_days, drip_date=drip_date)
    with transaction.atomic():
        module.position = _next_position(Module.objects.alive().filter(course=course))
        _save_module(module)
        audit.record(actor, MODULE_CREATE, module)
        _announce(course.pk)
    return module


def update_module(actor, *, module, **changes):
    check_can_author(actor)
    reject_unknown(changes, MODULE_FIELDS)
    _check_alive(module, "module")
    for name, value in changes.items():
        setattr(module, name, value)
    with transaction.atomic():
        _save_module(module)
        audit.record(actor, MODULE_UPDATE, module, ", ".join(sorted(changes)))
        _announce(module.course_id)
    return module


def delete_module(actor, *, module):
    """Soft delete; its lessons disappear with it (they keep their own deleted_at)."""
    check_can_author(actor)
    with transaction.atomic():
        module.deleted_at = module.deleted_at or timezone.now()
        module.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, MODULE_DELETE, module)
        _announce(module.course_id, lessons_changed=True)
    return module


# --- Lessons ----------------------------------------------------------------------------------


def _clean_video_file(upload):
    try:
        return uploads.clean_file(
            upload, allowed=uploads.VIDEO_TYPES, max_bytes=settings.COURSE_VIDEO_MAX_BYTES
        )
    except ValidationError as error:
        raise _field_error("video_file", error) from error


def _save_lesson(lesson):
    _strip(lesson, "title", "video_url")
    if lesson.video_url and embed_url(lesson.video_url) is None:
        raise ValidationError(
            {"video_url": ["Use a YouTube or Vimeo link, e.g. https://youtu.be/… or "
                           "https://vimeo.com/…; other sites cannot be played here."]}
        )  # fmt: skip
    if lesson.video_url and lesson.video_file:
        raise ValidationError(
            {"video_url": ["A lesson plays a link or an uploaded video, not both: "
                           "remove the uploaded video first."]}
        )  # fmt: skip
    lesson.content_html = render_markdown(lesson.content)
    lesson.full_clean()
    lesson.save()


def create_lesson(actor, *, module, title, content="", video_url="", video_file=None):
    """A lesson at the end of the module."""
    check_can_author(actor)
    _check_alive(module, "module")
    lesson = Lesson(module=module, course_id=module.course_id, title=title, content=content,
                    video_url=video_url)  # fmt: skip
    if video_file is not None:
        lesson.video_file = _clean_video_file(video_file).file
    with transaction.atomic():
        lesson.position = _next_position(Lesson.objects.alive().filter(module=module))
        _save_lesson(lesson)
        audit.record(actor, LESSON_CREATE, lesson)
        _announce(lesson.course_id, lessons_changed=True)
    return lesson


def update_lesson(actor, *, lesson, **changes):
    """Changes some of LESSON_FIELDS; `video_file=None` removes the uploaded video."""
    check_can_author(actor)
    reject_unknown(changes, LESSON_FIELDS)
    _check_alive(lesson, "lesson")
    old_video = lesson.video_file if "video_file" in changes else None
    if "video_file" in changes:
        upload = changes.pop("video_file")
        lesson.video_file = _clean_video_file(upload).file if upload is not None else ""
    for name, value in changes.items():
        setattr(lesson, name, value)
    with transaction.atomic():
        _save_lesson(lesson)
        audit.record(actor, LESSON_UPDATE, lesson, ", ".join(sorted(changes)))
        if old_video is not None:
            _delete_file_on_commit(old_video)
        _announce(lesson.course_id)
    return lesson


def delete_lesson(actor, *, lesson):
    check_can_author(actor)
    with transaction.atomic():
        lesson.deleted_at = lesson.deleted_at or timezone.now()
        lesson.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, LESSON_DELETE, lesson)
        _announce(lesson.course_id, lessons_changed=True)
    return lesson


# --- Attachments ------------------------------------------------------------------------------


def add_attachment(actor, *, lesson, upload):
    """A file members download from the lesson, kept in the private storage under a random
    name; its type is sniffed from its bytes (community.uploads.clean_file)."""
    check_can_author(actor)
    _check_alive(lesson, "lesson")
    try:
        cleaned = uploads.clean_file(
            upload, allowed=uploads.ATTACHMENT_TYPES,
            max_bytes=settings.COURSE_ATTACHMENT_MAX_BYTES,
        )  # fmt: skip
    except ValidationError as error:
        raise _field_error("upload", error) from error
    with transaction.atomic():
        attachment = Attachment(
            lesson=lesson,
            file=cleaned.file,
            name=cleaned.name,
            content_type=cleaned.content_type,
            size=cleaned.size,
            position=_next_position(lesson.attachments.all()),
        )
        attachment.save()
        audit.record(actor, ATTACH, attachment, cleaned.name)
        _announce(lesson.course_id)
    return attachment


def remove_attachment(actor, *, attachment):
    """Deletes the row, and the file once that is committed."""
    check_can_author(actor)
    with transaction.atomic():
        course_id = attachment.lesson.course_id
        audit.record(actor, DETACH, attachment, attachment.name)
        _delete_file_on_commit(attachment.file)
        attachment.delete()
        _announce(course_id)


# --- Order ------------------------------------------------------------------------------------


def _check_ids(kind, given, alive):
    """Messages for ids `given` (a list) that are repeated, unknown or missing from
    `alive`, so that each is named."""
    problems, seen = [], set()
    for item in given:
        if item in seen:
            problems.append(f"{kind} {item} is listed more than once.")
        elif item not in alive:
            problems.append(f"{kind} {item} is not in this course (or it is deleted).")
        seen.add(item)
    for item in sorted(set(alive) - seen):
        problems.append(f"{kind} {item} is missing: list every {kind.lower()} once.")
    return problems


def _parse_order(modules):
    """[(module_id, [lesson_id, …]), …] from the caller's list of dicts, or a ValidationError."""
    shape = ValidationError(
        {"modules": ['Send a list of {"id": module id, "lessons": [lesson ids]}.']}
    )
    if not isinstance(modules, list | tuple):
        raise shape
    parsed = []
    for entry in modules:
        if not isinstance(entry, dict) or set(entry) - {"id", "lessons"} or "id" not in entry:
            raise shape
        lessons = entry.get("lessons", [])
        ids = [entry["id"], *lessons] if isinstance(lessons, list | tuple) else None
        if ids is None or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise shape
        parsed.append((entry["id"], list(lessons)))
    return parsed


def reorder_course(actor, *, course, modules):
    """Applies the whole new order of the course: `modules` is
    [{"id": module_id, "lessons": [lesson_id, …]}, …] naming every alive module and every
    alive lesson of the course exactly once; a lesson may move to another module of the
    course. Anything else is refused (ValidationError on "modules", nothing changed).
    Positions become 0..n-1 within each parent."""
    check_can_author(actor)
    order = _parse_order(modules)
    with transaction.atomic():
        # The course row lock serialises two reorders (and moves) of the same course.
        course = Course.objects.select_for_update().get(pk=course.pk)
        _check_alive(course, "course")
        alive_modules = {m.pk: m for m in Module.objects.alive().filter(course=course)}
        alive_lessons = {
            lesson.pk: lesson
            for lesson in Lesson.objects.alive().filter(
                course=course, module__deleted_at__isnull=True
            )
        }
        problems = _check_ids("Module", [m for m, _ in order], alive_modules)
        problems += _check_ids("Lesson", [i for _, ls in order for i in ls], alive_lessons)
        if problems:
            raise ValidationError({"modules": problems})
        for position, (module_id, lesson_ids) in enumerate(order):
            alive_modules[module_id].position = position
            for lesson_position, lesson_id in enumerate(lesson_ids):
                lesson = alive_lessons[lesson_id]
                lesson.module_id, lesson.position = module_id, lesson_position
        Module.objects.bulk_update(alive_modules.values(), ["position"])
        Lesson.objects.bulk_update(alive_lessons.values(), ["module", "position"])
        detail = "; ".join(f"{m}: {','.join(map(str, ls))}" for m, ls in order)
        audit.record(actor, REORDER, course, detail[:2000])
        _announce(course.pk)
    return course


def current_order(course):
    """The course's order as reorder_course takes it (alive modules and lessons)."""
    lessons = {}
    for module_id, lesson_id in (
        Lesson.objects.alive()
        .filter(course=course, module__deleted_at__isnull=True)
        .order_by("position", "id")
        .values_list("module_id", "id")
    ):
        lessons.setdefault(module_id, []).append(lesson_id)
    module_ids = Module.objects.alive().filter(course=course).order_by("position", "id")
    return [
        {"id": m, "lessons": lessons.get(m, [])} for m in module_ids.values_list("id", flat=True)
    ]


def _check_direction(direction):
    if direction not in DIRECTIONS:
        raise ValidationError({"direction": ["Move “up” or “down”."]})


def move_module(actor, *, module, direction):
    """One place up or down (at the edge: nothing changes)."""
    check_can_author(actor)
    _check_direction(direction)
    _check_alive(module, "module")
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=module.course_id).first()
        order = current_order(module.course)
        index = next(i for i, entry in enumerate(order) if entry["id"] == module.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(order):
            return module.course
        order[index], order[other] = order[other], order[index]
        return reorder_course(actor, course=module.course, modules=order)


def move_lesson(actor, *, lesson, direction):
    """One place up or down in its module; past the top it goes to the end of the previous
    module, past the bottom to the start of the next (at the course's edges: no change)."""
    check_can_author(actor)
    _check_direction(direction)
    _check_alive(lesson, "lesson")
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=lesson.course_id).first()
        order = current_order(lesson.course)
        m = next((i for i, e in enumerate(order) if lesson.pk in e["lessons"]), None)
        if m is None:
            raise ValidationError("This lesson's module is deleted.", code="deleted")
        lessons = order[m]["lessons"]
        i = lessons.index(lesson.pk)
        if direction == "up" and i > 0:
            lessons[i - 1], lessons[i] = lessons[i], lessons[i - 1]
        elif direction == "down" and i < len(lessons) - 1:
            lessons[i + 1], lessons[i] = lessons[i], lessons[i + 1]
        elif direction == "up" and m > 0:
            lessons.pop(i)
            order[m - 1]["lessons"].append(lesson.pk)
        elif direction == "down" and m < len(order) - 1:
            lessons.pop(i)
            order[m + 1]["lessons"].insert(0, lesson.pk)
        else:
            return lesson.course
        return reorder_course(actor, course=lesson.course, modules=order)
