"""Every read of the payments pages and API, each a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Prefetch, Q

from community.models import AccessGrant, Gated, Tier

from .models import Coupon, Invoice, Plan, PromotionCode, Purchase, Subscription, WebhookEvent


def gated_models():
    """Every model a tier can lock (spaces, courses, events): the concrete subclasses of
    community.models.Gated."""
    return [m for m in apps.get_models() if issubclass(m, Gated) and not m._meta.abstract]


def unlocks_by_tier(tier_ids):
    """{tier_id: [(label, [item names…])]}: what each tier opens, one query per gated model."""
    unlocked = defaultdict(list)
    tier_ids = list(tier_ids)
    if not tier_ids:
        return unlocked
    for model in gated_models():
        rows = model.objects.filter(required_tier_id__in=tier_ids)
        # Only what a member could open: not deleted, and not a draft nobody may see yet.
        if hasattr(rows, "published"):
            rows = rows.published()
        elif hasattr(rows, "alive"):
            rows = rows.alive()
        names = defaultdict(list)
        for row in rows.order_by("pk"):
            names[row.required_tier_id].append(str(row))
        for tier_id, items in names.items():
            unlocked[tier_id].append((str(model._meta.verbose_name_plural).capitalize(), items))
    return unlocked


@dataclass
class PricingTier:
    tier: Tier
    plans: list
    unlocks: list = field(default_factory=list)
    held: bool = False


def pricing(viewer):
    """The active plans, by tier (listed tiers only: an unlisted tier's content stays
    secret), with what each tier unlocks and whether the viewer holds it. A plan is for sale
    when Stripe is configured and it has a Stripe price (`plan_for_sale`)."""
    from community import access

    plans = list(Plan.objects.filter(active=True, tier__listed=True).select_related("tier"))
    by_tier = {}
    for plan in plans:
        by_tier.setdefault(plan.tier_id, PricingTier(tier=plan.tier, plans=[])).plans.append(plan)
    unlocks = unlocks_by_tier(by_tier)
    held = access.held_tier_ids(viewer)
    for tier_id, entry in by_tier.items():
        entry.unlocks = unlocks.get(tier_id, [])
        entry.held = tier_id in held
    return sorted(by_tier.values(), key=lambda e: (min(p.amount for p in e.plans), e.tier.name))


def plan_for_sale(plan_id):
    return (
        Plan.objects.filter(pk=plan_id, active=True)
        .exclude(stripe_price_id="")
        .select_related("tier")
        .first()
    )


def subscriptions_of(user):
    return list(
        Subscription.objects.filter(user=user).select_related("plan__tier").order_by("-state_at")
    )


def invoices_of(user):
    """The member's invoices, newest first (a queryset to page with a keyset cursor)."""
    return Invoice.objects.filter(user=user).order_by("-created", "-pk")


def purchases_of(user):
    return list(Purchase.objects.filter(user=user).select_related("plan__tier"))


def active_grants_of(user):
    return list(AccessGrant.objects.active().filter(user=user).select_related("tier"))


# --- Why does this member have access -----------------------------------------------------


@dataclass
class GrantExplanation:
    grant: AccessGrant
    is_active: bool
    subscription: Subscription | None = None
    purchase: Purchase | None = None
    coupon: Coupon | None = None
    unlocks: list = field(default_factory=list)

    @property
    def source_detail(self):
        if self.subscription is not None:
            event = self.subscription.last_event
            changed = f", last changed by {event.stripe_id} ({event.type})" if event else ""
            return f"Stripe subscription {self.subscription.stripe_id}{changed}"
        if self.purchase is not None:
            return f"One-time purchase, Stripe checkout {self.purchase.checkout_session_id}"
        if self.grant.source == AccessGrant.Source.MANUAL:
            by = self.grant.granted_by
            return f"Granted by {by.display_name if by else 'a former admin'}"
        return self.grant.note or self.grant.get_source_display()


def explain_access(member):
    """Every grant the member ever held (active first), with where it came from (the Stripe
    subscription and the event that last changed it, a purchase, the admin who gave it, a
    trial, a coupon), its start and end, and what its tier unlocks. Five queries plus one
    per gated model."""
    grants = list(
        AccessGrant.objects.filter(user=member)
        .select_related("tier", "granted_by")
        .order_by("-starts_at", "-pk")
    )
    ids = [g.pk for g in grants]
    subs = Subscription.objects.filter(
        Q(trial_grant_id__in=ids) | Q(paid_grant_id__in=ids)
    ).select_related("last_event", "plan")
    by_grant = {}
    for sub in subs:
        by_grant[sub.trial_grant_id] = sub
        by_grant[sub.paid_grant_id] = sub
    purchases = {p.grant_id: p for p in Purchase.objects.filter(grant_id__in=ids)}
    coupons = {
        c.stripe_id: c
        for c in Coupon.objects.filter(
            stripe_id__in={s.coupon_stripe_id for s in by_grant.values() if s.coupon_stripe_id}
        )
    }
    active = set(AccessGrant.objects.active().filter(pk__in=ids).values_list("pk", flat=True))
    unlocks = unlocks_by_tier({g.tier_id for g in grants})
    explained = []
    for grant in grants:
        sub = by_grant.get(grant.pk)
        explained.append(
            GrantExplanation(
                grant=grant,
                is_active=grant.pk in active,
                subscription=sub,
                purchase=purchases.get(grant.pk),
                coupon=coupons.get(sub.coupon_stripe_id) if sub else None,
                unlocks=unlocks.get(grant.tier_id, []),
            )
        )
    explained.sort(key=lambda e: not e.is_active)
    return explained


# --- Admin lists ---------------------------------------------------------------------------


def plans_for_admin():
    return Plan.objects.select_related("tier").order_by("tier__name", "position", "amount")


def coupons_for_admin():
    return Coupon.objects.prefetch_related(
        Prefetch("promotion_codes", queryset=PromotionCode.objects.order_by("-created_at"))
    ).order_by("-created_at", "-pk")


def webhook_events(state=None):
    events = WebhookEvent.objects.order_by("-received_at", "-pk")
    return events.filter(state=state) if state else events


# --- The member's billing page ---------------------------------------------------------------


def invoice_page(user, *, cursor=None, size=20):
    """One page of the member's invoices, newest first (one query); a cursor this list did
    not make is a ValidationError naming `cursor`."""
    from community.pagination import keyset_page

    return keyset_page(invoices_of(user), cursor=cursor, size=size, fields=("created", "id"))


# --- Admin pages: finding a member, filtering events ------------------------------------------

MEMBER_SEARCH_LIMIT = 50


def members_for_admin(q=""):
    """Members whose email or name contains `q` (the newest without one), for the admins'
    picker; one query, at most MEMBER_SEARCH_LIMIT."""
    from community.models import User

    members = User.objects.order_by("-created_at", "-pk")
    q = (q or "").strip()
    if q:
        handle = q.removeprefix("@")
        members = members.filter(
            Q(email__icontains=q) | Q(display_name__icontains=q) | Q(handle__icontains=handle)
        ).order_by("display_name", "pk")
    return list(members[:MEMBER_SEARCH_LIMIT])


def webhook_events_matching(state=None, q=""):
    """webhook_events(state), narrowed to the event with Stripe id `q` or the events about
    the Stripe object `q` (a subscription, an invoice…) when `q` is given."""
    events = webhook_events(state)
    q = (q or "").strip()
    if q:
        events = events.filter(Q(stripe_id=q) | Q(payload__data__object__id=q))
    return events


# --- The API's lists (querysets it pages with a keyset cursor) -------------------------------


def plans_on_sale():
    """The plans pricing() lists (active, of listed tiers), as a queryset to page."""
    return Plan.objects.filter(active=True, tier__listed=True).select_related("tier")


def member_subscriptions(user):
    """subscriptions_of(user) as a queryset to page."""
    return Subscription.objects.filter(user=user).select_related("plan__tier")


def member_active_grants(user):
    """active_grants_of(user) as a queryset to page."""
    return AccessGrant.objects.active().filter(user=user).select_related("tier")


def grants_for_admin(*, member_id=None, active=False):
    """Every access grant (or a member's, or only the active ones), with the member, the tier
    and the admin who gave it joined."""
    grants = AccessGrant.objects.select_related("user", "tier", "granted_by")
    if member_id is not None:
        grants = grants.filter(user_id=member_id)
    return grants.active() if active else grants


def revocable_grants(*, member_id=None):
    """The grants an admin may revoke by hand: the active-or-future manual ones. A
    subscription's or a purchase's grants follow Stripe (a refund or cancellation there)."""
    return grants_for_admin(member_id=member_id).filter(
        source=AccessGrant.Source.MANUAL, revoked_at__isnull=True
    )


def subscribed_tier_ids(user):
    """The tiers the member ever subscribed to (a trial is offered once per tier)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(
        Subscription.objects.filter(user=user, plan__isnull=False).values_list(
            "plan__tier_id", flat=True
        )
    )
