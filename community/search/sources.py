"""What can be searched: one Source per kind, registered by the app that owns the model.

An app registers its kinds in its AppConfig.ready(), as it registers card kinds and live
topics, and creates their index in a migration (community/search/indexes.py):

    search.register_source(search.Source(
        kind="events", label="Events", model=Event,
        columns={"title": "A", "description": "B"}, snippet="description",
        visible=lambda searcher, events: events_access.visible_events(searcher, events),
        title=lambda event: event.title, url=lambda event: event.get_url()))

    migrations: *indexes.operations("events_event", {"title": "A", "description": "B"})

Community never imports the apps that register; the service returns the kinds' groups in
registration order (on PostgreSQL it sends their queries in postgres.send_order).
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    kind: str  # in URLs and the API ("posts"): letters only
    label: str  # the group's heading ("Posts")
    model: type
    columns: dict  # {column: weight "A" to "D"}: what is indexed, as the kind's migration says
    snippet: str  # the column a result's snippet is cut from
    # (searcher, queryset) -> the rows searcher may see, decided by access; it may read rows
    # to decide, but not through .iterator(): on PostgreSQL it runs in a query pipeline.
    visible: Callable
    title: Callable  # obj -> the result's title (plain text)
    url: Callable  # obj -> the result's link
    time: str = "created_at"  # the result's time, the tie-break after rank
    space: str | None = None  # lookup to the space's slug, for kinds that live in a space
    author: str | None = None  # lookup to the author's handle
    hashtags: str | None = None  # lookup to hashtag names
    fuzzy: tuple = ()  # columns matched by trigram similarity too (names: "jonh" finds John)
    # Only the searcher's own few rows are visible (their conversations' messages), however
    # large the table: found from the searcher's side, not by walking the newest rows.
    personal: bool = False
    related: tuple = field(default=())  # select_related for title and url (no query per row)
    # `visible` reads rows of its own (lessons' drip: the member's enrollments), beyond the
    # tiers the searcher holds: on PostgreSQL it is built before any page is sent, where
    # the read waits for none (service.search). Left False, such a rule is right but slower.
    visible_reads: bool = False

    @property
    def table(self):
        return self.model._meta.db_table

    def supports(self, *, space, author, hashtags):
        """A filter a kind cannot apply leaves the kind out ("in:general" finds no members)."""
        return not (
            (space and not self.space)
            or (author and not self.author)
            or (hashtags and not self.hashtags)
        )


_sources = {}


def register_source(source):
    """Adds a kind after those registered before; registering a kind again replaces it."""
    if not source.kind.isascii() or not source.kind.isalpha():
        raise ValueError(f"A search kind is letters only: {source.kind!r}")
    if source.snippet not in source.columns:
        raise ValueError(f"The snippet column {source.snippet!r} is not indexed.")
    _sources[source.kind] = source


def registered_sources():
    return list(_sources.values())


def source_for(kind):
    """The source, or None."""
    return _sources.get(kind)
