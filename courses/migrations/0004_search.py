# The search index of courses and lessons (community/search/indexes.py), the columns
# courses/search_kinds.py declares: on PostgreSQL a trigger-kept tsvector column with a GIN
# index per table, on SQLite an FTS5 table per table kept by triggers. Written by hand: the
# indexes are not model fields, so the schema state does not change.

from django.db import migrations

from community.search import indexes


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_lessonprogress_plural"),
        ("community", "0015_search"),  # agora_search_config(), which the triggers read
    ]

    operations = [
        *indexes.operations("courses_course", {"title": "A", "description": "B"}),
        *indexes.operations("courses_lesson", {"title": "A", "content": "B"}),
    ]
