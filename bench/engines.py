"""Django templates against Jinja2 on the hot templates: the post card (with its avatar and
like button), the comment card (with its forms) and the sidebar; beside them the page shell
(base.html, Django only) and the cached card's hit path. The measurement behind
docs/rendering.md; the app itself renders Django templates only.

    .venv/bin/python -m bench.engines [--rounds 7] [--seconds 0.1] [--output bench/results]

The Jinja2 templates in bench/jinja2/ are ports of the Django ones, rendered through Django's
own Jinja2 backend in two variants: `url()` calling reverse() per call, and `url()` joining
pieces of a path reversed once per URL name (the "prefix" variant). Before any timing the
script asserts that every port gives the same HTML as the Django template (whitespace and
the spelling of escaped quotes normalised) for each object, audience and variant.

The objects are unsaved model instances with the attributes the templates read (what the
selectors annotate included), so no database is needed. Timing: time.process_time() around
a batch of renders, µs per render; every case runs once per round, the cases interleaved,
and the median of the rounds is reported.
"""

import argparse
import contextlib
import datetime as dt
import functools
import os
import re
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
_SENTINEL = "9753186420"  # a path argument that both the int and the slug converters match


# --- Jinja2: what an app on Django's Jinja2 backend would configure -----------------------


def _reverse_url(name, *args):
    from django.urls.base import reverse  # not django.urls.reverse: dtl_urls_from_prefix

    return reverse(name, args=args)


@functools.cache
def _url_pieces(name, arg_count):
    """The path of `name` split around its arguments: reverse() once per URL name."""
    from django.urls.base import reverse  # not django.urls.reverse: dtl_urls_from_prefix

    sentinels = [f"{_SENTINEL}{i}" for i in range(arg_count)]
    rest = reverse(name, args=sentinels)
    pieces = []
    for sentinel in sentinels:
        before, rest = rest.split(sentinel, 1)
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def _prefix_url(name, *args):
    """reverse() without the resolver on every call. Arguments are ids and ASCII slugs here,
    which need no quoting; a general helper would quote them as reverse() does."""
    pieces = _url_pieces(name, len(args))
    if len(args) == 1:
        return f"{pieces[0]}{args[0]}{pieces[1]}"
    path = pieces[0]
    for arg, piece in zip(args, pieces[1:], strict=True):
        path = f"{path}{arg}{piece}"
    return path


@contextlib.contextmanager
def dtl_urls_from_prefix():
    """{% url %} (which calls django.urls.reverse) served by _prefix_url while inside: the
    Django templates unchanged, with the URL cost of the prefix variant. Measurement only."""
    import django.urls

    def prefix_reverse(viewname, urlconf=None, args=None, kwargs=None, current_app=None):
        assert not kwargs and urlconf is None
        return _prefix_url(viewname, *(args or ()))

    original, django.urls.reverse = django.urls.reverse, prefix_reverse
    try:
        yield
    finally:
        django.urls.reverse = original


def _section(name, content=None, caller=None):
    """community.cards.section: `{% call section("edit") %}…{% endcall %}` or
    `{{ section("liked", "Liked") }}`."""
    from markupsafe import Markup

    from community.cards import section

    return Markup(section(name, caller() if caller is not None else content))  # noqa: S704


def _slot(name):
    from markupsafe import Markup

    from community.cards import slot

    return Markup(slot(name))  # noqa: S704 - a marker, filled with escaped values


def _date(value, arg=None):
    """Django's |date filter, with the conversion to local time that DTL does first."""
    from django.template.defaultfilters import date
    from django.utils.timezone import template_localtime

    return date(template_localtime(value), arg)


def _environment(url, **options):
    from jinja2 import Environment

    env = Environment(**options)  # noqa: S701 - Django's backend sets autoescape=True
    env.globals.update(url=url, section=_section, slot=_slot)
    env.filters["date"] = _date
    return env


def reverse_environment(**options):
    return _environment(_reverse_url, **options)


def prefix_environment(**options):
    return _environment(_prefix_url, **options)


def jinja_engine(environment):
    from django.template.backends.jinja2 import Jinja2

    return Jinja2(
        {
            "NAME": f"bench-{environment}",
            "DIRS": [BENCH_DIR / "jinja2"],
            "APP_DIRS": False,
            "OPTIONS": {"environment": f"bench.engines.{environment}"},
        }
    )


# --- The objects the templates show ---------------------------------------------------------

_BODY = """Our **Saturday meet-up** moves to the library's big room: it's bigger, and the
coffee machine works. Bring the "week 3" exercises if you have them.

- 10:00 short talks (sign up [on the wiki](https://example.org/wiki/meetup))
- 11:30 pairing on the course project
- 13:00 lunch nearby

```python
def greet(name):
    return f"Hello, {name}!"
```

Questions? Ask below, or write to the organisers.
"""


def build_objects():
    """Unsaved model instances: members with and without avatars and roles, posts in each
    state the card shows (pinned, hidden, edited, untitled, clamped), comments (a reply, an
    edited and hidden one as moderators see it, a deleted one) and 12 sidebar spaces
    (locked, unread, the current one)."""
    from django.utils.text import slugify

    from community.card_kinds import CLAMPED_BODY_LENGTH
    from community.models import Comment, Post, Space, User
    from community.richtext import render_markdown

    t0 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    ada = User(pk=11, email="ada@example.org", display_name="Ada O'Neill", role="member")
    ben = User(pk=12, email="ben@example.org", display_name="Ben Okafor", role="moderator")
    ben.avatar.name = "avatars/ben.png"
    cy = User(pk=13, email="cy@example.org", display_name="Cy", role="admin")
    cy.avatar.name = "avatars/cy.webp"

    spaces = []
    for i, (name, icon) in enumerate(
        [
            ("General", "💬"),
            ("Announcements", "📣"),
            ("Introductions", "👋"),
            ("Course: Python basics", "🐍"),
            ("Course: Web apps", ""),
            ("Events & meet-ups", "📅"),
            ("Show and tell", "✨"),
            ("Help desk", "🛟"),
            ("Jobs", "💼"),
            ("Members' lounge", "🛋️"),
            ("Paid: mentoring", "🎓"),
            ("Paid: office hours", ""),
        ]
    ):
        space = Space(pk=100 + i, name=name, slug=slugify(name), icon=icon)
        space.is_locked = i >= 10
        space.has_unread = i in (0, 3, 6)
        spaces.append(space)

    long_body = _BODY * 4
    posts = []
    for i, (author, space, title, body, extra) in enumerate(
        [
            (ada, spaces[0], "Saturday meet-up: new room", _BODY, {}),
            (ben, spaces[1], "", _BODY, {"pinned_at": t0, "edited_at": t0 + dt.timedelta(1)}),
            (cy, spaces[4], 'A long one <with> "quotes"', long_body, {"hidden_at": t0}),
            (ada, spaces[6], "Show & tell", "Short and *sweet*.", {}),
        ]
    ):
        post = Post(
            pk=5000 + i,
            space=space,
            author=author,
            title=title,
            body=body,
            body_html=render_markdown(body),
            like_count=(0, 1, 17, 2)[i],
            comment_count=(0, 1, 42, 3)[i],
            created_at=t0 - dt.timedelta(hours=5 * i),
            **extra,
        )
        post.liked = i % 2 == 0
        posts.append(post)
    assert len(posts[2].body) > CLAMPED_BODY_LENGTH

    comments = []
    for i, (author, body, extra) in enumerate(
        [
            (ben, "Great, see you there! Isn't the room on floor 2?", {}),
            (ada, 'Yes: the "big" room, floor 2 <next to the lifts>.', {"parent_id": 7000}),
            (
                cy,
                "Edited: I'll bring the projector.",
                {"edited_at": t0 + dt.timedelta(2), "hidden_at": t0 + dt.timedelta(3)},
            ),
            (ben, "(deleted)", {"deleted_at": t0}),
        ]
    ):
        comment = Comment(
            pk=7000 + i,
            post=posts[0],
            author=author,
            body=body,
            body_html=render_markdown(body),
            like_count=(3, 1, 0, 0)[i],
            created_at=t0 + dt.timedelta(minutes=7 * i),
            **extra,
        )
        comment.liked = i == 0
        comment.withheld = comment.deleted_at is not None
        comment.can_reply = comment.parent_id is None
        comment.can_edit = comment.can_delete = author is ada
        comments.append(comment)
    return posts, comments, spaces


# --- Rendering ------------------------------------------------------------------------------


def _csrf_input():
    from markupsafe import Markup

    from community.cards import slot

    # What {% csrf_token %} writes in a card, whose csrf_token is the slot.
    return Markup(f'<input type="hidden" name="csrfmiddlewaretoken" value="{slot("csrf")}">')  # noqa: S704


def jinja_card(engine, kind, obj, variant, audience, csrf_input):
    """kind.render_uncached with a Jinja2 engine: the same context, csrf_input for the slot."""
    context = {kind.name: obj, "variant": variant, "signed_in": audience == "member",
               "csrf_input": csrf_input, **kind.context(obj)}  # fmt: skip
    return engine.get_template(kind.template).render(context)


def sidebar_context(spaces, request):
    return {"sidebar_spaces": spaces, "can_administer": False, "request": request}


_ESCAPED_QUOTES = {"&#34;": "&quot;", "&#39;": "&#x27;"}  # markupsafe's spelling -> Django's


def normalise(html):
    html = re.sub(r"&#3[49];", lambda m: _ESCAPED_QUOTES[m.group()], html)
    html = re.sub(r">\s+<", "><", html)
    return re.sub(r"\s+", " ", html).strip()


def assert_same_html(name, django_html, jinja_html):
    expected, got = normalise(django_html), normalise(jinja_html)
    if expected != got:
        pairs = zip(expected + "\0", got + "\0", strict=False)
        at = next(i for i, (a, b) in enumerate(pairs) if a != b)
        raise AssertionError(
            f"{name}: the Jinja2 port differs from the Django template at {at}:\n"
            f"  django: …{expected[max(0, at - 80) : at + 80]}…\n"
            f"  jinja2: …{got[max(0, at - 80) : at + 80]}…"
        )


# --- Timing ---------------------------------------------------------------------------------


def _batch_seconds(work, iterations):
    start = time.process_time()
    for _ in range(iterations):
        work()
    return time.process_time() - start


def measure(cases, *, rounds, seconds):
    """cases: {label: (work, renders_per_call)}. µs per render, median of `rounds` rounds;
    each round runs every case in turn for about `seconds` of CPU."""
    iterations = {}
    for label, (work, _renders) in cases.items():
        work()  # warm-up: templates compiled, URL pieces and resolver populated
        once = max(_batch_seconds(work, 5) / 5, 1e-7)
        iterations[label] = max(1, round(seconds / once))
    samples = {label: [] for label in cases}
    for _ in range(rounds):
        for label, (work, renders) in cases.items():
            elapsed = _batch_seconds(work, iterations[label])
            samples[label].append(elapsed / (iterations[label] * renders) * 1e6)
    return {label: statistics.median(values) for label, values in samples.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.1, help="CPU per case per round")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"  # production's template engine: no debug annotations
    import django

    django.setup()
    from django.template import engines as engines_by_name
    from django.template.loader import get_template
    from django.test import RequestFactory
    from django.utils import timezone

    from community import cards
    from community.card_kinds import COMMENT, POST

    posts, comments, spaces = build_objects()
    engines = {
        "reverse()": jinja_engine("reverse_environment"),
        "prefix": jinja_engine("prefix_environment"),
    }
    csrf_input = _csrf_input()
    request = RequestFactory().get(f"/spaces/{spaces[3].slug}/")
    sidebar = get_template("community/_sidebar.html")

    # Same HTML first, for every object, audience and variant, in both URL variants.
    checked = 0
    for engine_name, engine in engines.items():
        for kind, objects in ((POST, posts), (COMMENT, comments)):
            for obj in objects:
                for audience in ("member", "visitor"):
                    for variant in ("", "page"):
                        assert_same_html(
                            f"{kind.name} {obj.pk} {audience} {variant!r} ({engine_name})",
                            kind.render_uncached(obj, variant, audience),
                            jinja_card(engine, kind, obj, variant, audience, csrf_input),
                        )
                        checked += 1
        for can_administer in (False, True):
            context = {**sidebar_context(spaces, request), "can_administer": can_administer}
            assert_same_html(
                f"sidebar ({engine_name})",
                sidebar.render(dict(context)),
                engine.get_template("community/_sidebar.html").render(dict(context)),
            )
            checked += 1
    with dtl_urls_from_prefix():
        for kind, objects in ((POST, posts), (COMMENT, comments)):
            for obj in objects:
                for audience in ("member", "visitor"):
                    assert_same_html(
                        f"{kind.name} {obj.pk} {audience} (DTL, URLs from prefix)",
                        kind.render_uncached(obj, "", audience),
                        jinja_card(engines["prefix"], kind, obj, "", audience, csrf_input),
                    )
                    checked += 1
    print(f"Same HTML from every engine and URL variant in {checked} renders.")

    def dtl_cards(kind, objects):
        return lambda: [kind.render_uncached(obj, "", "member") for obj in objects]

    def dtl_prefix(work):
        def run():
            with dtl_urls_from_prefix():
                return work()

        return run

    def jinja_cards(engine, kind, objects):
        return lambda: [jinja_card(engine, kind, obj, "", "member", csrf_input) for obj in objects]

    # The "fast Django template" alternative for the sidebar: the same template with each
    # space's URL and "is current" computed in Python (as request_spaces() could) instead of
    # {% url %} and two comparisons per item. Derived from the real template's source, so
    # the equality check below keeps it honest.
    source = sidebar.template.source
    fast_source = (
        source.replace("{% url 'community:space' space.slug as space_url %}", "")
        .replace("request.path == space_url", "space.is_current")
        .replace("space_url", "space.url")
    )
    assert "{% url 'community:space'" not in fast_source and "space.is_current" in fast_source
    fast_sidebar = engines_by_name["django"].from_string(fast_source)

    def dtl_fast_sidebar():
        path = request.path
        for space in spaces:
            space.url = _prefix_url("community:space", space.slug)
            space.is_current = space.url == path
        return fast_sidebar.render(sidebar_context(spaces, request))

    assert_same_html(
        "sidebar (DTL, precomputed)",
        dtl_fast_sidebar(),
        sidebar.render(sidebar_context(spaces, request)),
    )

    def dtl_sidebar():
        return sidebar.render(sidebar_context(spaces, request))

    # The page shell around every page: base.html with its context processors and the
    # sidebar, for a signed-in member (no content block, no messages).
    shell = get_template("base.html")
    shell_request = RequestFactory().get(f"/spaces/{spaces[3].slug}/")
    shell_request.user = posts[0].author
    shell_request._agora_spaces = spaces  # what request_spaces() keeps: no query

    def dtl_shell():
        return shell.render({}, shell_request)

    def jinja_sidebar(engine):
        return lambda: engine.get_template("community/_sidebar.html").render(
            sidebar_context(spaces, request)
        )

    # The hit path: the cached post card filled for one viewer (a member, not the author).
    cached = [POST.render_uncached(post, "", "member") for post in posts]
    shared = {"csrf": "x" * 64, "next": "/", "login_next": "/"}
    states = [
        {**shared, "liked": post.liked, "menu": False, "edit": False, "moderate": False,
         "report": True}
        for post in posts
    ]  # fmt: skip

    def fills():
        return [cards.fill(html, state) for html, state in zip(cached, states, strict=True)]

    def keys_and_fills():
        # As community.cards.render_cards: what the key digests, once per list; then per card.
        rendered_for = (POST.revision, "", timezone.get_current_timezone_name(), "member")
        return [
            (POST.key(post, rendered_for), cards.fill(html, state))
            for post, html, state in zip(posts, cached, states, strict=True)
        ]

    rows = [  # (group, label, case, baseline case)
        ("post card (miss)", "DTL, render_uncached", "post/dtl", "post/dtl"),
        ("post card (miss)", "DTL, {% url %} from prefix", "post/dtl-pre", "post/dtl"),
        ("post card (miss)", "Jinja2, url() = reverse()", "post/j-rev", "post/dtl"),
        ("post card (miss)", "Jinja2, url() from prefix", "post/j-pre", "post/dtl"),
        ("comment card (miss)", "DTL, render_uncached", "comment/dtl", "comment/dtl"),
        ("comment card (miss)", "DTL, {% url %} from prefix", "comment/dtl-pre", "comment/dtl"),
        ("comment card (miss)", "Jinja2, url() = reverse()", "comment/j-rev", "comment/dtl"),
        ("comment card (miss)", "Jinja2, url() from prefix", "comment/j-pre", "comment/dtl"),
        ("sidebar, 12 spaces", "DTL", "sidebar/dtl", "sidebar/dtl"),
        ("sidebar, 12 spaces", "DTL, {% url %} from prefix", "sidebar/dtl-pre", "sidebar/dtl"),
        (
            "sidebar, 12 spaces",
            "DTL, URL and current precomputed",
            "sidebar/dtl-fast",
            "sidebar/dtl",
        ),
        ("sidebar, 12 spaces", "Jinja2, url() = reverse()", "sidebar/j-rev", "sidebar/dtl"),
        ("sidebar, 12 spaces", "Jinja2, url() from prefix", "sidebar/j-pre", "sidebar/dtl"),
        ("page shell + sidebar", "DTL, base.html", "shell/dtl", "shell/dtl"),
        ("page shell + sidebar", "DTL, {% url %} from prefix", "shell/dtl-pre", "shell/dtl"),
        ("post card (hit)", "cards.fill for one viewer", "hit/fill", "post/dtl"),
        ("post card (hit)", "CardKind.key + cards.fill", "hit/key+fill", "post/dtl"),
    ]
    cases = {
        "post/dtl": (dtl_cards(POST, posts), len(posts)),
        "post/dtl-pre": (dtl_prefix(dtl_cards(POST, posts)), len(posts)),
        "post/j-rev": (jinja_cards(engines["reverse()"], POST, posts), len(posts)),
        "post/j-pre": (jinja_cards(engines["prefix"], POST, posts), len(posts)),
        "comment/dtl": (dtl_cards(COMMENT, comments), len(comments)),
        "comment/dtl-pre": (dtl_prefix(dtl_cards(COMMENT, comments)), len(comments)),
        "comment/j-rev": (jinja_cards(engines["reverse()"], COMMENT, comments), len(comments)),
        "comment/j-pre": (jinja_cards(engines["prefix"], COMMENT, comments), len(comments)),
        "sidebar/dtl": (dtl_sidebar, 1),
        "sidebar/dtl-pre": (dtl_prefix(dtl_sidebar), 1),
        "sidebar/dtl-fast": (dtl_fast_sidebar, 1),
        "sidebar/j-rev": (jinja_sidebar(engines["reverse()"]), 1),
        "sidebar/j-pre": (jinja_sidebar(engines["prefix"]), 1),
        "shell/dtl": (dtl_shell, 1),
        "shell/dtl-pre": (dtl_prefix(dtl_shell), 1),
        "hit/fill": (fills, len(posts)),
        "hit/key+fill": (keys_and_fills, len(posts)),
    }
    load = os.getloadavg()[0]
    started = time.perf_counter()
    results = measure(cases, rounds=args.rounds, seconds=args.seconds)

    import django as django_module
    import jinja2

    today = dt.date.today().isoformat()
    lines = [
        f"# Template engines: Django templates vs Jinja2 ({today})",
        "",
        f"`python -m bench.engines` (Django {django_module.__version__}, Jinja2 "
        f"{jinja2.__version__}, Python {sys.version.split()[0]}, DEBUG off): CPU per render "
        f"(`time.process_time`), median of {args.rounds} interleaved rounds of about "
        f"{args.seconds:g} s each; {len(posts)} posts, {len(comments)} comments and "
        f'{len(spaces)} spaces, in memory. Cards as a member in a list (variant ""); the ratio '
        "is to the DTL render of the same template. The Jinja2 ports gave the same HTML in "
        f"{checked} renders before timing. Load average when the timing began: "
        f"{load:.1f} on {os.cpu_count()} CPUs.",
        "",
        "| template | engine | µs per render | ratio |",
        "|---|---|---:|---:|",
    ]
    for group, label, case, baseline in rows:
        ratio = results[case] / results[baseline]
        lines.append(f"| {group} | {label} | {results[case]:.1f} | {ratio:.2f}× |")  # noqa: RUF001
    lines += [
        "",
        "Hit path ratios are to the DTL miss of the post card: what a cached card saves.",
        f"Measured in {time.perf_counter() - started:.0f} s.",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"{today}-engines.md"
    path.write_text(report)
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
