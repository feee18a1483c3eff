"""A corpus of hostile inputs, for tests that throw them at every form, query parameter and
API operation (tests/community/test_hostile_inputs.py): what a visitor trying to break the
site would type. None may give a 5xx, and no script of theirs may reach a page raw.

`TEXT` holds strings for any text field or parameter, grouped by the kind of attack;
`LONE_SURROGATES` only survive as JSON escapes or percent-encoded bytes (a Python str can
hold them, UTF-8 cannot encode them); `RAW_JSON_BODIES` and `WRONG_CONTENT_TYPES` replace a
whole request body. `sample(values, k, key)` picks the same few for the same key every run.
"""

import hashlib
import random

# Every script payload calls alert(31337): a page holding one of these fragments verbatim
# would run the visitor's code.
XSS = [
    "<script>alert(31337)</script>",
    '"><script>alert(31337)</script>',
    "'><img src=x onerror=alert(31337)>",
    '" onmouseover="alert(31337)" x="',
    "' autofocus onfocus='alert(31337)",
    "<svg onload=alert(31337)>",
    "<iframe src=javascript:alert(31337)>",
    "javascript:alert(31337)",
    "JaVaScRiPt:alert(31337)",
    "data:text/html,<script>alert(31337)</script>",
    "[click](javascript:alert(31337))",
    "![img](javascript:alert(31337))",
    '[x](https://example.com" onclick="alert(31337))',
    '<a href="javascript:alert(31337)">x</a>',
    "<javascript:alert(31337)>",
    "```html\n</code></pre><script>alert(31337)</script>\n```",
    "`</code><script>alert(31337)</script>`",
    "@<script>alert(31337)</script> #<script>alert(31337)</script>",
    'https://www.youtube.com/watch?v=aaaaaaaaaaa&x="><script>alert(31337)</script>',
    "</textarea><script>alert(31337)</script>",
    "</title><script>alert(31337)</script>",
    "{{ 7*7 }}{% debug %}${7*7}",
]
# What must never appear in a page's HTML after any of the payloads above was sent: each is
# harmless once escaped (< as &lt;, quotes as &quot; or &#x27;), so only raw echoes match.
XSS_FRAGMENTS = [
    "<script>alert(31337)",
    "<img src=x onerror=alert(31337)",
    "<svg onload=alert(31337)",
    "<iframe src=javascript:",
    '" onmouseover="alert(31337)',
    "' autofocus onfocus='alert(31337)",
    '" onclick="alert(31337)',
    'href="javascript:',
    'src="javascript:',
    'href="data:',
]
SQL = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    "1; DROP TABLE community_post; --",
    "%' UNION SELECT password FROM community_user --",
    "\\'; SELECT pg_sleep(0); --",
    "%_%",
]
TSQUERY = ["a & | b", "!(", "foo:*", "(((", "a <-> b", "'", "&", "!!!", ":*", "a:B & !"]
CONTROL = [
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "line\r\nSet-Cookie: hostile=1",
    "\r\n\r\n<script>alert(31337)</script>",
    "\t\v\f",
]
UNICODE_TRICKS = [
    "\u202egnp.exe",  # right-to-left override
    "admin\u200b",  # zero-width space
    "\u200d\u200c\ufeff",
    "\u2028\u2029",
    "\uff53\uff43\uff52\uff49\uff50\uff54",  # fullwidth "script"
    "a\u0301\u0301\u0301\u0301\u0301",
    "😀" * 50,
    "\U0010ffff",
]
DIGITS = [
    "²", "٣", "\uff11\uff12", "Ⅻ", "৩", "-1", "0", "1e309", "NaN", "Infinity",
    "99999999999999999999999", "1.5", "0x10", " 1 ",
]  # fmt: skip
LONG = ["x" * 100_000, "<" * 100_000, "@a " * 20_000, "#a " * 20_000]
EMPTYISH = ["", " ", "null", "undefined", "[]", "{}", "%00", "%", "..%2f..%2fetc%2fpasswd"]

TEXT = [*XSS, *SQL, *TSQUERY, *CONTROL, *UNICODE_TRICKS, *DIGITS, *LONG, *EMPTYISH]

# A lone surrogate: valid in a Python str and as a JSON escape, not as UTF-8.
LONE_SURROGATES = ["\ud800", "a\udfffb", "\udc00\ud800"]
# The same as raw query bytes: percent-encoded CESU / invalid UTF-8.
BAD_UTF8_QUERY = ["%ED%A0%80", "%FF%FE", "%C0%AF", "a%80b"]

RAW_JSON_BODIES = [
    "[" * 100_000,
    '{"a":' * 50_000,
    "{",
    '{"body": "unterminated',
    "null",
    "[]",
    '"just a string"',
    "123",
    '{"body": "\\ud800", "title": "\\udfff", "name": "\\ud800x", "reason": "\\ud800"}',
    '{"body": "\\u0000", "title": "\\u0000"}',
    "\ufeff{}",
    "{'single': 'quotes'}",
    '{"body": NaN, "parent": Infinity}',
    '{"parent": "²", "target_id": "٣", "order": ["²"], "space": ["x"]}',
    '{"body": {"nested": [1, 2]}, "title": [], "space": {}, "name": null}',
    '{"body": 1e999, "target_type": true}',
]
WRONG_CONTENT_TYPES = [
    ("text/plain", b'{"body": "x"}'),
    ("application/xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"),
    ("multipart/form-data", b"--x\r\nno boundary given\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n--x--"),
    ("multipart/form-data; boundary=x", b"not multipart at all"),
    ("application/x-www-form-urlencoded", b"body=%ZZ&&==&title=%"),
    ("application/json; charset=utf-16", '{"body": "x"}'.encode("utf-16")),
    ("application/json; charset=nope", b'{"body": "x"}'),
    ("", b"\x00\xff\xfe"),
]  # fmt: skip


def sample(values, k, key):
    """`k` values of `values` chosen by `key` (the same every run); the first script payload,
    the first long string and a digit are always in, so every field meets each kind."""
    always = [XSS[0], LONG[0], DIGITS[0], CONTROL[1]]
    always = [v for v in always if v in values]
    rest = [v for v in values if v not in always]
    seed = int.from_bytes(hashlib.sha256(str(key).encode()).digest()[:8], "big")
    picked = random.Random(seed).sample(rest, min(max(k - len(always), 0), len(rest)))
    return [*always, *picked]
