"""Search's "Did you mean" (community/search/spelling.py): the vocabulary the nightly task
reads, the corrections offered when nothing was found, and where members see them (the
results page, the palette, the API). Both engines: the vocabulary and its lookup are plain
rows and one indexed query."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community import search, tasks
from community.models import Post, SearchTerm
from community.search.query import with_words_replaced
from community.search.spelling import refresh_vocabulary
from tests.factories import CommentFactory, PaidSpaceFactory, PostFactory
from tests.helpers import api_as

pytestmark = pytest.mark.django_db

SEARCH = reverse("community:search")
SUGGESTIONS = reverse("community:search_suggestions")
API = reverse("api-search")


@pytest.fixture
def vocabulary(space):
    """'design' in three texts, 'feedback' and 'deign' in two; refreshed."""
    PostFactory(space=space, title="Design review", body="Feedback welcome")
    post = PostFactory(space=space, body="More design feedback, please")
    other = PostFactory(space=space, body="design again")
    CommentFactory(post=post, body="The deign of it")
    CommentFactory(post=other, body="deign twice")
    refresh_vocabulary()


def known():
    return dict(SearchTerm.objects.values_list("word", "documents"))


def test_the_vocabulary_holds_words_of_at_least_two_texts_every_member_may_read(space):
    PostFactory(space=space, title="Design review", body="design feedback 2026 ok")
    post = PostFactory(space=space, body="Design FEEDBACK")
    CommentFactory(post=post, body="feedback on the design")
    # Never read: what only some members see, or nobody.
    paid = PaidSpaceFactory(name="Design paid")
    PostFactory(space=paid, body="zucchini zucchini")
    PostFactory(space=paid, body="zucchini")
    PostFactory(space=space, body="walrus", hidden_at=timezone.now())
    CommentFactory(post=post, body="walrus", deleted_at=timezone.now())
    PostFactory(space=space, body="walrus", deleted_at=timezone.now())
    assert refresh_vocabulary() == len(known())
    words = known()
    assert words["design"] == 3 and words["feedback"] == 3  # a text counts a word once
    assert "review" not in words  # in one text only
    assert {"zucchini", "walrus", "2026", "ok"}.isdisjoint(words)  # hidden, short, digits
    # Written anew each time: what is gone from the texts leaves the vocabulary.
    post.delete()
    refresh_vocabulary()
    assert "feedback" not in known()


def test_the_nightly_task_and_the_command_refresh_it(space, vocabulary):
    SearchTerm.objects.all().delete()
    assert tasks.refresh_search_terms() == len(known()) > 0
    SearchTerm.objects.all().delete()
    out = io.StringIO()
    call_command("refresh_search_terms", stdout=out)
    assert "words known to search's spelling" in out.getvalue()
    assert "design" in known()


def test_misspelt_words_are_corrected_and_the_rest_kept_as_typed(member, vocabulary):
    assert search.suggestion(member, "desing feedbak") == "design feedback"
    assert search.suggestion(member, "Desgin") == "design"
    assert search.suggestion(member, '"design feedbak"') == '"design feedback"'
    # Filters and known words stay as typed; only the misspelt words change.
    rewritten = with_words_replaced(
        'from:@desing "feedbak now" in:desing #desing Desing', {"desing": "design", "feedbak": "x"}
    )
    assert rewritten == 'from:@desing "x now" in:desing #desing design'


def test_the_most_written_word_wins(member, space, vocabulary):
    # "dezign" is one slip from "design" (three texts) and from "deign" (two).
    assert search.suggestion(member, "dezign") == "design"


def test_a_correction_is_offered_only_if_it_finds_something_for_the_searcher(
    member, moderator, space, vocabulary
):
    # Hidden since the vocabulary was read: the word is known, but members find nothing.
    for post in Post.objects.filter(body__icontains="feedback"):
        post.hidden_at = timezone.now()
        post.save(update_fields=["hidden_at"])
    assert search.suggestion(member, "feedbak") is None
    assert search.suggestion(moderator, "feedbak") == "feedback"  # moderators see hidden
    # The filters of the search are those of the correction.
    assert search.suggestion(member, "desing") == "design"
    assert search.suggestion(member, "desing", kinds=["comments"]) is None


def test_nothing_is_suggested_when_nothing_could_be_corrected(member, anonymous, vocabulary):
    assert search.suggestion(member, "design feedback") is None  # all known
    assert search.suggestion(member, "xylophone") is None  # nothing one slip away
    assert search.suggestion(member, "&& !!") is None  # no words
    assert search.suggestion(member, "feedb") is None  # a word being typed, known's start
    assert search.suggestion(anonymous, "desing") is None  # members only


def test_the_results_page_the_palette_and_the_api_offer_it(client, member, vocabulary):
    client.force_login(member)
    html = client.get(SEARCH, {"q": "desing"}).content.decode()
    assert "No results for “desing”" in html
    assert 'Did you mean <a href="/search/?q=design">“design”</a>?' in html
    html = client.get(SUGGESTIONS, {"q": "desing"}).content.decode()
    assert 'id="palette-suggestion" href="/search/?q=design"' in html
    api = api_as(member)
    assert api.get(API, {"q": "desing"}).json()["suggestion"] == "design"
    assert api.get(API, {"q": "design"}).json()["suggestion"] is None  # found
    # Nothing found and nothing to correct: the page's general tips only.
    html = client.get(SEARCH, {"q": "xylophone"}).content.decode()
    assert "Did you mean" not in html and "Check the spelling" in html
