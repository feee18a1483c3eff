"""Verifies the denormalized counters and like uniqueness (see bench/checks.py)."""

from django.core.management.base import BaseCommand, CommandError

from bench.checks import run_checks


class Command(BaseCommand):
    help = (
        "Checks that every like_count and comment_count equals a recount from the source "
        "rows, that no member has two likes on one target and that every like has a target."
    )

    def handle(self, *args, **options):
        results = run_checks()
        for result in results:
            self.stdout.write(f"check {result.line()}")
        failed = [r.name for r in results if not r.ok]
        if failed:
            raise CommandError("Integrity check failed: " + ", ".join(failed))
        self.stdout.write("All checks passed.")
