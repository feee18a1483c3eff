"""Markdown to safe HTML: the one renderer for every piece of text members write.

markdown-it-py parses with raw HTML disabled; code fences are highlighted by Pygments; nh3
then cleans the result against an allow-list, so nothing outside it (raw HTML, event
handlers, javascript: URLs) can reach a page even if the parser let it through.
"""

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
    "tr", "th", "td", "img", "span", "div",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_formatter = HtmlFormatter(cssclass="highlight", nowrap=False)


def _highlight(code, lang, _attrs):
    if not lang:
        return ""  # markdown-it escapes and wraps it as plain code
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, _formatter)


def _render_fence(renderer, tokens, idx, options, env):
    # markdown-it would wrap Pygments' <div class="highlight"><pre> in its own <pre><code>,
    # nesting a <pre> in a <pre>; a highlighted block is emitted as Pygments made it.
    info = unescapeAll(tokens[idx].info).strip()
    highlighted = _highlight(tokens[idx].content, info.split(maxsplit=1)[0], "") if info else ""
    return highlighted or renderer.fence(tokens, idx, options, env)


def _table_align(state):
    # markdown-it marks column alignment with style="text-align:…", which the sanitizer
    # drops (no style attributes); use the allowed align attribute instead.
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            token.attrs = {"align": str(token.attrs["style"]).removeprefix("text-align:")}


_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["table", "strikethrough", "linkify"])
)  # fmt: skip
_markdown.add_render_rule("fence", _render_fence)
_markdown.core.ruler.push("table_align", _table_align)


def render_markdown(text):
    """Return sanitized HTML for member-written Markdown."""
    if not text:
        return ""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )
