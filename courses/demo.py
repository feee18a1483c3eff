"""Demo courses: a free members' course (a video lesson, a worksheet attachment, a module that
opens a week after enrolling) with Sam part-way through it, and a Pro course behind the `pro`
tier that community's demo creates, with Lena (who holds it) just started.

Rows are written with the ORM (as a fixture would), keyed by slug and title, so running
`seed_demo` again adds only what is missing; the counters come from tasks.recount_course.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from community.demo import register_seeder
from community.models import Tier
from community.richtext import render_markdown

from . import tasks
from .models import Attachment, Course, Enrollment, Lesson, LessonProgress, Module

FREE_COURSE = {
    "slug": "community-building-101",
    "title": "Community building 101",
    "visibility": Course.Visibility.MEMBERS,
    "position": 1,
    "description": (
        "A practical course on starting and running an online community: finding your "
        "purpose, your first members, the rituals that keep people coming back, and how to "
        "grow without losing what made it good.\n\n"
        "**Free for every member.** About two hours in all."
    ),
    "modules": [
        ("Foundations", None, [
            ("Why communities work",
             "People join for the content and stay for the **people**. In this lesson we look "
             "at what makes a community different from an audience:\n\n"
             "- members talk to *each other*, not only to you\n"
             "- there is a shared purpose everyone can name\n"
             "- small rituals make showing up a habit\n\n"
             "Watch the talk below, then write down in one sentence why *your* community "
             "should exist.",
             "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
            ("Defining your purpose",
             "A good purpose statement fits on a sticky note. Try this template:\n\n"
             "> We help **who** do **what** so that **why**.\n\n"
             "Test it on three potential members. If they can't repeat it back, simplify.",
             ""),
            ("Your first 50 members",
             "Your first members are hand-picked, not marketed to.\n\n"
             "1. List 20 people you already know who share the problem\n"
             "2. Invite them personally, one message each\n"
             "3. Ask each of them to bring one person\n\n"
             "Welcome every newcomer by name in the first 24 hours.",
             ""),
        ]),
        ("Rituals and engagement", None, [
            ("Weekly rituals",
             "Rituals turn a quiet space into a lively one. Good ones are **predictable**, "
             "**small** and **easy to join**:\n\n"
             "| day | ritual |\n|---|---|\n| Monday | weekly goals thread |\n"
             "| Friday | show & tell |\n\n"
             "Download the worksheet attached to this lesson and plan your first month.",
             ""),
            ("Running a good AMA",
             "An *Ask Me Anything* works when questions are collected in advance. Open a "
             "thread two days before, pin it, and answer the top-voted questions live.",
             ""),
        ]),
        # Opens a week after the member enrolled, at midnight where they are.
        ("Growing sustainably", 7, [
            ("Onboarding at scale",
             "Past a few hundred members you can't welcome everyone yourself. Recruit "
             "*greeters* from your most active members and give them a short script.",
             ""),
            ("Measuring community health",
             "Count what matters: the share of members who **posted or replied** this month, "
             "not page views. Track it monthly and look for trends, not single numbers.",
             ""),
        ]),
    ],
}  # fmt: skip

PRO_COURSE = {
    "slug": "pricing-your-expertise",
    "title": "Pricing your expertise",
    "visibility": Course.Visibility.PAID,
    "position": 2,
    "description": (
        "For coaches and educators who sell their knowledge: how to set a price you can "
        "defend, design tiers people understand, and launch without discounting.\n\n"
        "Included with **Pro**."
    ),
    "modules": [
        ("Know your value", None, [
            ("Value-based pricing",
             "Price on the outcome for the buyer, not on your hours. Write down what a "
             "student gains in the first year, in money or in time, then charge a fraction "
             "of it (10% is a good start).",
             ""),
            ("Anchoring and tiers",
             "Three tiers, with the middle one the one you want most people to pick. The "
             "top tier exists to make the middle one look reasonable.",
             ""),
        ]),
        ("Launching", None, [
            ("Pre-sales",
             "Sell before you build: a landing page, a short waitlist email sequence and a "
             "founding-member price that ends on a **fixed date**.",
             ""),
            ("Handling objections",
             "Most objections are about risk, not price. Offer a clear refund policy and "
             "show what the first week looks like.",
             ""),
            ("Retention and churn",
             "Churn is an onboarding problem. Members who finish the first module in their "
             "first week stay three times as long: make it short.",
             ""),
        ]),
    ],
}  # fmt: skip

WORKSHEET = ("Weekly rituals worksheet.pdf", "Weekly rituals", "Rituals and engagement")


@register_seeder
def seed_courses(members):
    admin = members["admin"]
    free = _course(FREE_COURSE, admin)
    _attach_worksheet(free)
    pro = Tier.objects.filter(slug="pro").first()
    courses = [free]
    if pro is not None:
        paid = _course(PRO_COURSE, admin, required_tier=pro)
        courses.append(paid)
        _progress(members["lena"], paid, completed=1, days_ago=1)
    _progress(members["sam"], free, completed=3, days_ago=3)
    for course in courses:
        tasks.recount_course(course.pk)


def _course(spec, author, required_tier=None):
    course = Course.objects.filter(slug=spec["slug"]).first()
    if course is None:
        course = Course.objects.create(
            slug=spec["slug"],
            title=spec["title"],
            description=spec["description"],
            description_html=render_markdown(spec["description"]),
            visibility=spec["visibility"],
            required_tier=required_tier,
            position=spec["position"],
            published_at=timezone.now(),
            created_by=author,
        )
    for position, (title, drip_days, lessons) in enumerate(spec["modules"]):
        module, _ = Module.objects.get_or_create(
            course=course, title=title, defaults={"position": position, "drip_days": drip_days}
        )
        for lesson_position, (lesson_title, content, video_url) in enumerate(lessons):
            Lesson.objects.get_or_create(
                module=module,
                title=lesson_title,
                defaults={
                    "course": course,
                    "content": content,
                    "content_html": render_markdown(content),
                    "video_url": video_url,
                    "position": lesson_position,
                },
            )
    return course


def _attach_worksheet(course):
    name, lesson_title, module_title = WORKSHEET
    lesson = Lesson.objects.get(course=course, module__title=module_title, title=lesson_title)
    if lesson.attachments.filter(name=name).exists():
        return
    data = _pdf(["Weekly rituals worksheet", "Monday: weekly goals thread",
                 "Friday: show & tell", "Your ritual: ____________"])  # fmt: skip
    attachment = Attachment(lesson=lesson, name=name, content_type="application/pdf",
                            size=len(data))  # fmt: skip
    attachment.file.save("weekly-rituals-worksheet.pdf", ContentFile(data), save=True)


def _progress(member, course, *, completed, days_ago):
    """Enrolls `member` `days_ago` days ago with the first `completed` lessons done and the
    next one opened last (where "resume" takes them)."""
    now = timezone.now()
    enrollment, _ = Enrollment.objects.get_or_create(
        course=course, user=member, defaults={"enrolled_at": now - timedelta(days=days_ago)}
    )
    lessons = list(
        Lesson.objects.alive()
        .filter(course=course, module__deleted_at__isnull=True)
        .order_by("module__position", "module_id", "position", "id")
    )
    for lesson in lessons[:completed]:
        LessonProgress.objects.get_or_create(
            lesson=lesson,
            user=member,
            defaults={"course": course, "completed_at": now - timedelta(days=days_ago / 2)},
        )
    if enrollment.last_lesson_id is None and len(lessons) > completed:
        enrollment.last_lesson = lessons[completed]
        enrollment.last_opened_at = now - timedelta(hours=2)
        enrollment.save(update_fields=["last_lesson", "last_opened_at"])


def _pdf(lines):
    """A small one-page PDF with `lines` of text (Helvetica), built by hand: no library."""
    text = "BT /F1 14 Tf 72 760 Td 20 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines
    ) + " ET"  # fmt: skip
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
