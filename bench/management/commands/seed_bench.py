"""Loads the benchmark dataset of one scale into PostgreSQL (see bench/README.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from bench.checks import run_checks
from bench.dataset import BENCH_PASSWORD, NotPostgres, seed
from bench.scales import SCALES


class Command(BaseCommand):
    help = (
        "Loads the benchmark dataset (members, spaces, posts, comments, likes, follows) of "
        "one scale with COPY, PostgreSQL only. Idempotent: a scale already loaded is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument("--no-check", action="store_true", help="Skip the recount check.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        try:
            report = seed(
                options["scale"],
                seed=options["seed"],
                show_progress=not options["no_progress"],
                log=self.stdout.write,
            )
        except NotPostgres as exc:
            raise CommandError(str(exc)) from exc
        failed = []
        if not options["no_check"]:
            results = run_checks()
            report["checks"] = {r.name: {"bad": r.bad, "checked": r.checked} for r in results}
            failed = [r for r in results if not r.ok]
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self._print(report)
        if failed:
            raise CommandError("The dataset failed its check: " + ", ".join(r.name for r in failed))

    def _print(self, report):
        if not report["skipped"]:
            rows = ", ".join(f"{n:,} {kind}" for kind, n in report["rows"].items())
            self.stdout.write(f"Loaded scale {report['scale']!r}: {rows}.")
            steps = ", ".join(f"{kind} {s}s" for kind, s in report["seconds"].items())
            self.stdout.write(f"Time: {steps}.")
            self.stdout.write(
                f"Members sign in as bench-{report['scale']}-<n>@bench.localhost, "
                f"password {BENCH_PASSWORD!r}."
            )
        for name, result in report.get("checks", {}).items():
            status = "ok  " if not result["bad"] else "FAIL"
            self.stdout.write(
                f"check {status} {name}: {result['bad']:,} bad of {result['checked']:,}"
            )
