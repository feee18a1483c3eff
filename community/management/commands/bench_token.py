"""Prints a fresh API token for a bench member (bench/run.py uses it for the API scenarios)."""

from django.core.management.base import BaseCommand, CommandError

from community import services
from community.models import User


class Command(BaseCommand):
    help = "Creates an API token for bench-<scale>-<member> and prints the raw key (once)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="small")
        parser.add_argument("--member", type=int, default=10, help="n of bench-<scale>-<n>")

    def handle(self, *args, scale, member, **options):
        email = f"bench-{scale}-{member}@bench.localhost"
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No member {email}: run `manage.py seed_bench --scale {scale}`.")
        _token, raw_key = services.create_api_token(user, name="bench run")
        self.stdout.write(raw_key)
