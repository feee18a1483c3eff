"""search(): one query across every registered kind, grouped by kind, only what the
searcher may see (each source's `visible`, decided by access.py and the apps' rules).

Each kind costs a fixed number of queries whatever the number of results: on PostgreSQL
one (its newest matches, walked or not, and their page: postgres.py says how), plus one for
the whole search (its settings, and each kind's table's newest id); on SQLite two (the
matches, then their rows). A query of filters only costs each kind one on either. Plus
what the visibility rules read (the tiers the searcher holds; lessons': the member's
enrollments).

Ranked best first (PostgreSQL's ts_rank with titles weighted above bodies, plus name
similarity; bm25 with the same weights on SQLite), newer first among equal ranks. Only a
kind's newest matches (by id) are ranked: SEARCH_CANDIDATES of them when one kind is asked
for, SEARCH_OVERVIEW_CANDIDATES of each when several are (an overview shows each kind's
best few, and must answer as fast as one kind). A rare word has fewer, and a common one is
found in its recent rows in milliseconds, where ranking all its matches took seconds; an
old row is then found by its kind's own tab, a word that narrows the matches, or a date or
space filter. A query of filters only (`from:@ada`, `#django`) lists newest first.

The cursor is per kind: the last result's (rank, time, id), with the kind, the number of
candidates ranked and a digest of the query and filters, signed, so that a cursor is only
ever read back for the list it was made for (another query, another kind or a forged one
is a 400 on `cursor`). A match written between two pages may shift the next one: it takes
the place of the oldest candidate, and on SQLite a bm25 rank also depends on the whole
table.

Snippets are safe HTML: the engines mark matched words with two private-use characters,
the whole text is escaped, then only those marks become <mark>…</mark>.
"""

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, FloatField, Q, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from community import access
from community.pagination import DEFAULT_PAGE_SIZE, clamp_size

from . import postgres, sqlite
from .query import parse
from .sources import registered_sources, source_for

START, STOP = "\ue000", "\ue001"  # Unicode private use: no engine or escaper touches them
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
SNIPPET_CHARS = 200
_CURSOR_SALT = "agora.search.cursor"
_CURSOR_MAX_LENGTH = 500
OVERVIEW_SIZE = 5  # results of each kind when several are searched at once


@dataclass(frozen=True)
class Result:
    kind: str
    object: object
    title: str
    snippet: str  # safe HTML
    url: str
    time: datetime
    rank: float

    @property
    def id(self):
        return self.object.pk


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    results: list
    next_cursor: str | None


@dataclass(frozen=True)
class Filters:
    spaces: tuple  # slugs, all required (the `space` parameter and in:…)
    authors: tuple  # handles, likewise
    hashtags: tuple
    since: datetime | None
    until: datetime | None


def highlighted(text):
    """`text` escaped, with only the engine's marks turned into <mark>…</mark> (a mark
    character a member typed is dropped, unpaired)."""
    marked = _MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308 - escaped above


def search(searcher, query, *, kinds=None, space=None, author=None, since=None, until=None,
           cursor=None, size=None):  # fmt: skip
    """[Group] of the kinds asked for (all registered ones by default) that can apply the
    filters, each with its best `size` results (by default DEFAULT_PAGE_SIZE of one kind,
    OVERVIEW_SIZE of each of several). A `cursor` (a group's next_cursor) gives the next
    page of its kind only. ValidationError naming `q`, `kinds` or `cursor`."""
    parsed = parse(query)
    filters = Filters(
        spaces=tuple(dict.fromkeys(s.lower() for s in (space, parsed.space) if s)),
        authors=tuple(dict.fromkeys(a.lower().lstrip("@") for a in (author, parsed.author) if a)),
        hashtags=parsed.hashtags,
        since=since,
        until=until,
    )
    sources = [
        source
        for source in _chosen(kinds)
        if source.supports(space=filters.spaces, author=filters.authors, hashtags=filters.hashtags)
    ]
    digest = _digest(parsed.text, filters)
    after = None
    candidates = (
        settings.SEARCH_CANDIDATES if len(sources) == 1 else settings.SEARCH_OVERVIEW_CANDIDATES
    )
    if cursor:
        kind, candidates, after = _decode_cursor(cursor, digest)
        sources = [source for source in sources if source.kind == kind]
        if not sources:
            raise ValidationError({"cursor": ["This cursor is for another kind."]}, code="invalid")
    if size is None:
        size = DEFAULT_PAGE_SIZE if len(sources) == 1 else OVERVIEW_SIZE
    group_of = functools.partial(_group, parsed=parsed, candidates=candidates, after=after,
                                 size=clamp_size(size), digest=digest)  # fmt: skip
    if connection.vendor == "postgresql" and parsed.terms:
        # Every kind's page is sent before the first is read (postgres.pipelined says why),
        # each built just before it is sent, so that the server runs the first ones while
        # Python builds the rest. A read inside waits for every page sent before it, so what
        # the rules read is read first: the tiers the searcher holds, which every gated
        # kind's rule reads (remembered on the searcher), and the rules that read rows of
        # their own (Source.visible_reads).
        with postgres.settings_for(parsed, sources) as newest, postgres.pipelined():
            access.held_tier_ids(searcher)
            read_first = {
                source.kind: _visible(source, searcher, filters)
                for source in sources
                if source.visible_reads
            }
            sent = {}
            for source in postgres.send_order(sources):
                visible = read_first.get(source.kind)
                if visible is None:
                    visible = _visible(source, searcher, filters)
                sent[source.kind] = group_of(source, visible, newest=newest.get(source.kind))
            # Read in the order sent: each read waits for its own page only.
            groups = {kind: read() for kind, read in sent.items()}
            return [groups[source.kind] for source in sources]
    return [
        group_of(source, _visible(source, searcher, filters), newest=None)() for source in sources
    ]


def _chosen(kinds):
    known = registered_sources()
    if not kinds:
        return known
    unknown = [kind for kind in kinds if source_for(kind) is None]
    if unknown:
        names = ", ".join(source.kind for source in known)
        raise ValidationError(
            {"kinds": [f"“{kind}” is not one of: {names}." for kind in unknown]}, code="invalid"
        )
    return [source for source in known if source.kind in kinds]


def _filtered(source, queryset, filters):
    for slug in filters.spaces:
        queryset = queryset.filter(**{source.space: slug})
    for handle in filters.authors:
        queryset = queryset.filter(**{f"{source.author}__iexact": handle})
    if filters.hashtags:
        # Rows with every tag, in one grouped subquery: a join or a subquery per tag would
        # let a query naming sixty tags make PostgreSQL's planner exhaust the server.
        tagged = (
            source.model.objects.filter(**{f"{source.hashtags}__in": filters.hashtags})
            .values("pk")
            .annotate(tags=Count(source.hashtags, distinct=True))
            .filter(tags=len(filters.hashtags))
            .values("pk")
        )
        queryset = queryset.filter(pk__in=tagged)
    if filters.since:
        queryset = queryset.filter(**{f"{source.time}__gte": filters.since})
    if filters.until:
        queryset = queryset.filter(**{f"{source.time}__lt": filters.until})
    return queryset


def _visible(source, searcher, filters):
    """The kind's rows that `searcher` may see, filtered."""
    queryset = source.visible(searcher, source.model.objects.all())
    if source.related:
        queryset = queryset.select_related(*source.related)
    return _filtered(source, queryset, filters)


def _group(source, queryset, *, parsed, candidates, after, size, digest, newest):
    """A function that returns the kind's Group of `queryset` (_visible()): on PostgreSQL
    its page query is sent already, and the function reads it."""
    if not parsed.finds_anything() or queryset.query.is_empty():  # no query needed
        rows = []
    elif not parsed.terms:  # filters only: newest first
        unranked = queryset.annotate(rank=Value(0.0, FloatField()))
        rows = _rows(_ordered(source, unranked, after, size))
    elif connection.vendor == "postgresql":
        read = postgres.page(source, queryset, parsed, candidates=candidates, newest=newest,
                             after=after, size=size, ordered=functools.partial(_ordered, source),
                             start_sel=START, stop_sel=STOP)  # fmt: skip
        return lambda: _grouped(source, _rows(read()), size=size, digest=digest,
                                candidates=candidates)  # fmt: skip
    else:
        found = sqlite.page(source, queryset, parsed, candidates=candidates, after=after,
                            size=size + 1, start_sel=START, stop_sel=STOP)  # fmt: skip
        objects = queryset.in_bulk([pk for pk, _, _ in found])
        rows = [(objects[pk], rank, snippet) for pk, rank, snippet in found if pk in objects]
    return lambda: _grouped(source, rows, size=size, digest=digest, candidates=candidates)


def _grouped(source, rows, *, size, digest, candidates):
    results = [_result(source, *row) for row in rows[:size]]
    next_cursor = None
    if len(rows) > size:
        last = results[-1]
        next_cursor = _encode_cursor(
            source.kind, digest, candidates, (last.rank, last.time, last.id)
        )
    return Group(source.kind, source.label, results, next_cursor)


def _rows(objects):
    return [(obj, obj.rank, getattr(obj, "snippet", None)) for obj in objects]


def _ordered(source, queryset, after, size):
    """The best size + 1 rows of `queryset` past `after`, as a keyset (rank, time, id)."""
    time = source.time
    if after is not None:
        rank, moment, pk = after
        queryset = queryset.filter(
            Q(rank__lt=rank)
            | Q(rank=rank, **{f"{time}__lt": moment})
            | Q(rank=rank, **{time: moment}, pk__lt=pk)
        )
    return queryset.order_by("-rank", f"-{time}", "-pk")[: size + 1]


def _result(source, obj, rank, snippet):
    if not snippet:  # no words to match, or they matched the title only
        snippet = Truncator(getattr(obj, source.snippet)).chars(SNIPPET_CHARS)
    return Result(
        kind=source.kind,
        object=obj,
        title=source.title(obj),
        snippet=highlighted(snippet),
        url=source.url(obj),
        time=getattr(obj, source.time),
        rank=rank,
    )


# --- Cursors -------------------------------------------------------------------------------


def _digest(text, filters):
    described = json.dumps([text, filters.spaces, filters.authors, filters.hashtags,
                            str(filters.since), str(filters.until)])  # fmt: skip
    return hashlib.blake2b(described.encode(), digest_size=8).hexdigest()


def _encode_cursor(kind, digest, candidates, key):
    rank, time, pk = key
    return signing.dumps([kind, digest, candidates, rank, time.isoformat(), pk], salt=_CURSOR_SALT)


def _decode_cursor(cursor, digest):
    """(kind, candidates, (rank, time, id)) of a cursor made for this query and filters."""
    refused = ValidationError({"cursor": ["This cursor is not valid."]}, code="invalid")
    if len(cursor) > _CURSOR_MAX_LENGTH:
        raise refused
    try:
        kind, made_for, candidates, rank, time, pk = signing.loads(cursor, salt=_CURSOR_SALT)
        candidates = int(candidates)
        key = (float(rank), datetime.fromisoformat(time), int(pk))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise refused from exc
    if made_for != digest:
        raise ValidationError({"cursor": ["This cursor is for another search."]}, code="invalid")
    return kind, candidates, key
