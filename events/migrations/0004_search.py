# The search index of events (community/search/indexes.py), the columns
# events/search_kinds.py declares: on PostgreSQL a trigger-kept tsvector column with a GIN
# index, on SQLite an FTS5 table kept by triggers. Written by hand: the index is not a model
# field, so the schema state does not change.

from django.db import migrations

from community.search import indexes


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_remindersent_plural"),
        ("community", "0015_search"),  # agora_search_config(), which the trigger reads
    ]

    operations = [
        *indexes.operations("events_event", {"title": "A", "description": "B"}),
    ]
