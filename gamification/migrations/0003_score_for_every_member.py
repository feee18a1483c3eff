from django.conf import settings
from django.db import migrations, models

BATCH = 5_000


def add_missing_scores(apps, schema_editor):
    """A Score row for every member who has none (members who never earned a point): the
    directory's Points sort walks these rows. 0 points, so the level is the ladder's rung at
    0 points, if any; a recompute from the ledger follows for members with awards anyway."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Level = apps.get_model("gamification", "Level")
    Score = apps.get_model("gamification", "Score")
    start = Level.objects.filter(threshold__lte=0).order_by("-threshold").first()
    missing = User.objects.filter(score__isnull=True).order_by("pk").values_list("pk", flat=True)
    last = 0
    while batch := list(missing.filter(pk__gt=last)[:BATCH]):
        Score.objects.bulk_create(
            [Score(member_id=pk, points=0, level=start) for pk in batch], ignore_conflicts=True
        )
        last = batch[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("gamification", "0002_default_rules_and_levels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="score",
            index=models.Index(fields=["-points", "-member"], name="score_directory_idx"),
        ),
        migrations.RunPython(add_missing_scores, migrations.RunPython.noop),
    ]
