# The admin site's member search ("icontains" on email, name and handle: Django writes
# UPPER(column::text) LIKE UPPER('%term%')) reads these trigram indexes on PostgreSQL instead
# of every member. They index the very expression Django writes; the name and handle indexes
# of 0015 index the plain columns, which the members' search compares by similarity.
# SQLite has no trigram index; its LIKE reads the table, as it would anyway.

from django.db import migrations

from community.db_operations import RunSQLOn

COLUMNS = ("email", "display_name", "handle")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0015_search"),
    ]

    operations = [
        RunSQLOn(
            "postgresql",
            [
                f"CREATE INDEX community_user_{column}_upper_trgm_idx ON community_user "
                f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
                for column in COLUMNS
            ],
            [f"DROP INDEX community_user_{column}_upper_trgm_idx" for column in COLUMNS],
        ),
    ]
