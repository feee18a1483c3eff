"""Messaging's cards (community.cards): a notification's row. Only its recipient ever sees
it, but it is rendered once per version all the same (the page's next visit, and the bell's
menu, reuse it), the way every list row is."""

from community.cards import CardKind

from .text import sentence


def _version(notification):
    actor = notification.actor
    return (
        sentence(notification),
        notification.kind,
        notification.updated_at,
        notification.read_at is not None,
        actor.pk if actor else None,
        actor.avatar.name if actor else None,
    )


NOTIFICATION = CardKind(
    name="notification",
    template="messaging/_notification_card.html",
    includes=("community/_avatar.html",),
    version=_version,
    viewer_state=lambda request, notification: {},
    context=lambda notification: {"text": sentence(notification)},
)
