"""answer(): what the pages and the API show for a search, its groups and, when a first
page found nothing at all, the corrected query to offer instead ("Did you mean …?")."""

from dataclasses import dataclass

from .service import search
from .spelling import suggestion


@dataclass(frozen=True)
class Answer:
    groups: list  # [service.Group]
    suggestion: str | None

    @property
    def found(self):
        return sum(len(group.results) for group in self.groups)


def answer(searcher, query, **options):
    """search(searcher, query, **options), with spelling.suggestion() when nothing was
    found (never for a next page: its first one found something). ValidationError as
    search()'s."""
    groups = search(searcher, query, **options)
    if options.get("cursor") or any(group.results for group in groups):
        return Answer(groups, None)
    filters = {name: value for name, value in options.items() if name not in ("cursor", "size")}
    return Answer(groups, suggestion(searcher, query, **filters))
