"""Events' cards (community.cards): one occurrence's row in the upcoming list and the
archive. Its `version` lists every value the row shows (times are drawn in the viewer's
zone, which is part of every card's key); the viewer's own answer (going, maybe,
waitlisted) is filled per viewer, so one rendered row serves every member."""

from dataclasses import dataclass

from community.cards import CardKind


@dataclass(frozen=True)
class OccurrenceRow:
    """An occurrence as a card: `key` names it in URLs (views.common.occurrence_key), `url`
    is its page, `is_locked` a paid event the viewer may only preview, `my_status` their
    RSVP."""

    occurrence: object
    key: str
    url: str
    is_locked: bool
    my_status: str | None = None

    @property
    def pk(self):
        """Names the card among the cached ones (community.cards.CardKind.key)."""
        return f"{self.occurrence.event.pk}.{self.key}"


def _version(row):
    occurrence, event = row.occurrence, row.occurrence.event
    tier = event.required_tier
    return (
        row.url,
        occurrence.title,
        occurrence.location,
        occurrence.starts_at,
        occurrence.ends_at,
        occurrence.cancelled,
        event.all_day,
        event.time_zone,
        event.is_recurring,
        bool(event.online_url),
        event.cover.name,
        event.capacity,
        row.is_locked,
        tier.name if tier else None,
    )


def _viewer_state(request, row):
    return {status: row.my_status == status for status in ("going", "maybe", "waitlisted")}


OCCURRENCE = CardKind(
    name="event_occurrence",
    template="events/_occurrence_card.html",
    version=_version,
    viewer_state=_viewer_state,
    context=lambda row: {"occurrence": row.occurrence, "event": row.occurrence.event},
)
