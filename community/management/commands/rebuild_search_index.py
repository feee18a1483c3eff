"""`manage.py rebuild_search_index`: builds every registered kind's search index again, in
the language SEARCH_LANGUAGE names (community/search/indexes.py). Run it after changing that
setting; searches keep using the old language until it is done."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community.search import indexes, registered_sources


class Command(BaseCommand):
    help = "Build the search index again, in the language of SEARCH_LANGUAGE."

    def handle(self, *args, **options):
        sources = registered_sources()
        try:
            indexes.rebuild(sources, settings.SEARCH_LANGUAGE)
        except ValueError as refused:
            raise CommandError(str(refused)) from refused
        kinds = ", ".join(source.kind for source in sources)
        self.stdout.write(f"Search index rebuilt in “{settings.SEARCH_LANGUAGE}”: {kinds}.")
