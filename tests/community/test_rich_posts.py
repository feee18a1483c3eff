"""Mentions, hashtags and video players in post and comment bodies."""

import pytest

from community.richtext import render_markdown
from community.services.common import render_body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lena(db):
    return UserFactory(display_name="Lena Okafor", handle="lena-okafor")


def test_mentions_of_members_become_links_and_are_returned(lena):
    body = render_body("Thanks @Lena-Okafor! cc @nobody-here")
    assert f'<a href="/members/{lena.pk}/" class="mention"' in body.html
    assert "@nobody-here" in body.html and 'href="/members/' in body.html
    assert body.mention_ids == [lena.pk]


def test_emails_code_and_links_are_not_mentions_or_hashtags(lena):
    body = render_body(
        "Mail lena@example.com, run `@lena-okafor #notatag`, see [#x @lena-okafor](https://a.b/)\n\n"
        "```\n#include <stdio.h> @lena-okafor\n```"
    )
    assert body.mention_ids == [] and body.hashtags == []
    assert 'class="mention"' not in body.html


def test_hashtags_are_lower_cased_unique_and_need_a_letter():
    body = render_body("#Django and #django, #2026 is a year, #html5 and #über")
    assert body.hashtags == ["django", "html5", "über"]
    assert '<a href="/hashtags/django/" class="hashtag"' in body.html
    assert "#2026" in body.html and 'href="/hashtags/2026/"' not in body.html


def test_a_video_link_alone_becomes_a_player_built_from_its_id():
    html = render_body("Watch:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nand").html
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    vimeo = render_body("https://vimeo.com/76979871").html
    assert 'src="https://player.vimeo.com/video/76979871"' in vimeo


@pytest.mark.parametrize(
    "text",
    [
        "see https://www.youtube.com/watch?v=dQw4w9WgXcQ inline",  # not alone in its paragraph
        "https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"onload=alert(1)',
        '<iframe src="https://evil.example/"></iframe>',
    ],
)
def test_anything_else_stays_a_link_or_text(text):
    html = render_body(text).html
    assert "<iframe" not in html


def test_bios_get_no_players_or_mention_links(lena):
    html = render_markdown("@lena-okafor\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert "<iframe" not in html and 'class="mention"' not in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html


def test_xss_with_mentions_and_tags_stays_inert(lena):
    html = render_body('@lena-okafor <script>alert(1)</script> #tag" onmouseover="x').html
    assert "<script>" not in html
    # the quote ends nothing: it is text after the closed link, not an attribute
    assert 'class="hashtag" rel="nofollow noopener noreferrer ugc">#tag</a>" onmouseover' in html
