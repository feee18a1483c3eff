import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0007_participant_sides'),
    ]

    # The thread's index (conversation, id) leads with the conversation: the foreign key's
    # own index repeated it, and the planner, preferring the smaller one, read a member's
    # every message for a search that wanted only their newest (search/postgres.py). Only
    # the index is dropped, as in 0007 (AlterField would drop and re-check the foreign key).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "messaging_message_conversation_id_3db4d3d1"',
                    reverse_sql='CREATE INDEX "messaging_message_conversation_id_3db4d3d1" '
                    'ON "messaging_message" ("conversation_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='message',
                    name='conversation',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='messaging.conversation'),
                ),
            ],
        ),
    ]
