"""Did you mean: a search that found nothing is offered the same query with each word the
community never writes replaced by its most written word one slip of the keyboard away
(a letter missing, added, changed, or two letters swapped): "desing feedbak" becomes
"design feedback".

The vocabulary (community.SearchTerm) is the words of the newest texts every member may
read (access.posts_every_member_sees and its comments, the spaces every member sees) that
at least MIN_DOCUMENTS of them hold: a suggestion never names a word that only some
members could find, nor one typo written once. A nightly task writes it anew
(community.tasks.refresh_search_terms; `manage.py refresh_search_terms` at once), and a
correction is offered to signed-in members only, the audience it was read for, once it has
found something for them (so nothing hidden since the last refresh is named).

Written by hand rather than with a spelling library (pyspellchecker, SymSpell): those
hold a whole dictionary in each process's memory, built from a language's word list; this
vocabulary is the community's own, kept in its database, and a query's one-slip variants
are looked up in one query on its unique index, the same on both engines.
"""

import re
from collections import Counter
from itertools import islice

from django.db import transaction

from community import access
from community.models import SearchTerm

from .query import parse, with_words_replaced
from .service import search

NEWEST_TEXTS = 20_000  # of posts, and of comments, read for the vocabulary
MIN_DOCUMENTS = 2
MIN_LENGTH, MAX_LENGTH = 3, 40  # shorter words have too many neighbours to guess from
MAX_WORDS = 8  # corrected in one query (each costs about 54 x its length candidates)
_WORD = re.compile(r"[^\W_]+")  # as search/query.py reads words
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def refresh_vocabulary():
    """Writes the vocabulary anew from the newest texts (idempotent). Returns its size."""
    documents = Counter()
    for text in _texts():
        documents.update({word for word in _WORD.findall(text.lower()) if _fits(word)})
    terms = [SearchTerm(word=word, documents=count)
             for word, count in documents.items() if count >= MIN_DOCUMENTS]  # fmt: skip
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        SearchTerm.objects.bulk_create(terms, batch_size=2000)
    return len(terms)


def _texts():
    posts = access.posts_every_member_sees().order_by("-pk")[:NEWEST_TEXTS]
    for title, body in posts.values_list("title", "body").iterator(chunk_size=2000):
        yield f"{title}\n{body}"
    comments = access.comments_every_member_sees().order_by("-pk")[:NEWEST_TEXTS]
    yield from comments.values_list("body", flat=True).iterator(chunk_size=2000)
    for name, description in access.spaces_every_member_sees().values_list("name", "description"):
        yield f"{name}\n{description}"


def _fits(word):
    return MIN_LENGTH <= len(word) <= MAX_LENGTH and not word.isdigit()


def suggestion(searcher, query, **filters):
    """The query with its unknown words corrected, when it finds something for `searcher`
    with `filters` (search()'s: kinds, space, author, since, until); else None. The last
    word while it is being typed (a prefix) counts as known when a known word starts with
    it."""
    if not access.is_active_member(searcher):
        return None
    parsed = parse(query)
    words = list(islice(dict.fromkeys(w for w in parsed.words if _fits(w)), MAX_WORDS))
    if not words:
        return None
    variants = {word: _one_slip_away(word) for word in words}
    known = dict(
        SearchTerm.objects.filter(word__in=set(words).union(*variants.values())).values_list(
            "word", "documents"
        )
    )
    typed = parsed.terms[-1].words[-1] if parsed.terms[-1].prefix else None
    replacements = {}
    for word in words:
        if word in known or (
            word == typed and SearchTerm.objects.filter(word__startswith=word).exists()
        ):
            continue
        found = [variant for variant in variants[word] if variant in known]
        if found:
            replacements[word] = max(found, key=lambda variant: (known[variant], variant))
    if not replacements:
        return None
    corrected = with_words_replaced(query.strip(), replacements)
    # Searched before it is offered: the vocabulary is a day old at most, and a word of a
    # post hidden or moved into a paid space since then must not be named, nor a
    # correction offered that finds nothing either.
    found = search(searcher, corrected, size=1, **filters)
    return corrected if any(group.results for group in found) else None


def _one_slip_away(word):
    """Every string one deletion, transposition, substitution or insertion from `word`."""
    letters = _ALPHABET + "".join(set(word) - set(_ALPHABET))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {left + right[1:] for left, right in splits if right}
        | {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
        | {left + letter + right[1:] for left, right in splits if right for letter in letters}
        | {left + letter + right for left, right in splits for letter in letters}
    ) - {word}
