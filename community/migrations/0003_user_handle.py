from django.db import migrations, models
from django.utils.text import slugify


def fill_handles(apps, schema_editor):
    User = apps.get_model("community", "User")
    taken = set()
    for user in User.objects.order_by("id"):
        base = slugify(user.display_name or user.email.split("@")[0])[:32].strip("-") or "member"
        handle, n = base, 1
        while handle in taken:
            n += 1
            handle = f"{base}-{n}"
        taken.add(handle)
        user.handle = handle
        user.save(update_fields=["handle"])


class Migration(migrations.Migration):
    dependencies = [("community", "0002_tiers_grants_spaces")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            # No index yet: the unique AlterField below creates it (and its _like twin) once.
            field=models.SlugField(max_length=40, null=True, db_index=False),
        ),
        migrations.RunPython(fill_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="handle",
            field=models.SlugField(
                help_text="Used in @mentions; made from the name if empty.",
                max_length=40,
                unique=True,
            ),
        ),
    ]
