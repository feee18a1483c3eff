"""Points, levels and leaderboards.

PointRule says what an action is worth now; PointAward is the ledger, one row per award,
keeping the points it was given (a changed rule applies to new awards only). Score and
PeriodScore are sums of the ledger written only by services.scores.recompute_score, so that
a profile, the header and the leaderboards read one row per member, never the ledger.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from community.models import Tier

POINTS_MAX = 1000
THRESHOLD_MAX = 1_000_000_000

NO_NEGATIVE_POINTS = (
    "No negative values: a penalty is a moderation tool (hide, delete, ban), not a game rule."
)
COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is written #rrggbb, e.g. #2a9d8f.")


class Action(models.TextChoices):
    POST_CREATED = "post_created", "Post created"
    COMMENT_CREATED = "comment_created", "Comment created"
    LIKE_RECEIVED = "like_received", "Like received"
    LESSON_COMPLETED = "lesson_completed", "Lesson completed"
    COURSE_COMPLETED = "course_completed", "Course completed"
    EVENT_GOING = "event_going", "Going to an event"


class PointRule(models.Model):
    """What an action is worth. Existing awards keep the points they were given."""

    Action = Action

    action = models.CharField(max_length=20, choices=Action.choices, unique=True)
    # A plain integer, so that a negative value is refused with the reason below (and by the
    # check constraint) rather than a positive field's generic message.
    points = models.IntegerField(
        validators=[
            MinValueValidator(0, NO_NEGATIVE_POINTS),
            MaxValueValidator(POINTS_MAX, f"At most {POINTS_MAX} points per action."),
        ],
        help_text="0 to 1000. A change applies to new awards; awards already given keep theirs.",
    )
    active = models.BooleanField(default=True, help_text="Off: this action earns nothing new.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=0, points__lte=POINTS_MAX),
                name="point_rule_points_range",
                violation_error_message=f"Points are between 0 and {POINTS_MAX}.",
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.points}"


class PointAward(models.Model):
    """One award in the ledger: `member` earned `points` for `action` on a source (a post, a
    comment, the liked post or comment, a lesson, a course, an RSVP), caused by `actor` (the
    member themselves, or the liker for like_received). Each award exists at most once."""

    Action = Action

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_awards"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    points = models.PositiveIntegerField()
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "action", "source_type", "source_id", "actor"],
                name="point_award_once",
            )
        ]
        indexes = [
            # A member's sums (all time, this week, this month) and their history.
            models.Index(fields=["member", "created_at"], name="point_award_member_idx"),
            # The period tables rebuilt from the awards of a period.
            models.Index(fields=["created_at"], name="point_award_time_idx"),
            # The awards earned from one source (a removed post's like awards).
            models.Index(fields=["source_type", "source_id"], name="point_award_source_idx"),
        ]

    def __str__(self):
        return f"{self.member} +{self.points} ({self.action})"


class Level(models.Model):
    """A rung of the ladder: reached at `threshold` points; may open a tier."""

    name = models.CharField(max_length=50)
    threshold = models.PositiveIntegerField(
        unique=True, validators=[MaxValueValidator(THRESHOLD_MAX)]
    )
    colour = models.CharField(max_length=7, validators=[COLOUR], help_text="#rrggbb")
    unlocks_tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unlocking_levels",
        help_text="Members reaching this level are granted this tier.",
    )

    class Meta:
        ordering = ["threshold"]

    def __str__(self):
        return f"{self.name} ({self.threshold})"


class Score(models.Model):
    """A member's all-time points and level: the ledger's sum, written by recompute_score."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="score"
    )
    points = models.PositiveIntegerField(default=0)
    level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["-points", "member"], name="score_board_idx"),
            # The directory's Points sort (ties: the newest member first, as its other sorts).
            models.Index(fields=["-points", "-member"], name="score_directory_idx"),
        ]

    def __str__(self):
        return f"{self.member}: {self.points}"


class PeriodScore(models.Model):
    """A member's points of one week (from Monday) or one month, in the community's time
    zone: the week and month boards read these rows, never the ledger."""

    class Period(models.TextChoices):
        WEEK = "week", "Week"
        MONTH = "month", "Month"

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="period_scores"
    )
    period = models.CharField(max_length=5, choices=Period.choices)
    starts_on = models.DateField()
    points = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "starts_on", "member"], name="period_score_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "starts_on", "-points", "member"], name="period_score_board_idx"
            )
        ]

    def __str__(self):
        return f"{self.member}: {self.points} ({self.period} of {self.starts_on})"
