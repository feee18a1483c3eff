"""Demo direct messages: Lena and Tomás planning a bake sale (all read, so Lena sees
Tomás's read receipt), and Mei asking Lena about a course (two messages Lena has not read
yet). Sent through the real services, then spread over the last hours; a conversation
that already has messages is left as it is."""

from datetime import timedelta

from django.utils import timezone

from community.demo import register_seeder

from .models import Conversation, Message, Participant
from .services import conversations as dm

THREADS = [
    (
        ("lena", "tomas"),
        [
            ("tomas", "Hi Lena! Are you still up for the **bake sale** on Saturday?"),
            ("lena", "Yes! I can bring two trays of cinnamon rolls."),
            ("tomas", "Perfect. I'll do sourdough. Meet at the hall at 9?"),
            ("lena", "9 works. See you there :)"),
        ],
        {"tomas"},  # who has read the whole thread
    ),
    (
        ("mei", "lena"),
        [
            ("mei", "Hey Lena, I saw your question about the maths course."),
            ("mei", "Module 2 is the one you want: it starts with functions. Shall I send notes?"),
        ],
        {"mei"},
    ),
]


@register_seeder
def seed_conversations(members):
    now = timezone.now()
    for (first, second), lines, readers in THREADS:
        conversation = dm.start_conversation(members[first], members[second])
        if Message.objects.filter(conversation=conversation).exists():
            continue
        sent = [dm.send_message(members[who], conversation, body=text) for who, text in lines]
        # Spread over the last hours, oldest first, as if written over an afternoon.
        for age, message in zip(range(len(sent), 0, -1), sent, strict=True):
            Message.objects.filter(pk=message.pk).update(
                created_at=now - timedelta(hours=3) + timedelta(minutes=20 * (len(sent) - age))
            )
        latest = Message.objects.get(pk=sent[-1].pk)
        Participant.objects.filter(conversation=conversation).update(latest_at=latest.created_at)
        for key in readers:
            dm.mark_read(members[key], Conversation.objects.get(pk=conversation.pk))
