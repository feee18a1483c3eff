"""`manage.py refresh_search_terms`: the words search's "Did you mean" suggests, read anew
now from the newest texts every member may read, as the nightly task does (after an import,
or to try it on a new install)."""

from django.core.management.base import BaseCommand

from community.search.spelling import refresh_vocabulary


class Command(BaseCommand):
    help = "Read the words search suggests for a misspelt query anew from the newest texts."

    def handle(self, *args, **options):
        self.stdout.write(f"{refresh_vocabulary()} words known to search's spelling.")
