"""factory_boy factories for every community model.

They write rows directly, not through services: no access checks, no audit entries, no
live events or signals, no counters recomputed. Use a service when the behaviour under test
is the service's; use a factory to set the scene. Where a service would derive a column,
the factory fills it consistently (Markdown's `body_html` is the escaped body in a <p>).

    post = PostFactory(space=space, author=member)           # in a members' space
    reply = ReplyFactory(parent=CommentFactory(post=post))    # same post as its parent
    LikeFactory(user=member, target=reply)                    # a post or a comment
    token, raw_key = ApiTokenFactory.with_key(user=member)    # for a Bearer header
    space = SpaceFactory(paid=True)                           # or PaidSpaceFactory(): a tier too
"""

import importlib
import secrets
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from community.models import (
    AccessGrant,
    ApiToken,
    AuditEntry,
    Comment,
    Follow,
    Hashtag,
    Like,
    Post,
    Report,
    Space,
    SpaceVisit,
    Tier,
    User,
)
from courses.models import Course, Enrollment, Lesson, LessonProgress, Module
from events.models import CalendarFeed, Event, OccurrenceChange, ReminderSent, Rsvp
from gamification.models import Level, PointRule

PASSWORD = "correct horse battery staple"


def _html(text):
    """What the Markdown renderer makes of one plain paragraph, without running it."""
    return f"<p>{escape(text)}</p>"


# --- Members --------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    class Params:
        # Banned with no end, as services.ban_member leaves them (without its audit row).
        banned = factory.Trait(banned_at=factory.LazyFunction(timezone.now), ban_reason="Spam")

    @factory.post_generation
    def verified(member, create, extracted, **kwargs):
        """Members made by the factory have a verified primary address unless verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(
                user=member, email=member.email, verified=True, primary=True
            )


class ModeratorFactory(UserFactory):
    role = User.Role.MODERATOR
    is_staff = True


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A personal API token. Only its hash is stored: `with_key` also returns the raw key."""

    class Meta:
        model = ApiToken
        exclude = ["raw_key"]

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"script {n}")
    raw_key = factory.LazyFunction(ApiToken.generate_key)
    key_hash = factory.LazyAttribute(lambda o: ApiToken.hash_key(o.raw_key))
    hint = factory.LazyAttribute(lambda o: o.raw_key[-4:])

    class Params:
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))

    @classmethod
    def with_key(cls, **fields):
        """(token, raw_key): the key a client sends as `Authorization: Bearer <raw_key>`."""
        raw_key = ApiToken.generate_key()
        return cls(raw_key=raw_key, **fields), raw_key


class AuditEntryFactory(factory.django.DjangoModelFactory):
    """An audit row; `target` is any saved object (a member by default)."""

    class Meta:
        model = AuditEntry
        exclude = ["target"]

    actor = factory.SubFactory(ModeratorFactory)
    action = "community.ban"
    target = factory.SubFactory(UserFactory)
    target_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    target_id = factory.SelfAttribute("target.pk")
    reason = "Spam"

    class Params:
        by_system = factory.Trait(actor=None, cause="stripe event evt_test")


# --- Tiers, grants, spaces ------------------------------------------------------------------


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Tier {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AccessGrantFactory(factory.django.DjangoModelFactory):
    """An active manual grant with no end, unless `expired`, `future` or `revoked`."""

    class Meta:
        model = AccessGrant

    user = factory.SubFactory(UserFactory)
    tier = factory.SubFactory(TierFactory)
    source = AccessGrant.Source.MANUAL
    starts_at = factory.LazyFunction(timezone.now)

    class Params:
        expired = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30)),
            ends_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        future = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))


class SpaceFactory(factory.django.DjangoModelFactory):
    """A members' space where all may post; `public=True`, or `paid=True` (with a new tier
    unless `required_tier` is given)."""

    class Meta:
        model = Space

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    visibility = Space.Visibility.MEMBERS
    required_tier = None
    post_permission = Space.PostPermission.ALL

    class Params:
        public = factory.Trait(visibility=Space.Visibility.PUBLIC)
        paid = factory.Trait(
            visibility=Space.Visibility.PAID, required_tier=factory.SubFactory(TierFactory)
        )


class PaidSpaceFactory(SpaceFactory):
    paid = True


class SpaceVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpaceVisit

    user = factory.SubFactory(UserFactory)
    space = factory.SubFactory(SpaceFactory)
    last_visited_at = factory.LazyFunction(timezone.now)


# --- Posts, comments, likes, hashtags -------------------------------------------------------


class HashtagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hashtag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")


class PostFactory(factory.django.DjangoModelFactory):
    """A post; `hashtags=[tag, …]` (Hashtag rows or names) tags it, as parsing would."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    space = factory.SubFactory(SpaceFactory)
    author = factory.SubFactory(UserFactory)
    title = ""
    body = factory.Sequence(lambda n: f"Post {n}")
    body_html = factory.LazyAttribute(lambda o: _html(o.body))

    @factory.post_generation
    def hashtags(post, create, extracted, **kwargs):
        if create and extracted:
            post.hashtags.set(
                tag if isinstance(tag, Hashtag) else HashtagFactory(name=tag) for tag in extracted
            )


class CommentFactory(factory.django.DjangoModelFactory):
    """A top-level comment; ReplyFactory makes a reply on its parent's post."""

    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    parent = None
    body = factory.Sequence(lambda n: f"Comment {n}")
    body_html = factory.LazyAttribute(lambda o: _html(o.body))


class ReplyFactory(CommentFactory):
    parent = factory.SubFactory(CommentFactory)
    post = factory.SelfAttribute("parent.post")


class LikeFactory(factory.django.DjangoModelFactory):
    """A like of `target`: a post by default, or any comment (`target=comment`). The
    counters are not touched: run `tasks.recount_*` when a test reads `like_count`."""

    class Meta:
        model = Like
        exclude = ["target"]

    user = factory.SubFactory(UserFactory)
    target = factory.SubFactory(PostFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.SelfAttribute("target.pk")


class CommentLikeFactory(LikeFactory):
    target = factory.SubFactory(CommentFactory)


# --- Follows and reports --------------------------------------------------------------------


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followed = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    """An open report of `target` (a post by default; a comment or a member too); `resolved`
    or `dismissed` by a new moderator unless `resolved_by` is given."""

    class Meta:
        model = Report
        exclude = ["target"]

    reporter = factory.SubFactory(UserFactory)
    target = factory.SubFactory(PostFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.SelfAttribute("target.pk")
    reason = "Spam"
    status = Report.Status.OPEN

    class Params:
        resolved = factory.Trait(
            status=Report.Status.RESOLVED,
            resolved_by=factory.SubFactory(ModeratorFactory),
            resolved_at=factory.LazyFunction(timezone.now),
        )
        dismissed = factory.Trait(
            status=Report.Status.DISMISSED,
            resolved_by=factory.SubFactory(ModeratorFactory),
            resolved_at=factory.LazyFunction(timezone.now),
        )


# --- Courses ---------------------------------------------------------------------------------
class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    description = "What this course teaches."
    description_html = factory.LazyAttribute(lambda o: f"<p>{escape(o.description)}</p>")
    visibility = Course.Visibility.MEMBERS
    required_tier = None
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(published_at=None)
        public = factory.Trait(visibility=Course.Visibility.PUBLIC)
        paid = factory.Trait(
            visibility=Course.Visibility.PAID, required_tier=factory.SubFactory(TierFactory)
        )


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    position = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    course = factory.SelfAttribute("module.course")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    content = "Read this."
    content_html = factory.LazyAttribute(lambda o: f"<p>{escape(o.content)}</p>")
    position = factory.Sequence(lambda n: n)


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    enrolled_at = factory.LazyFunction(timezone.now)


class LessonProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonProgress

    lesson = factory.SubFactory(LessonFactory)
    course = factory.SelfAttribute("lesson.course")
    user = factory.SubFactory(UserFactory)
    completed_at = factory.LazyFunction(timezone.now)


# --- Events ----------------------------------------------------------------------------------
def _next_week_at_six():
    """18:00 UTC a week from now: far enough ahead that reminders and "upcoming" apply."""
    return (timezone.now() + timedelta(days=7)).replace(hour=18, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    """A one-off members' event next week, 18:00-19:00 UTC; `weekly=True` repeats it every
    week (RRULE FREQ=WEEKLY, no end), `rrule="…"` sets any rule; `public`, `paid`,
    `cancelled`, `deleted`, `past` as named."""

    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    description = "What happens there."
    description_html = factory.LazyAttribute(lambda o: _html(o.description))
    starts_at = factory.LazyFunction(_next_week_at_six)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    time_zone = "UTC"
    visibility = Event.Visibility.MEMBERS
    required_tier = None
    rrule = ""

    class Params:
        weekly = factory.Trait(rrule="FREQ=WEEKLY")
        public = factory.Trait(visibility=Event.Visibility.PUBLIC)
        paid = factory.Trait(
            visibility=Event.Visibility.PAID, required_tier=factory.SubFactory(TierFactory)
        )
        cancelled = factory.Trait(cancelled_at=factory.LazyFunction(timezone.now))
        deleted = factory.Trait(deleted_at=factory.LazyFunction(timezone.now))
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: _next_week_at_six() - timedelta(days=21))
        )


class OccurrenceChangeFactory(factory.django.DjangoModelFactory):
    """One occurrence of a weekly event (its second, by default) cancelled; pass
    `starts_at`/`ends_at`/`title`/`location` (and cancelled_at=None) to move or rename it."""

    class Meta:
        model = OccurrenceChange

    event = factory.SubFactory(EventFactory, weekly=True)
    original_start = factory.LazyAttribute(lambda o: o.event.starts_at + timedelta(days=7))
    cancelled_at = factory.LazyFunction(timezone.now)


class RsvpFactory(factory.django.DjangoModelFactory):
    """A member going to the event's first occurrence (`occurrence_start` names another).
    Written directly: no capacity check and `rsvp_count` untouched (run tasks.recount_event)."""

    class Meta:
        model = Rsvp

    event = factory.SubFactory(EventFactory)
    occurrence_start = factory.SelfAttribute("event.starts_at")
    user = factory.SubFactory(UserFactory)
    status = Rsvp.Status.GOING
    status_changed_at = factory.LazyFunction(timezone.now)

    class Params:
        waitlisted = factory.Trait(status=Rsvp.Status.WAITLISTED)


class ReminderSentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderSent

    event = factory.SubFactory(EventFactory)
    occurrence_start = factory.SelfAttribute("event.starts_at")
    user = factory.SubFactory(UserFactory)
    kind = ReminderSent.Kind.DAY


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))


def default_rules_and_levels():
    """Gamification's default point rules and ladder, written again when missing: a
    transactional test's flush empties the tables their data migration filled, so a later
    test (a browser or PostgreSQL one) would find no rule to award points with."""
    defaults = importlib.import_module("gamification.migrations.0002_default_rules_and_levels")
    for action, points in defaults.RULES.items():
        PointRule.objects.get_or_create(action=action, defaults={"points": points})
    if not Level.objects.exists():
        Level.objects.bulk_create(
            Level(name=name, threshold=threshold, colour=colour)
            for name, threshold, colour in defaults.LEVELS
        )
