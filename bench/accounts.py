"""Bench members and their API tokens, for the runner and `manage.py bench_token`."""

TOKEN_NAME = "bench run"  # noqa: S105 (a label, not a secret)
# bench-<scale>-<n> by role, fixed by the seed: the tier holder always holds the paid spaces'
# tier; the reader (whose pages the read scenarios load) never does, so a paid space shows
# it the locked preview.
TIER_HOLDER, READER = 3, 10
# The staff, by the seed's roles: bench-<scale>-0 is the admin, 1 and 2 the moderators.
ADMIN, MODERATOR = 0, 1
STAFF = (0, 1, 2)
# Who a read scenario signs in as (bench.scenarios.Scenario.member): their bench number.
SIGNED_IN = {"reader": READER, "admin": ADMIN, "moderator": MODERATOR}


def bench_email(scale, n):
    return f"bench-{scale}-{n}@bench.localhost"


def bench_members(scale, *, first, count, public_only=False):
    """`count` members from bench-<scale>-<first> on, in order (public profiles only if asked:
    the live-update run follows them, and a private profile cannot be followed)."""
    from community.models import User

    queryset = User.objects.filter(handle__startswith=f"bench-{scale}-", is_active=True)
    if public_only:
        queryset = queryset.filter(profile_visibility=User.Visibility.PUBLIC)
    # Bench members are loaded with ids in the order of their number.
    start = User.objects.filter(email=bench_email(scale, first)).values_list("pk", flat=True)
    if not start:
        raise LookupError(f"no member {bench_email(scale, first)}")
    members = list(queryset.filter(pk__gte=start[0]).order_by("pk")[:count])
    if len(members) < count:
        raise LookupError(
            f"only {len(members)} bench members of scale {scale} from number {first} on "
            f"(asked for {count}); load a larger scale or ask for fewer"
        )
    return members


def issue_tokens(members):
    """A fresh token per member (the raw keys, in order); earlier bench tokens are deleted."""
    from community import services
    from community.models import ApiToken

    ApiToken.objects.filter(user__in=members, name=TOKEN_NAME).delete()
    return [services.create_api_token(m, name=TOKEN_NAME)[1] for m in members]
