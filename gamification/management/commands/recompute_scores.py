"""Recomputes members' scores, levels and period points from the ledger."""

import time

from django.core.management.base import BaseCommand, CommandError

from community.models import User
from gamification.services.scores import every_member, recompute_score


class Command(BaseCommand):
    help = (
        "Recomputes every member's score (or one member's) from the points ledger. Safe "
        "while awards continue: each member is recomputed under a lock on their score row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--member", type=int, help="Only this member (their id).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        if options["member"] is not None:
            if not User.objects.filter(pk=options["member"]).exists():
                raise CommandError(f"No member with id {options['member']}.")
            member_ids = [options["member"]]
        else:
            member_ids = every_member()
        bar = ProgressBar(len(member_ids), self.stderr, enabled=not options["no_progress"])
        for member_id in member_ids:
            recompute_score(member_id)
            bar.advance()
        bar.close()
        self.stdout.write(f"Recomputed {len(member_ids):,} score(s) from the ledger.")


class ProgressBar:
    """`scores [#####.....]  50.0%  500/1,000  2.1s`, redrawn on stderr at most 4 times a
    second (the benchmark loader's bar, bench/progress.py, which apps may not import)."""

    WIDTH = 28

    def __init__(self, total, stream, *, enabled=True):
        self.total, self.done, self.enabled = total, 0, enabled
        self.stream = stream  # the command's stderr (an OutputWrapper)
        self.started = self._drawn = time.monotonic()

    def advance(self):
        self.done += 1
        if time.monotonic() - self._drawn >= 0.25:
            self._draw()

    def close(self):
        self._draw(end="\n")

    def _draw(self, end=""):
        self._drawn = time.monotonic()
        if not self.enabled:
            return
        share = self.done / self.total if self.total else 1.0
        filled = int(self.WIDTH * share)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        elapsed = self._drawn - self.started
        self.stream.write(
            f"\rscores [{bar}] {share:6.1%} {self.done:>10,}/{self.total:,} {elapsed:6.1f}s",
            ending=end,
        )
        self.stream.flush()
