"""Authoring courses (courses/services/authoring.py): each write, its refusals by field with
nothing changed, who may write, the audit entries, the live event and the recount; the
order of modules and lessons; uploads sniffed from their bytes (community.uploads)."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from community.models import AuditEntry
from community.uploads import clean_file, safe_download_name
from courses import tasks
from courses.models import Attachment, Course, Lesson, Module
from courses.services import authoring
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, TierFactory

pytestmark = pytest.mark.django_db


# --- Files, built in memory ----------------------------------------------------------------


def image_bytes(fmt, size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def zip_bytes(names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 200
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
WEBM = bytes.fromhex("1A45DFA3") + b"\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200

ACCEPTED = [
    ("notes.pdf", PDF, "application/pdf", "notes.pdf"),
    ("bundle.zip", zip_bytes(["a.txt", "b/c.txt"]), "application/zip", "bundle.zip"),
    ("pic.png", image_bytes("PNG"), "image/png", "pic.png"),
    ("photo.jpeg", image_bytes("JPEG"), "image/jpeg", "photo.jpg"),
    ("anim.gif", image_bytes("GIF"), "image/gif", "anim.gif"),
    ("pic.webp", image_bytes("WEBP"), "image/webp", "pic.webp"),
    ("readme.txt", "Héllo, world\n".encode(), "text/plain", "readme.txt"),
    ("guide.md", b"# Guide\n\n- one\n", "text/markdown", "guide.md"),
    ("data.csv", b"a,b\n1,2\n", "text/csv", "data.csv"),
    ("song.mp3", MP3, "audio/mpeg", "song.mp3"),
    ("clip.mp4", MP4, "video/mp4", "clip.mp4"),
    ("clip.webm", WEBM, "video/webm", "clip.webm"),
    (
        "letter.docx",
        zip_bytes(["[Content_Types].xml", "_rels/.rels", "word/document.xml"]),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "letter.docx",
    ),
    (
        "sums.xlsx",
        zip_bytes(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "sums.xlsx",
    ),
    (
        "talk.pptx",
        zip_bytes(["[Content_Types].xml", "ppt/slides/slide1.xml", "ppt/presentation.xml"]),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "talk.pptx",
    ),
]


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_files(folder):
    storage = storages["private"]
    try:
        return storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


# --- Scenery ----------------------------------------------------------------------------------


@pytest.fixture
def course(db):
    return CourseFactory(title="Baking", slug="baking")


@pytest.fixture
def outline(course):
    """Two modules of two lessons, and a third module with one."""
    modules = [ModuleFactory(course=course, position=i) for i in range(3)]
    lessons = [
        LessonFactory(module=modules[0], position=0),
        LessonFactory(module=modules[0], position=1),
        LessonFactory(module=modules[1], position=0),
        LessonFactory(module=modules[1], position=1),
        LessonFactory(module=modules[2], position=0),
    ]
    return modules, lessons


def order_of(course):
    return authoring.current_order(course)


def actions(target=None):
    entries = AuditEntry.objects.order_by("id")
    if target is not None:
        entries = entries.filter(target_id=target.pk)
    return list(entries.values_list("action", flat=True))


# --- Who may write ----------------------------------------------------------------------------

WRITES = [
    lambda actor, c, m, le: authoring.create_course(actor, title="X", visibility="members"),
    lambda actor, c, m, le: authoring.update_course(actor, course=c, title="Y"),
    lambda actor, c, m, le: authoring.publish_course(actor, course=c),
    lambda actor, c, m, le: authoring.unpublish_course(actor, course=c),
    lambda actor, c, m, le: authoring.delete_course(actor, course=c),
    lambda actor, c, m, le: authoring.create_module(actor, course=c, title="M"),
    lambda actor, c, m, le: authoring.update_module(actor, module=m, title="M2"),
    lambda actor, c, m, le: authoring.delete_module(actor, module=m),
    lambda actor, c, m, le: authoring.create_lesson(actor, module=m, title="L"),
    lambda actor, c, m, le: authoring.update_lesson(actor, lesson=le, title="L2"),
    lambda actor, c, m, le: authoring.delete_lesson(actor, lesson=le),
    lambda actor, c, m, le: authoring.add_attachment(actor, lesson=le, upload=upload("a.pdf", PDF)),
    lambda actor, c, m, le: authoring.reorder_course(actor, course=c, modules=order_of(c)),
    lambda actor, c, m, le: authoring.move_module(actor, module=m, direction="down"),
    lambda actor, c, m, le: authoring.move_lesson(actor, lesson=le, direction="down"),
]


@pytest.mark.parametrize("persona", ["anonymous", "member", "paid_member", "moderator"])
@pytest.mark.parametrize("write", range(len(WRITES)))
def test_only_admins_author(request, persona, write, course):
    actor = request.getfixturevalue(persona)
    module = ModuleFactory(course=course)
    lesson = LessonFactory(module=module)
    with pytest.raises(PermissionDenied):
        WRITES[write](actor, course, module, lesson)
    assert AuditEntry.objects.count() == 0
    assert Course.objects.get(pk=course.pk).title == "Baking"


def test_removing_an_attachment_is_for_admins_only(member, admin, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    attachment = authoring.add_attachment(admin, lesson=lesson, upload=upload("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        authoring.remove_attachment(member, attachment=attachment)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- Courses ----------------------------------------------------------------------------------


def test_it_creates_a_draft_with_a_slug_from_the_title_and_rendered_markdown(
    admin, live_events, django_capture_on_commit_callbacks
):
    CourseFactory(slug="intro-to-bread")
    with django_capture_on_commit_callbacks(execute=True):
        course = authoring.create_course(
            admin,
            title="  Intro to bread ",
            description="**Flour** <script>alert(1)</script>",
            visibility="members",
        )
        assert live_events == []
    assert course.slug == "intro-to-bread-2"
    assert course.title == "Intro to bread"
    assert course.published_at is None and course.created_by == admin
    assert "<strong>Flour</strong>" in course.description_html
    assert "<script" not in course.description_html
    assert actions(course) == ["courses.create"]
    assert live_events.to(f"course:{course.pk}") == [
        (f"course:{course.pk}", "course.updated", {"id": course.pk})
    ]


def test_it_creates_a_published_paid_course_with_a_thumbnail(admin):
    tier = TierFactory()
    course = authoring.create_course(
        admin,
        title="Pro",
        visibility="paid",
        required_tier=tier,
        published=True,
        thumbnail=upload("me.png", image_bytes("PNG", (40, 30))),
    )
    assert course.is_published and course.required_tier == tier
    assert course.thumbnail.name.startswith("courses/thumbnails/")
    assert not course.thumbnail.name.endswith("me.png")  # a random name
    assert actions(course) == ["courses.create", "courses.publish"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "", "visibility": "members"}, "title"),
        ({"title": "X", "slug": "taken", "visibility": "members"}, "slug"),
        ({"title": "X", "slug": "manage", "visibility": "members"}, "slug"),
        ({"title": "X", "slug": "not a slug!", "visibility": "members"}, "slug"),
        ({"title": "X", "visibility": "paid"}, "required_tier"),
        ({"title": "X", "visibility": "secret"}, "visibility"),
        ({"title": "X", "visibility": "members", "description": "x" * 20_001}, "description"),
    ],
)
def test_it_refuses_a_bad_course_by_field_and_saves_nothing(admin, fields, field):
    CourseFactory(slug="taken")
    with pytest.raises(ValidationError) as refused:
        authoring.create_course(admin, **fields)
    assert field in refused.value.message_dict
    assert Course.objects.count() == 1 and AuditEntry.objects.count() == 0


def test_a_thumbnail_that_is_not_an_image_is_refused_without_storing(admin, settings):
    with pytest.raises(ValidationError) as refused:
        authoring.create_course(
            admin, title="X", visibility="members", thumbnail=upload("x.png", PDF)
        )
    assert "thumbnail" in refused.value.message_dict
    assert not Course.objects.exists()
    assert not (settings.MEDIA_ROOT / "courses").exists()


def test_it_updates_a_course(admin, course, live_events, django_capture_on_commit_callbacks):
    tier = TierFactory()
    with django_capture_on_commit_callbacks(execute=True):
        authoring.update_course(
            admin, course=course, title="Sourdough", description="*new*", visibility="paid",
            required_tier=tier, position=4,
        )  # fmt: skip
    course.refresh_from_db()
    assert (course.title, course.slug, course.position) == ("Sourdough", "baking", 4)
    assert course.description_html == "<p><em>new</em></p>\n"
    assert actions(course) == ["courses.update"]
    assert live_events.types() == ["course.updated"]


def test_an_empty_slug_is_made_again_from_the_title(admin, course):
    authoring.update_course(admin, course=course, title="Rye", slug="")
    assert Course.objects.get(pk=course.pk).slug == "rye"


def test_a_refused_update_changes_nothing(admin, course):
    with pytest.raises(ValidationError) as refused:
        authoring.update_course(admin, course=course, title="New", visibility="paid")
    assert "required_tier" in refused.value.message_dict
    course.refresh_from_db()
    assert course.title == "Baking" and course.visibility == "members"
    with pytest.raises(TypeError):
        authoring.update_course(admin, course=course, lesson_count=9)


def test_it_publishes_unpublishes_and_deletes(
    admin, live_events, django_capture_on_commit_callbacks
):
    course = CourseFactory(draft=True)
    with django_capture_on_commit_callbacks(execute=True):
        authoring.publish_course(admin, course=course)
    first = Course.objects.get(pk=course.pk).published_at
    assert first is not None
    authoring.publish_course(admin, course=course)
    assert Course.objects.get(pk=course.pk).published_at == first
    authoring.unpublish_course(admin, course=course)
    assert Course.objects.get(pk=course.pk).published_at is None
    authoring.delete_course(admin, course=course)
    assert Course.objects.get(pk=course.pk).deleted_at is not None
    assert not Course.objects.alive().filter(pk=course.pk).exists()
    assert actions(course) == [
        "courses.publish", "courses.publish", "courses.unpublish", "courses.delete",
    ]  # fmt: skip
    assert live_events.to(f"course:{course.pk}")
    with pytest.raises(ValidationError):
        authoring.publish_course(admin, course=course)


# --- Modules ----------------------------------------------------------------------------------


def test_modules_are_appended_and_take_one_drip_rule(
    admin, course, live_events, django_capture_on_commit_callbacks
):
    first = authoring.create_module(admin, course=course, title="Start")
    with django_capture_on_commit_callbacks(execute=True):
        second = authoring.create_module(admin, course=course, title="Later", drip_days=7)
    assert (first.position, second.position) == (0, 1)
    assert second.drip_days == 7
    assert actions(second) == ["courses.module_create"]
    assert live_events.to(f"course:{course.pk}")

    with pytest.raises(ValidationError) as refused:
        authoring.update_module(admin, module=second, drip_date="2030-01-01")
    assert "drip_date" in refused.value.message_dict
    assert Module.objects.get(pk=second.pk).drip_date is None

    authoring.update_module(admin, module=second, drip_days=None, drip_date="2030-01-01")
    second.refresh_from_db()
    assert (second.drip_days, str(second.drip_date)) == (None, "2030-01-01")


def test_a_module_needs_a_title(admin, course):
    with pytest.raises(ValidationError) as refused:
        authoring.create_module(admin, course=course, title="  ")
    assert "title" in refused.value.message_dict
    assert not Module.objects.exists()


def test_deleting_a_module_hides_its_lessons_and_recounts(admin, outline, course,
                                                            django_capture_on_commit_callbacks,
                                                            monkeypatch):  # fmt: skip
    modules, _ = outline
    queued = []
    monkeypatch.setattr(tasks.recount_course, "delay", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        authoring.delete_module(admin, module=modules[0])
    assert queued == [(course.pk,)]
    tasks.recount_course(course.pk)
    assert Course.objects.get(pk=course.pk).lesson_count == 3
    assert [m["id"] for m in order_of(course)] == [modules[1].pk, modules[2].pk]
    assert actions(modules[0]) == ["courses.module_delete"]


# --- Lessons ----------------------------------------------------------------------------------


def test_lessons_are_appended_with_markdown_and_a_video_link(
    admin, course, monkeypatch, django_capture_on_commit_callbacks
):
    module = ModuleFactory(course=course)
    queued = []
    monkeypatch.setattr(tasks.recount_course, "delay", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        first = authoring.create_lesson(admin, module=module, title="One")
        second = authoring.create_lesson(
            admin, module=module, title="Two", content="Hi <script>x()</script> **there**",
            video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        )  # fmt: skip
    assert (first.position, second.position) == (0, 1)
    assert second.course == course
    assert "<script" not in second.content_html and "<strong>there</strong>" in second.content_html
    assert second.video_embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert first.video_embed_url is None
    assert queued == [(course.pk,), (course.pk,)]
    assert actions(second) == ["courses.lesson_create"]


def test_vimeo_links_play_and_other_sites_are_refused(admin, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    authoring.update_lesson(admin, lesson=lesson, video_url="https://vimeo.com/76979871")
    assert lesson.video_embed_url == "https://player.vimeo.com/video/76979871"
    for url in ("https://evil.example/watch?v=dQw4w9WgXcQ", "javascript:alert(1)"):
        with pytest.raises(ValidationError) as refused:
            authoring.update_lesson(admin, lesson=lesson, video_url=url)
        assert "YouTube or Vimeo" in refused.value.message_dict["video_url"][0]
    assert Lesson.objects.get(pk=lesson.pk).video_url == "https://vimeo.com/76979871"


def test_an_uploaded_video_is_sniffed_and_stored_privately(admin, course, settings):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    authoring.update_lesson(admin, lesson=lesson, video_file=upload("clip.mp4", MP4))
    lesson.refresh_from_db()
    assert lesson.video_file.name.startswith("courses/videos/")
    assert lesson.video_file.name.endswith(".mp4") and "clip" not in lesson.video_file.name
    assert stored_files("courses/videos") == [lesson.video_file.name.rsplit("/", 1)[1]]

    with pytest.raises(ValidationError) as refused:
        authoring.update_lesson(admin, lesson=lesson, video_file=upload("x.mp4", PDF))
    assert "video_file" in refused.value.message_dict

    settings.COURSE_VIDEO_MAX_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        authoring.update_lesson(admin, lesson=lesson, video_file=upload("big.webm", WEBM))
    assert "limit" in refused.value.message_dict["video_file"][0]
    assert len(stored_files("courses/videos")) == 1


def test_a_lesson_plays_a_link_or_a_file_not_both(admin, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    authoring.update_lesson(admin, lesson=lesson, video_file=upload("clip.webm", WEBM))
    with pytest.raises(ValidationError) as refused:
        authoring.update_lesson(admin, lesson=lesson, video_url="https://youtu.be/dQw4w9WgXcQ")
    assert "video_url" in refused.value.message_dict
    authoring.update_lesson(
        admin, lesson=lesson, video_file=None, video_url="https://youtu.be/dQw4w9WgXcQ"
    )
    lesson.refresh_from_db()
    assert not lesson.video_file and lesson.video_url


def test_deleting_a_lesson_recounts(
    admin, outline, course, monkeypatch, django_capture_on_commit_callbacks
):
    _, lessons = outline
    queued = []
    monkeypatch.setattr(tasks.recount_course, "delay", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        authoring.delete_lesson(admin, lesson=lessons[0])
    assert queued == [(course.pk,)]
    assert lessons[0].pk not in [i for m in order_of(course) for i in m["lessons"]]
    assert actions(lessons[0]) == ["courses.lesson_delete"]


def test_titles_are_required_and_bounded(admin, course):
    module = ModuleFactory(course=course)
    with pytest.raises(ValidationError) as refused:
        authoring.create_lesson(admin, module=module, title="x" * 201)
    assert "title" in refused.value.message_dict
    assert not Lesson.objects.exists()


# --- Attachments ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data", "content_type", "download"), ACCEPTED)
def test_each_allowed_attachment_type_is_accepted(
    admin, course, name, data, content_type, download
):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    attachment = authoring.add_attachment(admin, lesson=lesson, upload=upload(name, data))
    assert attachment.content_type == content_type
    assert attachment.name == download
    assert attachment.size == len(data)
    assert attachment.file.name.startswith("courses/attachments/")
    assert name.split(".")[0] not in attachment.file.name  # a random stored name
    with attachment.file.open("rb") as stored:
        assert stored.read() == data


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.pdf", EXE),  # an executable renamed
        ("nul.txt", b"abc\x00def"),
        ("latin.txt", "café".encode("latin-1")),
        ("broken.zip", b"PK\x03\x04" + b"\x00" * 60),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
        ("empty.txt", b""),
        ("movie.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 100),
    ],
)
def test_other_files_are_refused_by_field_without_storing(admin, course, name, data):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    with pytest.raises(ValidationError) as refused:
        authoring.add_attachment(admin, lesson=lesson, upload=upload(name, data, "application/pdf"))
    assert "upload" in refused.value.message_dict
    assert not Attachment.objects.exists()
    assert stored_files("courses/attachments") == []


def test_an_office_lookalike_is_a_plain_zip(admin, course):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    data = zip_bytes(["[Content_Types].xml", "word/other.xml"])
    attachment = authoring.add_attachment(admin, lesson=lesson, upload=upload("fake.docx", data))
    assert (attachment.content_type, attachment.name) == ("application/zip", "fake.zip")


def test_an_oversized_attachment_is_refused_before_it_is_read(admin, course, settings):
    settings.COURSE_ATTACHMENT_MAX_BYTES = 10
    lesson = LessonFactory(module=ModuleFactory(course=course))
    with pytest.raises(ValidationError) as refused:
        authoring.add_attachment(admin, lesson=lesson, upload=upload("a.pdf", PDF))
    assert "limit" in refused.value.message_dict["upload"][0]
    assert stored_files("courses/attachments") == []


def test_attachments_are_appended_announced_and_removed_with_their_file(
    admin, course, live_events, django_capture_on_commit_callbacks
):
    lesson = LessonFactory(module=ModuleFactory(course=course))
    first = authoring.add_attachment(admin, lesson=lesson, upload=upload("a.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        second = authoring.add_attachment(admin, lesson=lesson, upload=upload("b.pdf", PDF))
    assert (first.position, second.position) == (0, 1)
    assert live_events.to(f"course:{course.pk}")
    assert len(stored_files("courses/attachments")) == 2
    with django_capture_on_commit_callbacks(execute=True):
        authoring.remove_attachment(admin, attachment=first)
    assert list(Attachment.objects.values_list("pk", flat=True)) == [second.pk]
    assert len(stored_files("courses/attachments")) == 1
    assert AuditEntry.objects.filter(action="courses.detach").count() == 1


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('C:\\Users\\me\\"evil"<name>.pdf', "evil_name.pdf"),
        ("report.final.PDF", "report.final.pdf"),
        ("\u202egnp.exe", "gnp.exe.pdf"),
        ("", "file.pdf"),
    ],
)
def test_download_names_are_made_safe(given, safe):
    result = safe_download_name(given, "application/pdf")
    assert result.endswith(".pdf") and "/" not in result and '"' not in result
    if given.startswith("\u202e"):
        assert "\u202e" not in result
    else:
        assert result == safe


def test_clean_file_answers_with_the_type_a_name_and_a_random_stored_name():
    cleaned = clean_file(upload("x.bin", PDF), allowed={"application/pdf"}, max_bytes=10_000)
    assert (cleaned.content_type, cleaned.name, cleaned.size) == (
        "application/pdf",
        "x.pdf",
        len(PDF),
    )
    assert cleaned.file.name.endswith(".pdf") and cleaned.file.name != "x.pdf"
    with pytest.raises(ValidationError) as refused:
        clean_file(upload("x.pdf", PDF), allowed={"video/mp4"}, max_bytes=10_000)
    assert refused.value.code == "unsupported_file_type"
    assert "MP4" in refused.value.messages[0]


# --- Order ------------------------------------------------------------------------------------


def test_reorder_moves_modules_and_lessons_across_modules(
    admin, outline, course, live_events, django_capture_on_commit_callbacks
):
    (m0, m1, m2), (a, b, c, d, e) = outline
    new = [
        {"id": m2.pk, "lessons": [e.pk, a.pk]},
        {"id": m0.pk, "lessons": []},
        {"id": m1.pk, "lessons": [d.pk, b.pk, c.pk]},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        authoring.reorder_course(admin, course=course, modules=new)
    assert order_of(course) == new
    a.refresh_from_db()
    assert (a.module_id, a.position, a.course_id) == (m2.pk, 1, course.pk)
    assert list(
        Module.objects.filter(course=course).order_by("id").values_list("position", flat=True)
    ) == [1, 2, 0]
    assert actions(course) == ["courses.reorder"]
    assert live_events.to(f"course:{course.pk}")


def _refused(admin, course, modules):
    before = order_of(course)
    with pytest.raises(ValidationError) as refused:
        authoring.reorder_course(admin, course=course, modules=modules)
    assert order_of(course) == before
    assert AuditEntry.objects.count() == 0
    return " ".join(refused.value.message_dict["modules"])


def test_reorder_refuses_what_omits_repeats_or_adds(admin, outline, course):
    (m0, m1, m2), (a, b, c, d, e) = outline
    whole = order_of(course)
    # A module omitted (its lessons moved elsewhere).
    message = _refused(admin, course, [
        {"id": m0.pk, "lessons": [a.pk, b.pk, e.pk]}, {"id": m1.pk, "lessons": [c.pk, d.pk]},
    ])  # fmt: skip
    assert f"Module {m2.pk} is missing" in message
    # A lesson omitted, a lesson repeated.
    message = _refused(admin, course, [
        {"id": m0.pk, "lessons": [a.pk, a.pk]}, {"id": m1.pk, "lessons": [c.pk, d.pk]},
        {"id": m2.pk, "lessons": [e.pk]},
    ])  # fmt: skip
    assert f"Lesson {a.pk} is listed more than once" in message
    assert f"Lesson {b.pk} is missing" in message
    # A module repeated.
    message = _refused(admin, course, [*whole, {"id": m0.pk, "lessons": []}])
    assert f"Module {m0.pk} is listed more than once" in message
    # A lesson and a module of another course.
    foreign = LessonFactory()
    message = _refused(admin, course, [
        *whole[:2], {"id": m2.pk, "lessons": [e.pk, foreign.pk]},
        {"id": foreign.module_id, "lessons": []},
    ])  # fmt: skip
    assert f"Lesson {foreign.pk} is not in this course" in message
    assert f"Module {foreign.module_id} is not in this course" in message
    # A deleted lesson and a deleted module.
    gone = LessonFactory(module=m2, deleted_at="2020-01-01T00:00Z")
    gone_module = ModuleFactory(course=course, deleted_at="2020-01-01T00:00Z")
    message = _refused(admin, course, [
        *whole[:2], {"id": m2.pk, "lessons": [e.pk, gone.pk]},
        {"id": gone_module.pk, "lessons": []},
    ])  # fmt: skip
    assert f"Lesson {gone.pk} is not in this course" in message
    assert f"Module {gone_module.pk} is not in this course" in message


@pytest.mark.parametrize(
    "bad", [None, "1,2", [1, 2], [{"id": "1"}], [{"id": 1, "lessons": "2"}], [{"id": True}],
            [{"id": 1, "extra": 2}]],
)  # fmt: skip
def test_reorder_refuses_a_malformed_order(admin, outline, course, bad):
    assert "Send a list" in _refused(admin, course, bad)


def test_reorder_locks_the_course_row(admin, outline, course):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        authoring.reorder_course(admin, course=course, modules=order_of(course))
    locking = [q["sql"] for q in queries if "courses_course" in q["sql"]]
    assert locking, "the course row is read inside the transaction"
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in locking[0]


def test_move_module_up_and_down_and_at_the_edges(admin, outline, course):
    (m0, m1, m2), _ = outline
    authoring.move_module(admin, module=m2, direction="up")
    assert [m["id"] for m in order_of(course)] == [m0.pk, m2.pk, m1.pk]
    authoring.move_module(admin, module=m0, direction="down")
    assert [m["id"] for m in order_of(course)] == [m2.pk, m0.pk, m1.pk]
    entries = AuditEntry.objects.count()
    authoring.move_module(admin, module=m2, direction="up")  # the first: stays
    authoring.move_module(admin, module=m1, direction="down")  # the last: stays
    assert [m["id"] for m in order_of(course)] == [m2.pk, m0.pk, m1.pk]
    assert AuditEntry.objects.count() == entries
    with pytest.raises(ValidationError) as refused:
        authoring.move_module(admin, module=m1, direction="sideways")
    assert "direction" in refused.value.message_dict


def test_move_lesson_within_and_across_modules(admin, outline, course):
    (m0, m1, m2), (a, b, c, d, e) = outline
    authoring.move_lesson(admin, lesson=b, direction="up")
    assert order_of(course)[0]["lessons"] == [b.pk, a.pk]
    # Past the top of a module: the end of the previous one.
    authoring.move_lesson(admin, lesson=c, direction="up")
    assert order_of(course)[:2] == [
        {"id": m0.pk, "lessons": [b.pk, a.pk, c.pk]}, {"id": m1.pk, "lessons": [d.pk]},
    ]  # fmt: skip
    # Past the bottom: the start of the next one.
    authoring.move_lesson(admin, lesson=d, direction="down")
    assert order_of(course)[1:] == [
        {"id": m1.pk, "lessons": []}, {"id": m2.pk, "lessons": [d.pk, e.pk]},
    ]  # fmt: skip
    # Through an empty module: it lands there.
    authoring.move_lesson(admin, lesson=d, direction="up")
    assert order_of(course)[1] == {"id": m1.pk, "lessons": [d.pk]}
    # The course's edges: no change.
    before = order_of(course)
    authoring.move_lesson(admin, lesson=b, direction="up")
    authoring.move_lesson(admin, lesson=e, direction="down")
    assert order_of(course) == before
