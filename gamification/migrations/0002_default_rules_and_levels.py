"""The default point rules and ladder (admins edit both afterwards)."""

from django.db import migrations

RULES = {
    "post_created": 2,
    "comment_created": 1,
    "like_received": 1,
    "lesson_completed": 2,
    "course_completed": 10,
    "event_going": 1,
}

LEVELS = [
    ("Newcomer", 0, "#6b7280"),
    ("Member", 5, "#2a9d8f"),
    ("Regular", 20, "#2563eb"),
    ("Contributor", 65, "#7c3aed"),
    ("Expert", 155, "#c026d3"),
    ("Mentor", 515, "#db2777"),
    ("Master", 2015, "#ea580c"),
    ("Legend", 8015, "#ca8a04"),
    ("Icon", 33015, "#b91c1c"),
]


def add_defaults(apps, schema_editor):
    PointRule = apps.get_model("gamification", "PointRule")
    Level = apps.get_model("gamification", "Level")
    for action, points in RULES.items():
        PointRule.objects.get_or_create(action=action, defaults={"points": points})
    if not Level.objects.exists():
        Level.objects.bulk_create(
            Level(name=name, threshold=threshold, colour=colour)
            for name, threshold, colour in LEVELS
        )


class Migration(migrations.Migration):
    dependencies = [("gamification", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
