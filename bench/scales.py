"""The one registry of dataset sizes.

A later feature that adds a kind of row (courses, events, messages…) adds one field to
`Scale` (with a default of 0, so older scales keep working), its numbers in SCALES below,
and one step to `bench.dataset.STEPS`.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    members: int
    spaces: int
    posts: int
    comments: int
    likes: int  # on posts and comments together
    follows: int
    days: int = 730  # posts are spread over this many days before now
    post_like_share: float = 0.7  # the rest of the likes go to comments
    reply_share: float = 0.3  # comments that reply to an earlier comment
    granted_share: float = 0.2  # members holding the paid spaces' tier
    # Payments (bench/billing.py): members with a Stripe customer, the first `subscribers` of
    # them with a subscription and invoices; the rest are the webhook scenario's customers.
    customers: int = 0
    subscribers: int = 0
    # Courses (bench/courses.py): `courses` courses of modules_per_course x lessons_per_module
    # lessons (course 0 is always 20 x 20, the course page scenario's), `enrollments` members
    # enrolled, `progress` lessons completed in all.
    courses: int = 0
    modules_per_course: int = 0
    lessons_per_module: int = 0
    enrollments: int = 0
    progress: int = 0
    # Events (bench/events.py): `events` events (a third recurring) and `rsvps` RSVPs over
    # their occurrences, at most.
    events: int = 0
    rsvps: int = 0
    # Direct messages (bench/conversations.py): conversations between pairs of members and
    # their messages in all.
    conversations: int = 0
    messages: int = 0
    # Reports (bench/moderation.py): `open_reports` open reports over `report_targets` posts,
    # comments and members (the moderation queue), and `closed_reports` resolved or dismissed
    # ones before them, each target's decision in the audit log.
    report_targets: int = 0
    open_reports: int = 0
    closed_reports: int = 0

    def marker_slug(self):
        """The slug of the scale's first space: its existence means the scale is loaded."""
        return f"bench-{self.name}-0"


SCALES = {
    # For the test suite: a few seconds even with index rebuilds.
    "tiny": Scale(
        "tiny",
        members=60,
        spaces=4,
        posts=200,
        comments=500,
        likes=800,
        follows=150,
        customers=30,
        subscribers=10,
        courses=5,
        modules_per_course=3,
        lessons_per_module=4,
        enrollments=150,
        progress=1_000,
        events=40,
        rsvps=800,
        conversations=100,
        messages=2_000,
        report_targets=8,
        open_reports=20,
        closed_reports=40,
    ),
    # CI's smoke and quick local runs.
    "small": Scale(
        "small",
        members=200,
        spaces=5,
        posts=1_000,
        comments=3_000,
        likes=5_000,
        follows=1_000,
        customers=150,
        subscribers=40,
        courses=20,
        modules_per_course=5,
        lessons_per_module=5,
        enrollments=1_000,
        progress=10_000,
        events=150,
        rsvps=6_000,
        conversations=400,
        messages=8_000,
        report_targets=25,
        open_reports=60,
        closed_reports=200,
    ),
    "medium": Scale(
        "medium",
        members=10_000,
        spaces=20,
        posts=100_000,
        comments=300_000,
        likes=500_000,
        follows=50_000,
        customers=2_000,
        subscribers=1_000,
        courses=50,
        modules_per_course=10,
        lessons_per_module=10,
        enrollments=20_000,
        progress=500_000,
        events=600,
        rsvps=60_000,
        conversations=20_000,
        messages=300_000,
        report_targets=60,
        open_reports=200,
        closed_reports=1_500,
    ),
    "large": Scale(
        "large",
        members=100_000,
        spaces=30,
        posts=1_000_000,
        comments=3_000_000,
        likes=5_000_000,
        follows=500_000,
        customers=10_000,
        subscribers=5_000,
        courses=200,
        modules_per_course=10,
        lessons_per_module=10,
        enrollments=200_000,
        progress=5_000_000,
        events=2_000,
        rsvps=300_000,
        conversations=200_000,
        messages=3_000_000,
        report_targets=120,
        open_reports=400,
        closed_reports=5_000,
    ),
}
