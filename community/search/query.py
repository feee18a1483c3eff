"""What a member typed, read into words and filters that no engine syntax can reach.

    python "async views" from:@ada in:general #django django-ch

- words: runs of letters and digits; everything else (& | ! : * ( ) ' \\ <-> ^ - and the
  words AND OR NOT NEAR, which are matched as plain words) only separates them, so the
  engines' query syntax is never fed anything a member wrote (search.postgres and
  search.sqlite build their queries from these words alone);
- "a phrase": its words next to each other, in order (an unclosed quote is ignored);
- the last word, when the query does not end with a space, matches as a prefix: search as
  you type ("django-ch" finds "channels");
- from:@handle (or from:handle) the author, in:slug the space, #tag a hashtag (several are
  all required).

A query longer than MAX_LENGTH characters is refused, not cut: a cut query means something
else than what was typed (its last word halved and matched as a prefix), and the box never
needs more (the palette's input has the same maxlength). An empty query is refused too; a
query of punctuation only is valid and finds nothing.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_LENGTH = 200

_TOKENS = re.compile(
    r"""
      "(?P<phrase>[^"]*)"
    | (?<![^\W_])(?i:from):@?(?P<author>[\w-]+)
    | (?<![^\W_])(?i:in):(?P<space>[\w-]+)
    | (?<![\w&/])\#(?P<tag>\w+)
    | (?P<word>[^\W_]+)
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    words: tuple  # one word, or a phrase's words in order
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple = ()
    author: str | None = None
    space: str | None = None
    hashtags: tuple = ()

    @property
    def words(self):
        return [word for term in self.terms for word in term.words]

    def finds_anything(self):
        """False for a query with neither words nor filters ("&&!"): it matches nothing."""
        return bool(self.terms or self.author or self.space or self.hashtags)


def parse(raw):
    """The query, or a ValidationError on `q` when it is empty or too long."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError({"q": ["Type something to search for."]}, code="required")
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"q": [f"A search can be at most {MAX_LENGTH} characters (this one has {len(text)})."]},
            code="max_length",
        )
    typing = not raw[-1].isspace()  # a space after the last word: the word is complete
    terms, filters, tags = [], {}, []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "phrase":
            words = tuple(word.lower() for word in _WORD.findall(value))
            if words:
                terms.append(Term(words))
        elif kind == "word":
            # Still being typed when nothing follows it.
            terms.append(Term((value.lower(),), prefix=typing and match.end() == len(text)))
        elif kind == "tag":
            tags.append(value.lower())
        else:
            filters[kind] = value.lower()
    return ParsedQuery(text, tuple(terms), hashtags=tuple(dict.fromkeys(tags)), **filters)


def with_words_replaced(text, replacements):
    """`text` with its words (alone or in a phrase, not in a filter) that `replacements`
    names in lower case replaced, the rest as typed."""

    def token(match):
        if match.lastgroup not in ("word", "phrase"):
            return match.group(0)
        return _WORD.sub(lambda word: replacements.get(word[0].lower(), word[0]), match[0])

    return _TOKENS.sub(token, text)
