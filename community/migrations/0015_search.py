# The search index of posts, comments, members and spaces (community/search/indexes.py):
# on PostgreSQL a trigger-kept tsvector column with a GIN index per table, and trigram GIN
# indexes on members' names and handles; on SQLite an FTS5 table per table, kept by triggers.
# Written by hand: the indexes are not model fields (indexes.py says why), so the schema
# state does not change.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from community.db_operations import RunSQLOn
from community.search import indexes

TRIGRAM_INDEXES = {
    "community_user_name_trgm_idx": "display_name",
    "community_user_handle_trgm_idx": "handle",
}


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0014_analytics_daily_figures'),
    ]

    operations = [
        *indexes.config_operations(),
        *indexes.operations("community_post", {"title": "A", "body": "B"}),
        *indexes.operations("community_comment", {"body": "B"}),
        *indexes.operations("community_user", {"display_name": "A", "handle": "A", "bio": "B"}),
        *indexes.operations("community_space", {"name": "A", "description": "B"}),
        TrigramExtension(),  # a no-op on SQLite
        RunSQLOn(
            "postgresql",
            [
                f"CREATE INDEX {name} ON community_user USING gin ({column} gin_trgm_ops)"
                for name, column in TRIGRAM_INDEXES.items()
            ],
            [f"DROP INDEX {name}" for name in TRIGRAM_INDEXES],
        ),
    ]
