"""Markdown to safe HTML: the one renderer for every piece of text members write.

markdown-it-py parses with raw HTML disabled; code fences are highlighted by Pygments; nh3
then cleans the result against an allow-list, so nothing outside it (raw HTML, event
handlers, javascript: URLs) can reach a page even if the parser let it through.

Posts and comments also get @mentions and #hashtags turned into links (never inside code or
links) and a YouTube or Vimeo link alone in its paragraph turned into a player whose URL we
build from the video id; any other link stays a link.
"""

import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
    "tr", "th", "td", "img", "span", "div", "iframe",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},  # class: "mention" or "hashtag", set by us only
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "div": {"class"},
    "iframe": {"src", "title", "allow", "allowfullscreen", "loading"},
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


MENTION_RE = re.compile(r"(?<![\w@./-])@([a-z0-9][a-z0-9-]{0,39})", re.IGNORECASE)
HASHTAG_RE = re.compile(r"(?<![\w&#/])#(\w*[^\W\d_]\w*)")
HASHTAG_MAX = 50
EMBEDS = [
    (re.compile(r"^https?://(?:www\.|m\.)?youtube\.com/watch\?v=([A-Za-z0-9_-]{11})(?:&\S*)?$"),
     "https://www.youtube-nocookie.com/embed/{}"),
    (re.compile(r"^https?://youtu\.be/([A-Za-z0-9_-]{11})(?:\?\S*)?$"),
     "https://www.youtube-nocookie.com/embed/{}"),
    (re.compile(r"^https?://(?:www\.)?vimeo\.com/(\d{1,12})/?$"),
     "https://player.vimeo.com/video/{}"),
]  # fmt: skip
EMBED_PREFIXES = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")


@dataclass
class _Found:
    """What the parse met: filled in by the core rule through markdown-it's env."""

    handles: list = field(default_factory=list)
    hashtags: list = field(default_factory=list)


def _link_tokens(href, label, css_class):
    link_open = Token("link_open", "a", 1, attrs={"href": href, "class": css_class})
    text = Token("text", "", 0, content=label)
    return [link_open, text, Token("link_close", "a", -1)]


def _split_text(token, env):
    """Text -> text and link tokens for the mentions and hashtags it holds."""
    found, link_member, link_tag = env["found"], env["link_member"], env["link_tag"]
    pieces, last = [], 0
    matches = sorted([*MENTION_RE.finditer(token.content), *HASHTAG_RE.finditer(token.content)],
                     key=lambda m: m.start())  # fmt: skip
    for match in matches:
        if match.start() < last:
            continue
        word = match.group(1).lower()
        is_mention = match.group(0)[0] == "@"
        if is_mention:
            if word not in found.handles:
                found.handles.append(word)
            href = link_member(word) if link_member else None
        else:
            if len(word) > HASHTAG_MAX:
                continue
            if word not in found.hashtags:
                found.hashtags.append(word)
            href = link_tag(word) if link_tag else None
        if href is None:
            continue
        pieces.append(Token("text", "", 0, content=token.content[last : match.start()]))
        pieces.extend(_link_tokens(href, match.group(0), "mention" if is_mention else "hashtag"))
        last = match.end()
    if not pieces:
        return [token]
    pieces.append(Token("text", "", 0, content=token.content[last:]))
    return pieces


def _mentions_and_hashtags(state):
    if "found" not in state.env:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, depth = [], 0
        for child in block.children:
            depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "text" and depth == 0:
                children.extend(_split_text(child, state.env))
            else:
                children.append(child)
        block.children = children


def embed_url(href):
    """The player URL (youtube-nocookie or Vimeo) for an allow-listed video link, else None."""
    for pattern, template in EMBEDS:
        match = pattern.match(href)
        if match:
            return template.format(match.group(1))
    return None


def _embeds(state):
    if not state.env.get("embeds"):
        return
    tokens, result, i = state.tokens, [], 0
    while i < len(tokens):
        window = tokens[i : i + 3]
        children = window[1].children if len(window) == 3 and window[1].type == "inline" else []
        if (
            window[0].type == "paragraph_open"
            and len(children) == 3
            and [c.type for c in children] == ["link_open", "text", "link_close"]
            and (src := embed_url(children[0].attrGet("href") or ""))
        ):
            embed = Token("html_block", "", 0, block=True)
            embed.content = (
                f'<div class="embed"><iframe src="{src}" title="Video" loading="lazy" '
                'allow="encrypted-media; picture-in-picture; fullscreen" allowfullscreen>'
                "</iframe></div>\n"
            )
            result.append(embed)
            i += 3
            continue
        result.append(tokens[i])
        i += 1
    state.tokens = result


def _only_player_frames(element, attribute, value):
    if element == "iframe" and attribute == "src" and not value.startswith(EMBED_PREFIXES):
        return None
    return value


_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["table", "strikethrough", "linkify"])
)  # fmt: skip
_markdown.add_render_rule("fence", _render_fence)
_markdown.core.ruler.push("table_align", _table_align)
_markdown.core.ruler.push("mentions_and_hashtags", _mentions_and_hashtags)
_markdown.core.ruler.push("embeds", _embeds)


def _clean(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
        attribute_filter=_only_player_frames,
    )


def render_markdown(text):
    """Return sanitized HTML for member-written Markdown (bios: no mentions, no players)."""
    if not text:
        return ""
    return _clean(_markdown.render(text))


def find_mentions_and_hashtags(text):
    """The @handles and #hashtags in `text` (lower case, first-seen order), code excluded."""
    env = {"found": _Found(), "link_member": None, "link_tag": None}
    _markdown.parse(text or "", env)
    return env["found"].handles, env["found"].hashtags


def render_rich_text(text, *, link_member, link_tag):
    """Sanitized HTML with mentions, hashtags and players. `link_member(handle)` returns the
    member's URL, or None to leave the text as written; `link_tag(name)` the hashtag's URL."""
    env = {"found": _Found(), "link_member": link_member, "link_tag": link_tag, "embeds": True}
    return _clean(_markdown.render(text or "", env))
