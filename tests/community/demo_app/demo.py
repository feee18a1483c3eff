from community.demo import register_seeder
from community.models import Space

calls = []


@register_seeder
def seed_demo_app(members):
    """Idempotent, as every seeder must be: it adds its space once."""
    calls.append(sorted(members))
    if not Space.objects.filter(slug="demo-app-space").exists():
        Space.objects.create(name="Demo app space", slug="demo-app-space", visibility="public")
