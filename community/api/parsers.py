"""DRF's JSON parser, refusing a body that would crash it: json.loads recurses once per
nesting level, so a body of 100,000 `[` raised RecursionError, which DRF does not expect
and answered with a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc
