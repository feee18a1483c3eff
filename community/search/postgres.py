"""Matching on PostgreSQL: the stored, GIN-indexed vectors (search/indexes.py) queried with
what django.contrib.postgres ships: SearchQuery, SearchRank, SearchHeadline, and trigram
similarity for names (its lookup used as an expression: the project does not install the
app django.contrib.postgres, whose only use here would be to register that lookup).

The tsquery is written from the parsed words only (search/query.py), each quoted as one
operand, so no operator a member typed reaches to_tsquery: `'async' <-> 'views' & 'djan':*`.
"""

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection, transaction
from django.db.models import Expression, F, FloatField, Func, Q, TextField, Value
from django.db.models.expressions import Col
from django.db.models.functions import Cast, Greatest

from . import indexes

# Fuzzy name matching, in word similarity (shared trigrams): a typo costs a short word most
# of its few trigrams ("jonh" keeps 2 of John's 5: 0.4, under pg_trgm's default 0.6), a
# long one a smaller share, where 0.4 would let in unrelated names ("gardener" is 0.4 like
# "Garcia"; "Gardner" is 0.55).
WORD_SIMILARITY = {"short": 0.4, "long": 0.5}
SHORT = 5  # characters


def similarity_threshold(text):
    return WORD_SIMILARITY["short" if len(text) <= SHORT else "long"]


class _IndexColumn(Expression):
    """The search vector column that the trigger keeps beside a model's own (it is not a
    model field: search/indexes.py says why), named on the query's base table."""

    def __init__(self):
        super().__init__(output_field=SearchVectorField())

    def resolve_expression(self, query=None, *args, **kwargs):
        field = SearchVectorField()
        field.set_attributes_from_name(indexes.VECTOR_COLUMN)
        return Col(query.get_initial_alias(), field)


VECTOR = _IndexColumn()
CONFIG = Func(function=indexes.CONFIG_FUNCTION, output_field=TextField())


def tsquery(terms):
    def operand(word, prefix=False):
        return f"'{word}'" + (":*" if prefix else "")

    return " & ".join(
        " <-> ".join(operand(word) for word in term.words)
        if len(term.words) > 1
        else operand(term.words[0], term.prefix)
        for term in terms
    )


def matches(source, queryset, parsed, *, start_sel, stop_sel):
    """The rows of `queryset` that match, annotated with `rank` and `snippet` (the matched
    words between start_sel and stop_sel)."""
    query = SearchQuery(tsquery(parsed.terms), search_type="raw", config=CONFIG)
    queryset = queryset.alias(_vector=VECTOR)
    condition = Q(_vector=query)
    rank = SearchRank(F("_vector"), query)
    if source.fuzzy:
        text = " ".join(parsed.words)
        for column in source.fuzzy:
            condition |= TrigramWordSimilar(F(column), Value(text))
        similar = [TrigramWordSimilarity(text, column) for column in source.fuzzy]
        rank = rank + (Greatest(*similar) if len(similar) > 1 else similar[0])
    snippet = SearchHeadline(
        source.snippet, query, config=CONFIG, start_sel=start_sel, stop_sel=stop_sel,
        max_words=30, min_words=12, max_fragments=2, fragment_delimiter=" … ",
    )  # fmt: skip
    # As double precision: ts_rank's real reaches Python rounded to its shortest text, which
    # a cursor would then compare unequal to the real itself, and lose a row at the seam.
    rank = Cast(rank, FloatField())
    return queryset.filter(condition).annotate(rank=rank, snippet=snippet)


def evaluate(source, parsed, page):
    """Runs `page()` (which reads the matches): with the trigram threshold set for this
    transaction only when the kind matches names, as the %> operator (and so its GIN
    index) reads the threshold from the setting, not from the query."""
    if not source.fuzzy:
        return page()
    threshold = similarity_threshold(" ".join(parsed.words))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(threshold)]
        )
        return page()
