"""`manage.py seed_demo`: demo data for a first run (community/demo.py, and each app's
demo.py). Idempotent: running it again changes nothing that exists."""

from django.core.management.base import BaseCommand

from community.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create demo members and each app's demo content (its demo.py). Safe to run twice."

    def handle(self, *args, **options):
        members = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(members)} members."))
        self.stdout.write(
            f"Sign in as the admin: {members['admin'].email} / {DEMO_PASSWORD}\n"
            f"Other demo members use the same password, e.g. {members['lena'].email}."
        )
