"""Sentence case for allauth's pages, which write their headings, buttons and labels in Title
Case ("Sign In", "Remember Me"). The element templates (templates/allauth/elements/) pass
their text through these filters, so every allauth page matches the rest of the site without
copying allauth's templates.

A word after the first is lowercased when it is written Title-case ("In", "Sign-In"), unless
it is a name: the site's, a social provider's ("Google", "GitHub") or "I". Words in other
shapes ("API", "GitHub", "e.g.") are left alone, and so is everything inside HTML tags.
"""

import re
from functools import cache

from django import template
from django.utils.safestring import SafeData, mark_safe

from community import branding

register = template.Library()

_TAG = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_TITLE_PART = re.compile(r"[A-Z][a-z]+")
_LABEL = re.compile(r"(<(label|legend)\b[^>]*>)(.*?)(</\2>)", re.DOTALL)


@cache
def _provider_names():
    from allauth.socialaccount.providers import registry

    return frozenset(cls.name for cls in registry.get_class_list())


def _names():
    return {"I", *branding.current().name.split(), *_provider_names()}


def _lower_part(part, names):
    return part.lower() if _TITLE_PART.fullmatch(part) and part not in names else part


def _sentence_case_text(text, state):
    names = _names()

    def word(match):
        parts = match.group(0).split("-")
        if state["first"]:
            state["first"] = False
            return "-".join([parts[0], *(_lower_part(p, names) for p in parts[1:])])
        if match.group(0) in names:
            return match.group(0)
        return "-".join(_lower_part(p, names) for p in parts)

    return _WORD.sub(word, text)


def _sentence_case(value):
    state = {"first": True}
    return "".join(
        chunk if _TAG.fullmatch(chunk) else _sentence_case_text(chunk, state)
        for chunk in _TAG.split(str(value))
    )


def _keep_safety(original, result):
    return mark_safe(result) if isinstance(original, SafeData) else result  # noqa: S308


@register.filter(is_safe=True)
def sentence_case(value):
    """'Sign In Via GitHub' -> 'Sign in via GitHub'; text between tags only."""
    return _keep_safety(value, _sentence_case(value))


@register.filter(is_safe=True)
def sentence_case_labels(html):
    """Sentence case for the text of each <label> and <legend> in a rendered field."""
    result = _LABEL.sub(lambda m: m.group(1) + _sentence_case(m.group(3)) + m.group(4), str(html))
    return _keep_safety(html, result)
