"""`manage.py rollup_analytics [--days N]`: the analytics' daily rollups written now, as the
nightly task does, or counted again over the last N closed days (after data was removed or
loaded with past dates)."""

from django.core.management.base import BaseCommand, CommandError

from community.analytics import MAX_DAYS
from community.services.analytics import roll_up_analytics


class Command(BaseCommand):
    help = (
        "Store the rolled-up analytics series' figures of the closed days: those missing and "
        "the last two (the nightly task's run), or with --days N every one of the last N."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help=f"Count the last N closed days again (1 to {MAX_DAYS})."
        )

    def handle(self, *args, days=None, **options):
        if days is None:
            written = roll_up_analytics()
        elif 1 <= days <= MAX_DAYS:
            written = roll_up_analytics(days=days, recount=days)
        else:
            raise CommandError(f"--days is a number of days from 1 to {MAX_DAYS}.")
        for key, count in written.items():
            self.stdout.write(f"{key}: {count} days written")
