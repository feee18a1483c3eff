"""The words "Did you mean" corrects a search that found nothing towards
(community/search/spelling.py)."""

from django.db import models


class SearchTerm(models.Model):
    """A word of the newest texts every member may read, and how many of them hold it.
    Written anew by a nightly task, never edited."""

    word = models.CharField(max_length=40, unique=True)
    documents = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.word} ({self.documents})"
