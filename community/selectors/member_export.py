"""Reads for the admins' member export (CSV): every member, a batch at a time.

Community's columns come first; other apps add theirs through `register_member_export_columns`
(gamification: points and level), so community never imports them and each batch's one
query of members carries what they add.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from community.models import AccessGrant, Comment, Post, User

EXPORT_BATCH_SIZE = 2000
HEADER = ("name", "email", "handle", "role", "joined", "tiers", "last active")
# What community's columns read: the wide text fields (bio, its HTML) stay in the database.
MEMBER_FIELDS = ("display_name", "email", "handle", "role", "created_at", "last_login")


@dataclass(frozen=True)
class MemberExportColumns:
    headers: tuple
    annotate: object  # members -> members carrying what `values` reads (in the batch's query)
    # member -> one value per header (str, int, datetime, list, None). It reads what annotate
    # added and MEMBER_FIELDS: the member's other fields are deferred (a query per member).
    values: object


_columns = {}


def register_member_export_columns(headers, *, annotate, values):
    """Columns another app adds to the export, after community's. Registering the same
    headers again replaces them (an AppConfig.ready run twice adds nothing)."""
    headers = tuple(headers)
    _columns[headers] = MemberExportColumns(headers, annotate, values)


def member_export_header():
    """The export's column titles: community's, then the registered ones."""
    return [*HEADER, *(header for columns in _columns.values() for header in columns.headers)]


def _newest(model):
    """The member's newest post or comment time, soft-deleted ones too (they were active
    then): one entry of post_author_idx or comment_author_idx (an index-only scan), which
    is why "last active" can include them."""
    rows = model.objects.filter(author=OuterRef("pk")).order_by("-created_at")
    return Subquery(rows.values("created_at")[:1])


def _member_batch(after, size):
    members = (
        User.objects.filter(pk__gt=after)
        .order_by("pk")
        .only(*MEMBER_FIELDS)
        .annotate(last_post_at=_newest(Post), last_comment_at=_newest(Comment))
    )
    for columns in _columns.values():
        members = columns.annotate(members)
    return list(members[:size])


def _held_tier_names(first_id, last_id):
    """{member id: names of the tiers their active grants give, sorted, each once} for the
    members with ids in [first_id, last_id]: one query on grant_user_tier_idx."""
    grants = (
        AccessGrant.objects.active()
        .filter(user_id__gte=first_id, user_id__lte=last_id)
        .values_list("user_id", "tier__name")
        .distinct()
        .order_by("user_id", "tier__name")
    )
    names = {}
    for user_id, tier_name in grants:
        names.setdefault(user_id, []).append(tier_name)
    return names


def _last_active(member):
    """The latest of the last sign-in and the newest post or comment (None: never)."""
    times = [member.last_login, member.last_post_at, member.last_comment_at]
    return max((time for time in times if time is not None), default=None)


def _row(member, tier_names):
    row = [member.display_name, member.email, member.handle, member.role, member.created_at,
           tier_names, _last_active(member)]  # fmt: skip
    for columns in _columns.values():
        row.extend(columns.values(member))
    return row


def member_export_batches(*, batch_size=EXPORT_BATCH_SIZE):
    """Every member (deactivated and banned ones too) as rows in header order, in batches
    of `batch_size` by ascending id, read lazily so that no more than one batch is in
    memory. Two queries per batch, none per member: the members with the registered
    columns' annotations and their newest post and comment times (subqueries on the
    authors' indexes), then the tiers their active grants give.

    "last active" is the latest of the last sign-in, the newest post and the newest
    comment (soft-deleted ones count: they were written then); tiers are a list of names."""
    after = 0
    while True:
        members = _member_batch(after, batch_size)
        if not members:
            return
        tiers = _held_tier_names(members[0].pk, members[-1].pk)
        yield [_row(member, tiers.get(member.pk, [])) for member in members]
        if len(members) < batch_size:
            return
        after = members[-1].pk
