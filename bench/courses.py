"""The courses' side of the benchmark dataset (issue 14): courses of modules of lessons, and
members' enrollments and completed lessons (courses app), for the catalog, course page and
lesson page read scenarios and the complete / uncomplete write scenario.

- `Scale.courses` courses `bench-<scale>-course-<i>` in catalog order, visibility cycling
  members / public / paid / members / paid (paid: the scale's tier, as the paid spaces); one
  in 25 is a draft (i % 25 == 13), one in 50 soft-deleted (i % 50 == 37).
- Course 0 (`SHOWCASE`) is 20 modules x 20 lessons, members-only, published: the course
  page scenario's at every scale. Its last four modules drip: 14, 28 and 90 days after
  enrolling, and on a date a month ahead. Every other course has `modules_per_course` x
  `lessons_per_module` lessons; the last lesson of one module in nine and the last module of
  every tenth course (i % 10 == 6) are soft-deleted; the last module of every fourth course
  (i % 4 == 3) opens 30 days after enrolling.
- Lessons: Markdown content (rendered once per text of a pool), a YouTube link on every
  third lesson, an attachment row on every tenth (a made-up file name in the private
  storage: only its row is read by the pages; downloading it is not a scenario).
- Enrollments (`Scale.enrollments`, one per member and course): courses by popularity
  (rank ** -1, course 0 the tenth), members by activity (rank ** -0.5), paid courses
  only for members who held the tier at some time. Fixed ones first: the reader
  (bench-<scale>-10) in course 0 since 45 days with its first `READER_DONE` lessons
  completed (its next lesson, the lesson page scenario's, has a video and two attachments),
  and in course 1 with every lesson completed; the writers of the write phase
  (bench-<scale>-20 … -83) in course 1 (`WRITE_COURSE`, public, no drip), nothing
  completed.
- Progress (`Scale.progress` rows at most): each member completes a course's lessons in
  order, never past a module still locked for them (drip, with a day's margin for time
  zones); about one enrollment in ten finishes the course (`completed_at` = its last
  lesson's time), the others stop early (skewed towards few). `last_lesson` is the next
  lesson after the last completed (opened, not finished), or the last completed when no
  further lesson is open to them (the last of a finished course).

Courses and modules are a few thousand rows (bulk_create); lessons, enrollments and
progress are COPYed like the other big tables, with their indexes rebuilt after the load.
The draw has its own random generator (seeded with the scale and the load's seed), so a
scale loaded before courses existed gets the same courses when `seed_bench` adds them
(`dataset.add_courses`: in their own transaction, the marker is course 0's slug).
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime

from community.models import AccessGrant
from community.richtext import render_markdown
from courses.models import Attachment, Course, Enrollment, Lesson, LessonProgress, Module

from .accounts import READER
from .bulk import copy_rows, quote, reserve_ids

DAY = 86_400.0
SHOWCASE = 0  # the course page scenario's course: 20 x 20
SHOWCASE_MODULES = SHOWCASE_LESSONS = 20
# Course 0's drip modules, by position (0-based): days after enrolling, or a date ahead.
SHOWCASE_DRIP_DAYS = {16: 14, 17: 28, 18: 90}
SHOWCASE_DRIP_DATE = {19: 30}  # opens this many days after the load
WRITE_COURSE = 1  # public, no drip: the writers' course
# The write phase's members: bench.run.FIRST_WRITER and bench.writes.WRITERS (a test keeps
# them equal; importing bench.run here would pull in the servers).
WRITERS_FROM, WRITERS = 20, 64
READER_DONE = 150  # lessons of course 0 the reader has completed, in order
READER_ENROLLED_DAYS = 45  # so course 0's 14- and 28-day modules are open, the 90-day one not
FINISHERS = 0.1  # share of the drawn enrollments that finish their course (when it fits)
COURSE_SKEW = 1.0
ENROLLEE_SKEW = 0.5

VISIBILITY_CYCLE = ("members", "public", "paid", "members", "paid")
TOPICS = (
    "Python from scratch", "Design systems", "Writing that lands", "Community building",
    "Data for everyone", "Public speaking", "Product thinking", "Photography basics",
    "Freelancing", "Web accessibility", "Testing in practice", "Negotiation",
)  # fmt: skip
_VIDEO_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def course_slug(scale_name, i):
    return f"bench-{scale_name}-course-{i}"


def loaded(scale_name):
    """Course 0's slug is the marker: the scale's courses are there."""
    return Course.objects.filter(slug=course_slug(scale_name, SHOWCASE)).exists()


def visibility(i):
    return VISIBILITY_CYCLE[i % len(VISIBILITY_CYCLE)]


def is_draft(i):
    return i % 25 == 13


def is_deleted(i):
    return i % 50 == 37


def shape(scale, i):
    """(modules, lessons per module) of course i."""
    if i == SHOWCASE:
        return SHOWCASE_MODULES, SHOWCASE_LESSONS
    return scale.modules_per_course, scale.lessons_per_module


def writer_numbers(scale):
    return range(WRITERS_FROM, min(scale.members, WRITERS_FROM + WRITERS))


@dataclass
class _Module:
    id: int
    deleted: bool
    drip_days: int | None
    drip_open: float | None  # a date module: the moment it is surely open everywhere


@dataclass
class _Course:
    index: int
    id: int
    paid: bool
    open: bool  # published and alive: members may enroll
    created: float
    modules: list = field(default_factory=list)  # _Module, in order
    # The alive lessons of alive modules in order: (lesson id, module index).
    sequence: list = field(default_factory=list)
    gates: list | None = None  # its drip modules, by _completable


@dataclass
class Plan:
    """What the course steps pass on to each other (on the dataset Context)."""

    courses: list = field(default_factory=list)  # _Course by index
    enrollments: list = field(default_factory=list)  # (course index, member index, at, done)
    rng: random.Random | None = None


def _plan(ctx):
    if getattr(ctx, "course_plan", None) is None:
        seed = getattr(ctx, "seed", 1)
        ctx.course_plan = Plan(rng=random.Random(f"bench-courses-{ctx.scale.name}-{seed}"))
    return ctx.course_plan


def _ts(epoch):
    return datetime.fromtimestamp(epoch, UTC)


def _sentence(rng, words, lo=5, hi=14):
    return " ".join(rng.choices(words, k=rng.randint(lo, hi))).capitalize() + "."


def _lesson_pool(rng, size):
    """(markdown, html) lesson texts: a heading, paragraphs, a list, rendered once each."""
    from .dataset import WORDS

    pool = []
    for _ in range(size):
        parts = [f"## {_sentence(rng, WORDS, 2, 5).rstrip('.')}"]
        parts += [
            " ".join(_sentence(rng, WORDS) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(2, 4))
        ]
        parts.append("\n".join(f"- {_sentence(rng, WORDS, 3, 8)}" for _ in range(3)))
        parts.append(" ".join(_sentence(rng, WORDS) for _ in range(rng.randint(1, 3))))
        body = "\n\n".join(parts)
        pool.append((body, render_markdown(body)))
    return pool


# --- steps (appended to bench.dataset.STEPS) ----------------------------------------------------


def load_courses(ctx):
    """The courses and their modules (bulk_create: a few thousand rows); returns the courses."""
    from community.models import Tier

    from .dataset import tier_slug

    scale, plan = ctx.scale, _plan(ctx)
    if not scale.courses:
        return 0
    rng = plan.rng
    tier = Tier.objects.get(slug=tier_slug(scale.name))
    from .dataset import WORDS

    courses = []
    for i in range(scale.courses):
        created = ctx.now - (400 - i * 300 / scale.courses) * DAY
        description = " ".join(_sentence(rng, WORDS) for _ in range(rng.randint(2, 4)))
        paid = visibility(i) == "paid"
        courses.append(
            Course(
                title=f"{TOPICS[i % len(TOPICS)]} {i} ({scale.name})",
                slug=course_slug(scale.name, i),
                description=description,
                description_html=render_markdown(description),
                visibility=visibility(i),
                required_tier=tier if paid else None,
                position=i,
                published_at=None if is_draft(i) else _ts(created + 3600),
                created_by_id=ctx.member_id(0),
                created_at=_ts(created),
                deleted_at=_ts(created + 2 * DAY) if is_deleted(i) else None,
            )
        )
    Course.objects.bulk_create(courses, batch_size=500)
    today = datetime.fromtimestamp(ctx.now, UTC).date()
    modules = []
    for i, course in enumerate(courses):
        entry = _Course(
            index=i, id=course.pk, paid=course.visibility == "paid",
            open=course.published_at is not None and course.deleted_at is None,
            created=course.created_at.timestamp(),
        )  # fmt: skip
        count, _ = shape(scale, i)
        for m in range(count):
            days = drip_date = None
            if i == SHOWCASE:
                days = SHOWCASE_DRIP_DAYS.get(m)
                if m in SHOWCASE_DRIP_DATE:
                    drip_date = today + timedelta(days=SHOWCASE_DRIP_DATE[m])
            elif i % 4 == 3 and m == count - 1 and count > 1:
                days = 30
            deleted = i != SHOWCASE and i % 10 == 6 and m == count - 1 and count > 1
            modules.append(
                Module(
                    course_id=course.pk, title=f"Module {m + 1}: {_sentence(rng, WORDS, 2, 5)}",
                    position=m, drip_days=days, drip_date=drip_date,
                    created_at=course.created_at, deleted_at=course.created_at if deleted else None,
                )
            )  # fmt: skip
            entry.modules.append(_Module(None, deleted, days, _date_open(drip_date)))
        plan.courses.append(entry)
    Module.objects.bulk_create(modules, batch_size=1000)
    ids = iter(module.pk for module in modules)
    for entry in plan.courses:
        for module in entry.modules:
            module.id = next(ids)
    ctx.course_ids = [entry.id for entry in plan.courses]
    return len(courses)


def _date_open(day):
    """A date module opens at midnight where the member lives: surely open everywhere a day
    after midnight UTC of its date."""
    if day is None:
        return None
    return datetime.combine(day, dtime.min, tzinfo=UTC).timestamp() + DAY


def load_lessons(ctx):
    """Every course's lessons (COPY, ids reserved) and a few attachment rows; returns the
    lessons."""
    scale, plan = ctx.scale, _plan(ctx)
    if not plan.courses:
        return 0
    rng = plan.rng
    from .dataset import WORDS

    pool = _lesson_pool(rng, 120)
    total = sum(shape(scale, c.index)[0] * shape(scale, c.index)[1] for c in plan.courses)
    first = reserve_ids(ctx.cursor, Lesson._meta.db_table, total)
    table = ctx.bulk_table(Lesson, total)
    attachments = []
    columns = (
        "id", "module_id", "course_id", "title", "content", "content_html", "video_url",
        "video_file", "position", "created_at", "updated_at", "deleted_at",
    )  # fmt: skip

    def rows():
        lesson_id = first
        for course in plan.courses:
            per_module = shape(scale, course.index)[1]
            created = _ts(course.created)
            for m, module in enumerate(course.modules):
                for p in range(per_module):
                    body, html = rng.choice(pool)
                    video = ""
                    featured = course.index == SHOWCASE and len(course.sequence) == READER_DONE
                    # By the lesson's place in the load, never its id: a load's draw must
                    # not depend on the ids the database hands out (a reload adds the same).
                    ordinal = lesson_id - first
                    if ordinal % 3 == 0 or featured:
                        video = "https://www.youtube.com/watch?v=" + "".join(
                            rng.choices(_VIDEO_CHARS, k=11)
                        )
                    deleted = (
                        course.index != SHOWCASE and p == per_module - 1 and per_module > 1
                        and (course.index * 7 + m) % 9 == 0
                    )  # fmt: skip
                    if not deleted and not module.deleted:
                        course.sequence.append((lesson_id, m))
                    for n in range(2 if featured else 1 if ordinal % 10 == 4 else 0):
                        attachments.append(_attachment(scale.name, lesson_id, n, rng))
                    title = f"{m + 1}.{p + 1} {_sentence(rng, WORDS, 2, 6).rstrip('.')}"
                    yield (
                        lesson_id, module.id, course.id, title, body, html, video, "", p,
                        created, created, created if deleted else None,
                    )  # fmt: skip
                    lesson_id += 1

    with ctx.progress("lessons", total) as bar:
        written = copy_rows(ctx.cursor, table, columns, rows(), bar)
    Attachment.objects.bulk_create(attachments, batch_size=1000)
    return written


def _attachment(scale_name, lesson_id, n, rng):
    name = f"lesson-{lesson_id}-notes-{n + 1}.pdf"
    return Attachment(
        lesson_id=lesson_id,
        file=f"courses/attachments/bench-{scale_name}/{name}",
        name=name,
        content_type="application/pdf",
        size=rng.randint(20_000, 5_000_000),
        position=n,
    )


def _completable(course, enrolled_at, now):
    """How many lessons of the course's sequence the member may have completed: up to the
    first module still locked for them (a day's margin for their time zone)."""
    if course.gates is None:  # (sequence index of a drip module's first lesson, module)
        firsts = {}
        for k, (_lesson, m) in enumerate(course.sequence):
            firsts.setdefault(m, k)
        course.gates = [
            (k, course.modules[m])
            for m, k in sorted(firsts.items(), key=lambda item: item[1])
            if course.modules[m].drip_days is not None or course.modules[m].drip_open is not None
        ]
    for k, module in course.gates:
        if module.drip_days is not None and enrolled_at + (module.drip_days + 1) * DAY > now:
            return k
        if module.drip_open is not None and module.drip_open > now:
            return k
    return len(course.sequence)


def completion_times(enrolled_at, done, now):
    """When each of the `done` lessons was completed: in order after enrolling, a lesson
    every two days at most, the last an hour before the load at the latest."""
    span = max(60.0, now - 3600 - enrolled_at)
    gap = min(2 * DAY, span / (done + 1))
    return [enrolled_at + gap * (j + 1) for j in range(done)]


def load_enrollments(ctx):
    """The fixed enrollments (the reader's, the writers'), then drawn ones; how many lessons
    each has completed is decided here (its `last_lesson` and `completed_at` follow from
    it). Returns the enrollments."""
    scale, plan = ctx.scale, _plan(ctx)
    if not plan.courses:
        return 0
    rng, now, n = plan.rng, ctx.now, scale.members
    courses = plan.courses
    enrollments = []  # (course index, member index, enrolled_at, completable, weight)
    taken = set()

    def fixed(course_index, member, days_ago, done):
        if course_index >= len(courses) or member >= n or not courses[course_index].open:
            return
        course = courses[course_index]
        at = max(course.created + DAY, now - days_ago * DAY)
        done = min(done, _completable(course, at, now))
        enrollments.append((course_index, member, at, done, None))
        taken.add((course_index, member))

    fixed(SHOWCASE, READER, READER_ENROLLED_DAYS, READER_DONE)
    fixed(WRITE_COURSE, READER, 200, scale.modules_per_course * scale.lessons_per_module)
    for member in writer_numbers(scale):
        fixed(WRITE_COURSE, member, 10, 0)

    target = max(0, scale.enrollments - len(enrollments))
    holders = _tier_holders(ctx)
    eligible = [c.index for c in courses if c.open]
    capacity = sum(len(holders) if courses[c].paid else n for c in eligible) - len(taken)
    target = min(target, max(0, capacity))
    drawn = _draw_pairs(rng, eligible, n, holders, courses, taken, target)
    for course_index, member in drawn:
        course = courses[course_index]
        at = max(course.created + DAY, now - rng.expovariate(1 / (120 * DAY)))
        at = min(at, now - 3 * 3600)
        weight = 10.0 if rng.random() < FINISHERS else rng.random() ** 2
        enrollments.append((course_index, member, at, _completable(course, at, now), weight))

    # How many lessons each drawn enrollment completed: min(completable, weight x completable
    # x f), with the largest f that keeps the total within Scale.progress.
    budget = scale.progress - sum(e[3] for e in enrollments if e[4] is None)
    drawn_rows = [e for e in enrollments if e[4] is not None]
    factor = _fit(drawn_rows, max(0, budget))
    plan.enrollments = [
        (c, m, at, done if weight is None else min(done, int(weight * done * factor)))
        for c, m, at, done, weight in enrollments
    ]
    table = ctx.bulk_table(Enrollment, len(plan.enrollments))
    columns = (
        "course_id", "user_id", "enrolled_at", "last_lesson_id", "last_opened_at",
        "completed_at", "released_at",
    )  # fmt: skip

    def rows():
        for course_index, member, at, done in plan.enrollments:
            course = courses[course_index]
            times = completion_times(at, done, now) if done else []
            last = opened = finished = None
            if done < _completable(course, at, now):  # the next lesson opened, not finished
                last = course.sequence[done][0]
                opened = (times[-1] if times else at) + 300
            elif done:  # the last lesson they may open, completed (the course, if it is all)
                last, opened = course.sequence[done - 1][0], times[-1]
                finished = _ts(times[-1]) if done == len(course.sequence) else None
            yield (
                course.id, ctx.member_id(member), _ts(at), last, _ts(opened) if opened else None,
                finished, None,
            )  # fmt: skip

    with ctx.progress("enrollments", len(plan.enrollments)) as bar:
        return copy_rows(ctx.cursor, table, columns, rows(), bar)


def _tier_holders(ctx):
    """Member indexes that held the scale's tier at some time (a member who lost it keeps
    their progress)."""
    from .dataset import tier_slug

    ids = AccessGrant.objects.filter(tier__slug=tier_slug(ctx.scale.name)).values_list(
        "user_id", flat=True
    )
    first, n = ctx.member_id(0), ctx.scale.members
    return sorted({pk - first for pk in ids if 0 <= pk - first < n})


def _draw_pairs(rng, eligible, members, holders, courses, taken, target):
    """`target` distinct (course index, member index) pairs not in `taken`: skewed draws,
    then (on a small scale that they could not fill) uniform ones from what is left."""
    from .dataset import Zipf

    if not target or not eligible:
        return []
    # Course 0 (400 lessons) tenth by popularity, not first: its enrollees alone would hold
    # most of the progress rows otherwise.
    ranked = [c for c in eligible if c != SHOWCASE]
    if SHOWCASE in eligible:
        ranked.insert(min(9, len(ranked)), SHOWCASE)
    by_course = Zipf(ranked, COURSE_SKEW, rng)
    by_member = Zipf(range(members), ENROLLEE_SKEW, rng)
    by_holder = Zipf(holders, ENROLLEE_SKEW, rng) if holders else None
    chosen, order = set(), []
    for _ in range(20):
        missing = target - len(chosen)
        if missing <= 0:
            break
        course_draws = by_course.draw(missing)
        member_draws = by_member.draw(missing)
        holder_draws = by_holder.draw(missing) if by_holder else [None] * missing
        for c, m, h in zip(course_draws, member_draws, holder_draws, strict=True):
            pair = (c, h if courses[c].paid else m)
            if pair[1] is None or pair in taken or pair in chosen:
                continue
            chosen.add(pair)
            order.append(pair)
            if len(chosen) == target:
                break
    if len(chosen) < target and len(eligible) * members <= 2_000_000:
        holder_set = set(holders)
        rest = [
            (c, m)
            for c in eligible
            for m in (holder_set if courses[c].paid else range(members))
            if (c, m) not in taken and (c, m) not in chosen
        ]
        rest.sort()
        order += rng.sample(rest, min(len(rest), target - len(chosen)))
    return order


def _fit(rows, budget):
    """The largest factor f (bisection) with sum(min(done, int(weight x done x f))) <= budget."""

    def total(f):
        return sum(min(done, int(weight * done * f)) for _c, _m, _at, done, weight in rows)

    lo, hi = 0.0, 1.0
    if total(hi) <= budget:
        hi = 64.0
        if total(hi) <= budget:
            return hi
    for _ in range(40):
        mid = (lo + hi) / 2
        if total(mid) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def load_progress(ctx):
    """Every enrollment's completed lessons, in the course's order (COPY); returns the rows."""
    plan = _plan(ctx)
    if not plan.enrollments:
        return 0
    total = sum(e[3] for e in plan.enrollments)
    table = ctx.bulk_table(LessonProgress, total)
    now = ctx.now

    def rows():
        for course_index, member, at, done in plan.enrollments:
            if not done:
                continue
            course = plan.courses[course_index]
            user = ctx.member_id(member)
            for (lesson, _m), when in zip(
                course.sequence, completion_times(at, done, now), strict=False
            ):
                yield (lesson, user, course.id, _ts(when))

    with ctx.progress("lesson progress", total) as bar:
        written = copy_rows(
            ctx.cursor, table, ("lesson_id", "user_id", "course_id", "completed_at"), rows(), bar
        )
    return written


# --- counters (bench.dataset.recount_counters) ---------------------------------------------------


def recount_statements(lo, hi):
    """(name, SQL) setting lesson_count (alive lessons of alive modules) and enrollment_count
    of the courses with ids lo..hi from a count of their rows: the numbers
    courses.tasks.recount_course computes. Applied with bench.dataset._recount_statement."""
    lessons, modules = quote(Lesson._meta.db_table), quote(Module._meta.db_table)
    enrollments = quote(Enrollment._meta.db_table)
    alive_lessons = (
        f"SELECT l.course_id AS object_id, count(*) AS n FROM {lessons} l"  # noqa: S608
        f" JOIN {modules} m ON m.id = l.module_id"
        " WHERE l.deleted_at IS NULL AND m.deleted_at IS NULL"
        f" AND l.course_id BETWEEN {lo:d} AND {hi:d} GROUP BY l.course_id"
    )
    enrolled = (
        f"SELECT course_id AS object_id, count(*) AS n FROM {enrollments}"  # noqa: S608
        f" WHERE course_id BETWEEN {lo:d} AND {hi:d} GROUP BY course_id"
    )
    return [("course.lesson_count", alive_lessons), ("course.enrollment_count", enrolled)]


COURSE_MODELS = (Course, Module, Lesson, Attachment, Enrollment, LessonProgress)


# --- facts for the scenarios --------------------------------------------------------------------


def scenario_facts(scale_name, viewer):
    """The course page scenario's course (course 0) and the lesson page's lesson: the first
    of course 0's lessons, in order, that `viewer` has not completed (where "resume" takes
    them). Empty when the scale has no courses."""
    course = Course.objects.filter(slug=course_slug(scale_name, SHOWCASE)).first()
    if course is None:
        return {}
    done = LessonProgress.objects.filter(user=viewer, course=course).values("lesson")
    lesson = (
        Lesson.objects.filter(
            course=course, deleted_at__isnull=True, module__deleted_at__isnull=True
        )
        .exclude(pk__in=done)
        .order_by("module__position", "module_id", "position", "id")
        .first()
    )
    return {
        "course_slug": course.slug,
        "course_lessons": course.lesson_count,
        "lesson_id": lesson.pk if lesson else 0,
        "lessons_done": LessonProgress.objects.filter(user=viewer, course=course).count(),
    }


def write_lessons(scale_name, count):
    """The write course's first `count` alive lessons (ids, in order): what the writers
    complete and uncomplete."""
    return list(
        Lesson.objects.filter(
            course__slug=course_slug(scale_name, WRITE_COURSE),
            deleted_at__isnull=True,
            module__deleted_at__isnull=True,
        )
        .order_by("module__position", "module_id", "position", "id")
        .values_list("id", flat=True)[:count]
    )
