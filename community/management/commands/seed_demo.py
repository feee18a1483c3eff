"""`manage.py seed_demo`: demo data for a first run (community/demo.py, and each app's
demo.py). Idempotent: running it again changes nothing that exists."""

from django.conf import settings
from django.core.management.base import BaseCommand

from community.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create demo members and each app's demo content (its demo.py). Safe to run twice."

    def handle(self, *args, **options):
        # The demo's people are made up: the mails their seeded activity would send (a
        # notification each, a welcome) go nowhere instead of filling the terminal.
        configured = settings.MAILERS
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        try:
            members = seed_demo()
        finally:
            settings.MAILERS = configured
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(members)} members."))
        self.stdout.write(
            f"Sign in as the admin: {members['admin'].email} / {DEMO_PASSWORD}\n"
            f"Other demo members use the same password, e.g. {members['lena'].email}."
        )
