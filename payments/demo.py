"""Demo plans: the Pro tier (community's demo makes it, with its paid space and Lena's
manual grant) sold monthly with a trial, yearly, and once for life. Without Stripe keys the
plans have no Stripe price: the pricing page lists them and says payments are not
configured; an admin who adds keys saves each plan once to create its price on Stripe."""

from community.demo import register_seeder
from community.models import Tier

from .models import Plan

PLANS = [
    # (name, amount in cents, interval, trial days, position)
    ("Monthly", 2000, Plan.Interval.MONTH, 14, 1),
    ("Yearly", 20000, Plan.Interval.YEAR, 0, 2),
    ("Lifetime", 49000, Plan.Interval.ONE_TIME, 0, 3),
]


@register_seeder
def seed_plans(members):
    pro = Tier.objects.filter(slug="pro").first()
    if pro is None:
        return
    for name, amount, interval, trial_days, position in PLANS:
        Plan.objects.get_or_create(
            tier=pro,
            name=name,
            defaults={
                "amount": amount,
                "currency": "usd",
                "interval": interval,
                "trial_days": trial_days,
                "position": position,
            },
        )
