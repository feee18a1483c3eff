"""Messaging's searchable kind (community/search/sources.py): the searcher's own direct
messages, registered in MessagingConfig.ready(). The columns are those migration
0006_search indexes."""

from django.urls import reverse

from community.search import Source

from . import access
from .models import Message

MESSAGES = Source(
    kind="messages",
    label="Messages",
    model=Message,
    columns={"body": "B"},
    snippet="body",
    visible=access.visible_messages,
    title=lambda message: f"Message from {message.sender.display_name}",
    url=lambda message: (
        reverse("messaging:thread", args=[message.conversation_id]) + f"#message-{message.pk}"
    ),
    author="sender__handle",
    related=("sender",),
    personal=True,
)
