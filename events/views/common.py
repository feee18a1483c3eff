"""What the events pages share: naming an occurrence in a URL, and the viewer's midnight.

An occurrence's URL names its *original* start in RFC 5545's UTC form
(/events/<slug>/20261210T180000Z/): no "+" or ":" to escape, and moving the occurrence
keeps its address (and its RSVPs)."""

from datetime import UTC, datetime, time

from django.utils import timezone

KEY_FORMAT = "%Y%m%dT%H%M%SZ"


def occurrence_key(moment):
    return moment.astimezone(UTC).strftime(KEY_FORMAT)


def parse_key(key):
    return datetime.strptime(key, KEY_FORMAT).replace(tzinfo=UTC)


class OccurrenceKeyConverter:
    regex = r"\d{8}T\d{6}Z"

    def to_python(self, value):
        return parse_key(value)  # a ValueError (say, month 13) is "no such page"

    def to_url(self, value):
        return value if isinstance(value, str) else occurrence_key(value)


def local_midnight(day):
    """The first instant of `day` in the viewer's zone (the active one), in UTC."""
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone()).astimezone(UTC)
