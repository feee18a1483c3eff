"""`manage.py import_community <path.zip>`: load an `export_community` zip into this install,
which must be empty (migrated, no members yet). All or nothing: a refused import changes
nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from community.portability import ImportRefused, import_export


class Command(BaseCommand):
    help = "Load a community export (from export_community) into this empty install."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The zip that export_community wrote")

    def handle(self, *args, path, **options):
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            manifest = import_export(path)
        except ImportRefused as refused:
            raise CommandError(f"Import refused, nothing was changed. {refused}") from refused
        rows = sum(entry["rows"] for entry in manifest["models"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {rows} rows of {len(manifest['models'])} models from {path} "
                f"(exported {manifest.get('created_at', 'at an unknown time')} from "
                f"{manifest.get('site_name', 'an unnamed site')})."
            )
        )
