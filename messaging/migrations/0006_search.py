# The search index of direct messages (community/search/indexes.py), the column
# messaging/search_kinds.py declares: on PostgreSQL a trigger-kept tsvector column with a
# GIN index, on SQLite an FTS5 table kept by triggers. Written by hand: the index is not a
# model field, so the schema state does not change.

from django.db import migrations

from community.search import indexes


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_moderation_notices"),
        ("community", "0015_search"),  # agora_search_config(), which the trigger reads
    ]

    operations = [
        *indexes.operations("messaging_message", {"body": "B"}),
    ]
