"""render_markdown: what members write reaches a page only as allow-listed HTML."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from community.richtext import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    URL_SCHEMES,
    render_markdown,
)

REL = "nofollow noopener noreferrer ugc"
URL_ATTRIBUTES = {"href", "src"}
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]+")


class _Collector(HTMLParser):
    """Every start tag of the output, with its attributes as the browser would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def parse_tags(html):
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def url_scheme(value):
    """The scheme a browser would see in an href/src value ('' for a relative URL)."""
    return urlsplit(_IGNORED_IN_SCHEME.sub("", value)).scheme.lower()


def assert_safe(html):
    """The output holds only allow-listed tags, attributes and URL schemes."""
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<iframe" not in lowered
    assert "<svg" not in lowered
    assert "<!--" not in html
    for tag, attrs in parse_tags(html):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> is not allowed in {html!r}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} in {html!r}"
            assert name in allowed, f"attribute {name} on <{tag}> is not allowed in {html!r}"
            if tag == "a" and name == "rel":
                assert value == REL
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value or "")
                assert scheme in URL_SCHEMES | {""}, f"{name}={value!r} in {html!r}"
                assert "javascript:" not in _IGNORED_IN_SCHEME.sub("", value.lower())
                assert "vbscript:" not in _IGNORED_IN_SCHEME.sub("", value.lower())
                assert not _IGNORED_IN_SCHEME.sub("", value.lower()).startswith("data:")


XSS_VECTORS = {
    # raw HTML
    "script": "<script>alert(1)</script>",
    "script_uppercase": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script_in_paragraph": "Hello <script>alert(document.cookie)</script> world",
    "script_split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "img_onerror": '<img src="x" onerror="alert(1)">',
    "img_onerror_unquoted": "<img src=x onerror=alert(1)//>",
    "img_onerror_no_space": '<img/src="x"/onerror="alert(1)">',
    "svg_onload": "<svg onload=alert(1)>",
    "svg_nested_script": "<svg><script>alert(1)</script></svg>",
    "body_onload": "<body onload=alert(1)>",
    "iframe_javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe_srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "object_data": '<object data="javascript:alert(1)"></object>',
    "embed": '<embed src="data:text/html,<script>alert(1)</script>">',
    "style_attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "style_tag": "<style>*{background:url('javascript:alert(1)')}</style>",
    "raw_anchor_javascript": '<a href="javascript:alert(1)">click</a>',
    "raw_anchor_entities": '<a href="&#106;&#97;&#118;&#97;script:alert(1)">click</a>',
    "raw_anchor_onclick": '<a href="https://example.com" onclick="alert(1)">x</a>',
    "html_comment": "<!-- <script>alert(1)</script> -->visible",
    "conditional_comment": "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "broken_nested_tags": "<<img src=x onerror=alert(1)//>>",
    "unclosed_attribute": '<img src="x" onerror="alert(1)',
    "form_action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "meta_refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base_href": '<base href="javascript:alert(1)//">',
    "math_href": '<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>',
    "details_ontoggle": "<details open ontoggle=alert(1)>",
    "html_in_table_cell": "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "html_in_list": "- <script>alert(1)</script>\n- <svg onload=alert(1)>",
    # markdown links and images
    "md_link_javascript": "[x](javascript:alert(1))",
    "md_link_javascript_mixed_case": "[x](JaVaScRiPt:alert(1))",
    "md_link_javascript_entity": "[x](&#106;avascript:alert(1))",
    "md_link_javascript_hex_entity": "[x](&#x6A;avascript&#x3A;alert(1))",
    "md_link_javascript_named_entity": "[x](javascript&colon;alert(1))",
    "md_link_javascript_tab": "[x](java\tscript:alert(1))",
    "md_link_javascript_newline": "[x](java\nscript:alert(1))",
    "md_link_javascript_leading_space": "[x]( javascript:alert(1))",
    "md_link_javascript_angle": "[x](<javascript:alert(1)>)",
    "md_link_javascript_percent": "[x](%6Aavascript:alert(1))",
    "md_link_javascript_control_char": "[x](\x01javascript:alert(1))",
    "md_link_vbscript": "[x](vbscript:msgbox(1))",
    "md_link_data_html": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md_image_javascript": "![x](javascript:alert(1))",
    "md_image_data_svg": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md_image_data_png": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "md_image_vbscript": "![x](vbscript:msgbox(1))",
    "md_link_around_image": "[![x](https://example.com/a.png)](javascript:alert(1))",
    "autolink_javascript": "<javascript:alert(1)>",
    "autolink_javascript_mixed_case": "<JAVASCRIPT:alert(1)>",
    "autolink_vbscript": "<vbscript:msgbox(1)>",
    "autolink_data": "<data:text/html,<script>alert(1)</script>>",
    "reference_link_javascript": "[a][r]\n\n[r]: javascript:alert(1)",
    "reference_link_javascript_entity": "[a][r]\n\n[r]: &#106;avascript:alert(1)",
    "reference_image_javascript": "![a][r]\n\n[r]: javascript:alert(1)",
    "title_attribute_injection": '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
    "title_breaking_quotes": "[x](https://example.com 'a\" onclick=\"alert(1)')",
    "image_title_injection": '![x](https://example.com/a.png "\\" onerror=\\"alert(1)")',
    "alt_text_injection": '![" onerror="alert(1)](https://example.com/a.png)',
    "href_quote_breakout": '[x](https://example.com/"onmouseover="alert(1))',
    "linkify_javascript": "javascript:alert(1)",
    "code_fence_language_injection": '```"><script>alert(1)</script>\ncode\n```',
    "code_fence_language_onerror": "```python onerror=alert(1)\nprint(1)\n```",
    "inline_code_script": "`<script>alert(1)</script>`",
}


@pytest.mark.parametrize("text", XSS_VECTORS.values(), ids=XSS_VECTORS.keys())
def test_it_renders_xss_vectors_as_harmless_html(text):
    assert_safe(render_markdown(text))


def test_the_xss_corpus_is_large_enough():
    assert len(XSS_VECTORS) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<b onclick="alert(1)">bold</b>',
    ],
)
def test_it_shows_raw_html_as_text_instead_of_markup(text):
    html = render_markdown(text)

    assert parse_tags(html) == [("p", [])]
    assert "&lt;" in html


def test_it_drops_javascript_links_but_keeps_the_words():
    html = render_markdown("Click [here](javascript:alert(1)) please")

    assert "<a" not in html
    assert "here" in html


def test_it_keeps_a_data_image_only_as_alt_text():
    html = render_markdown("![a chart](data:image/png;base64,iVBORw0KGgo=)")

    images = [dict(attrs) for tag, attrs in parse_tags(html) if tag == "img"]
    assert images == [{"alt": "a chart"}]


def test_it_escapes_a_link_title_rather_than_adding_attributes():
    html = render_markdown('[x](https://example.com "a\\" onmouseover=\\"alert(1)")')

    anchors = [dict(attrs) for tag, attrs in parse_tags(html) if tag == "a"]
    assert anchors == [
        {"href": "https://example.com", "title": 'a" onmouseover="alert(1)', "rel": REL}
    ]


# Positive rendering


def test_it_returns_an_empty_string_for_empty_input():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_it_renders_bold_and_italic():
    html = render_markdown("**bold** and *italic* and _also_")

    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<em>also</em>" in html


def test_it_renders_strikethrough():
    html = render_markdown("~~gone~~")

    assert re.search(r"<(s|del)>gone</\1>", html)


def test_it_renders_bullet_and_numbered_lists():
    html = render_markdown("- one\n- two\n\n3. three\n4. four")

    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">' in html
    assert "<li>four</li>" in html


def test_it_renders_headings_quotes_and_rules():
    html = render_markdown("# Title\n\n> quoted\n\n---\n\nline  \nbreak")

    assert "<h1>Title</h1>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr>" in html
    assert "<br>" in html


def test_it_renders_tables():
    html = render_markdown("| name | points |\n|------|--------|\n| Ada | 10 |")

    tags = [tag for tag, _ in parse_tags(html)]
    assert tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert "<td>Ada</td>" in html


def test_it_keeps_table_column_alignment():
    html = render_markdown("| left | right | mid |\n|:--|--:|:-:|\n| a | b | c |")

    cells = [dict(attrs) for tag, attrs in parse_tags(html) if tag in ("th", "td")]
    assert [cell.get("align") for cell in cells] == ["left", "right", "center"] * 2
    assert_safe(html)


def test_it_adds_rel_nofollow_to_markdown_links():
    html = render_markdown("[Agora](https://example.com/agora)")

    anchors = [dict(attrs) for tag, attrs in parse_tags(html) if tag == "a"]
    assert anchors == [{"href": "https://example.com/agora", "rel": REL}]


def test_it_keeps_mailto_and_relative_links():
    html = render_markdown("[mail](mailto:team@example.com) [page](/spaces/general/)")

    hrefs = [dict(attrs)["href"] for tag, attrs in parse_tags(html) if tag == "a"]
    assert hrefs == ["mailto:team@example.com", "/spaces/general/"]


def test_it_renders_images_with_an_https_source():
    html = render_markdown('![a cat](https://example.com/cat.png "Cat")')

    images = [dict(attrs) for tag, attrs in parse_tags(html) if tag == "img"]
    assert images == [{"src": "https://example.com/cat.png", "alt": "a cat", "title": "Cat"}]


def test_it_linkifies_bare_urls():
    html = render_markdown("see https://example.com/x?a=1 and www.example.org today")

    anchors = [dict(attrs) for tag, attrs in parse_tags(html) if tag == "a"]
    assert anchors == [
        {"href": "https://example.com/x?a=1", "rel": REL},
        {"href": "http://www.example.org", "rel": REL},
    ]
    assert ">https://example.com/x?a=1</a>" in html


def test_it_highlights_a_python_code_block():
    html = render_markdown("```python\nimport os\nprint('<b>')\n```")

    assert html.startswith('<div class="highlight"><pre>')
    assert '<span class="kn">import</span>' in html
    assert "&lt;b&gt;" in html
    assert "<b>" not in html
    assert_safe(html)


def test_it_does_not_nest_a_highlighted_block_in_another_pre():
    html = render_markdown("```python\nx = 1\n```")

    tags = [tag for tag, _ in parse_tags(html)]
    assert tags.count("pre") == 1
    assert "code" not in tags


def test_it_highlights_a_language_given_with_extra_info():
    html = render_markdown("```Python title=example\nx = 1\n```")

    assert '<div class="highlight">' in html
    assert '<span class="n">x</span>' in html


def test_it_shows_an_unknown_language_as_plain_escaped_code():
    html = render_markdown("```nosuchlanguage\n<script>alert(1)</script>\n```")

    assert html.startswith("<pre><code")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "highlight" not in html
    assert_safe(html)


def test_it_shows_a_fence_without_language_as_plain_code():
    html = render_markdown("```\nif a < b:\n    pass\n```")

    assert html == "<pre><code>if a &lt; b:\n    pass\n</code></pre>\n"


def test_it_renders_inline_code_escaped():
    html = render_markdown("use `<div>` here")

    assert "<code>&lt;div&gt;</code>" in html
