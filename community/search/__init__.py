"""Search across every kind of thing members write: community's posts, comments, members
and spaces, and the kinds other apps register (search/sources.py). search/service.py is
the service, search/indexes.py how each engine's index is kept current."""

from .answer import Answer, answer
from .service import Group, Result, search
from .sources import Source, register_source, registered_sources
from .spelling import suggestion

__all__ = [
    "Answer", "Group", "Result", "Source",
    "answer", "register_source", "registered_sources", "search", "suggestion",
]  # fmt: skip
