"""Prints fresh API tokens for bench members (bench/run.py makes its own the same way)."""

from django.core.management.base import BaseCommand, CommandError

from bench.accounts import bench_members, issue_tokens


class Command(BaseCommand):
    help = (
        "Creates an API token for bench-<scale>-<member> (and the next members, with --count) "
        "and prints the raw keys once, one per line; their earlier bench tokens are deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="small")
        parser.add_argument("--member", type=int, default=10, help="n of bench-<scale>-<n>")
        parser.add_argument("--count", type=int, default=1)

    def handle(self, *args, scale, member, count, **options):
        try:
            members = bench_members(scale, first=member, count=count)
        except LookupError as error:
            raise CommandError(f"{error} (`manage.py seed_bench --scale {scale}`).") from error
        for key in issue_tokens(members):
            self.stdout.write(key)
