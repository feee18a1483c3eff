"""Search on the benchmark's data (issue 19): the words the search scenarios look for.

The dataset's texts draw from some seventy common words (`dataset.WORDS`), so every word is
in a few percent of the posts: a two-word query ("design feedback") matches tens of
thousands of them on large, the typical heavy case. A rare word needs rows of its own: one
post in RARE_EVERY (those whose id ends the same way) ends with "A zeppelin." (1,000 posts
on large), written as the posts are loaded. A scale loaded before search existed gets the
sentence from `seed_bench` (`add_rare_word`: one UPDATE, whose trigger indexes the rows as
any write does): only the posts without it change, so a second run changes none.

Importable before Django is set up (the scenarios read the words).
"""

RARE_WORD = "zeppelin"
RARE_EVERY = 1000
RARE_REMAINDER = 7
RARE_BODY = "\n\nA zeppelin."
RARE_HTML = "<p>A zeppelin.</p>"
TWO_WORDS = "design feedback"  # two of dataset.WORDS
PREFIX = "feedb"  # a word as the member is typing it
MISSPELT = "desing feedbak"  # finds nothing; "Did you mean" offers TWO_WORDS


def mentions_rare_word(post_id):
    return post_id % RARE_EVERY == RARE_REMAINDER


def add_rare_word(scale_name):
    """Ends the scale's posts that should mention the rare word with it, where they do not
    yet (a scale loaded before search). Returns how many posts changed."""
    from django.db import connection

    from community.models import Post, Space

    posts, spaces = Post._meta.db_table, Space._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {posts} AS p SET body = p.body || %s, body_html = p.body_html || %s "  # noqa: S608 - our table names
            f"FROM {spaces} AS s WHERE s.id = p.space_id AND s.slug LIKE %s "
            "AND p.id %% %s = %s AND right(p.body, %s) <> %s",
            [RARE_BODY, RARE_HTML, f"bench-{scale_name}-%", RARE_EVERY, RARE_REMAINDER,
             len(RARE_BODY), RARE_BODY],
        )  # fmt: skip
        return cursor.rowcount


def write_vocabulary():
    """The words "Did you mean" corrects towards, read from the scale's newest texts as the
    nightly task does (no beat runs beside the bench); only while there are none, so a
    second run changes nothing. Returns how many words it wrote."""
    from community.models import SearchTerm
    from community.search.spelling import refresh_vocabulary

    return 0 if SearchTerm.objects.exists() else refresh_vocabulary()
