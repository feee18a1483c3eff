"""DRF's JSON parser, refusing bodies that would crash the request later:

- json.loads recurses once per nesting level, so a body of 100,000 `[` raised
  RecursionError, which DRF does not expect and answered with a 500;
- a `\\ud800` escape decodes to a lone surrogate, which is no text: an error message that
  repeated the value made the JSON renderer fail with UnicodeEncodeError (a 500);
- a `\\u0000` decodes to NUL, which PostgreSQL cannot store or compare (psycopg raises).
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _is_unstorable(text):
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _has_unstorable_text(data):
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _is_unstorable(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
        if _has_unstorable_text(data):
            raise ParseError("JSON parse error - a string holds NUL or a lone surrogate.")
        return data
