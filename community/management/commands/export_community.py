"""`manage.py export_community <path.zip>`: the whole community (every app's rows and every
stored file) in one zip, for `import_community` on another install."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from community.portability import write_export


class Command(BaseCommand):
    help = "Write the whole community (rows and files) to a zip that import_community loads."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the zip, e.g. community.zip")
        parser.add_argument(
            "--force", action="store_true", help="Replace the file if it already exists."
        )

    def handle(self, *args, path, force=False, **options):
        target = Path(path)
        if target.suffix.lower() != ".zip":
            raise CommandError(f"{path}: name the export file with .zip at the end.")
        if target.exists() and not force:
            raise CommandError(f"{path} already exists: choose another name, or use --force.")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a folder.")
        partial = target.with_name(f".{target.name}.partial")
        try:
            manifest = write_export(partial)
            partial.replace(target)  # a failed export leaves no half-written zip behind
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        rows = sum(entry["rows"] for entry in manifest["models"])
        files = sum(entry["files"] for entry in manifest["media"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {rows} rows of {len(manifest['models'])} models and {files} files "
                f"to {target}."
            )
        )
