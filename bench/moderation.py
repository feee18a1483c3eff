"""The moderators' and admins' side of the benchmark (issue 18): reports on the dataset's
posts, comments and members, the audit log of the decisions that closed the older ones, the
staff members' admin-site access, and the query budgets of the admin scenarios (the Django
admin's member list, the directory as an admin sees it, the moderation queue, the audit log
and the analytics page, with their API twins).

- Open reports (`Scale.open_reports`) over `Scale.report_targets` targets, the queue's: 60 %
  posts, 30 % comments, 10 % members; every target has one report, the rest fall on the
  targets with skew (rank ** -1: a spam post with dozens of reports, most with one or two);
  made within the last two weeks, after the target.
- Closed reports (`Scale.closed_reports`) over half as many other targets, at any time over
  the scale's days: all of a target's reports closed together by one decision of member 0, 1
  or 2 (the admin and the moderators) a few hours after its latest report, dismissed (3 in
  5) or resolved, with the audit entry `moderation.moderate` writes for it (the target,
  "N report(s), <action>"). The targets themselves are not changed (a resolved post is not
  hidden here): the dataset's own hidden and deleted posts stay as they were.
- Reporters: members of the scale other than the staff and the target's author (or the
  member reported), each at most once per target (the unique constraint).
- Targets: live posts and comments of authors other than the staff, members other than the
  staff; drawn by id from the scale's own rows, the open ones' posts among the newest tenth.

A few thousand rows at most (large: 400 open, 5,000 closed, ~2,500 audit entries):
bulk_create, in the load's transaction. The draw has its own generator (seeded with the
scale and `--seed`), so a scale loaded before reports existed gets the same rows when
`seed_bench` runs again (`dataset.add_reports`; the marker is any report by a member of the
scale). `staff_access` puts the admin and the moderators in their role's group (the admin
site's permissions), which `migrate` does for members who exist when it runs, not for
members COPYed after it.
"""

import itertools
import random
from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Min

from community import audit, roles
from community.models import AuditEntry, Comment, Post, Report, User

from .accounts import STAFF

MODERATION_MODELS = (Report, AuditEntry)
DAY = 86_400.0
OPEN_DAYS = 14
REPORT_SKEW = 1.0
KINDS = (("post", 0.6), ("comment", 0.3), ("member", 0.1))
DISMISSED_SHARE = 0.6
REASONS = (
    "Spam: the same link posted in every space.",
    "Advertising, not a contribution.",
    "Rude to another member in the replies.",
    "Harassment: keeps messaging me after I asked them to stop.",
    "Off topic for this space.",
    "Shares someone's private details.",
    "Impersonating another member.",
    "Misleading claims about the course.",
    "Copied from a paid lesson.",
    "Hate speech.",
)
RESOLVE_ACTIONS = ("hide", "delete", "warn", "ban")

# Queries per request, fixed whatever the number of reports, entries and members:
# tests/bench/test_moderation.py holds them (Django's test client; its Bearer requests
# count the token's lookup and use, 2 more than the runner's count). Counted by the runner
# on small (2026-12-05): admin-members 7, directory-admin 8, moderation-queue 10,
# api-moderation-queue 6, audit-log 6, api-audit-log 2, analytics 16, api-analytics 1,
# api-analytics-active-members 2 (before the analytics' rollups: 19 and 3 since).
# - admin-members, -search: Django admin's changelist: session, member, the admin's
#   permissions (its groups', then its own), the capped count (at most 10,001 rows), the
#   page of members, the action form's tiers; past 10,000 rows (large) the count adds the
#   planner's estimate (one EXPLAIN), hence 8.
# - directory-admin: the directory as the admin sees it: session, member, the header's
#   score and level, the page of members, their follows by the viewer, the badges' levels,
#   the moderators' open-report count, the sidebar's spaces.
# - moderation-queue: session, member, the open reports grouped by target, their newest
#   reports, one query per kind of target on the page (post, comment, member: 3), the
#   header's level, the open-report count, the sidebar; the API: the token, the 5 reads.
# - audit-log: session, member, the entries with their actors and types, the chrome (3);
#   the API: the token, the entries.
# - analytics, -year: session, member, every registered series (community 9 queries: the
#   3 rolled-up series read their stored days and count today; courses 2, events 1,
#   payments 2, each bounded by the period), the chrome (3): the same 19 for 30 days or
#   365; api-analytics lists the series (the token only), api-analytics-active-members is
#   the heaviest series' stored days and today's count.
QUERY_BUDGETS = {
    "admin-members": 8,
    "admin-members-search": 8,
    "directory-admin": 8,
    "moderation-queue": 10,
    "api-moderation-queue": 8,
    "audit-log": 6,
    "api-audit-log": 4,
    "analytics": 19,
    "analytics-year": 19,
    "api-analytics": 3,
    "api-analytics-active-members": 5,
    "branding": 6,
    "api-branding": 3,
}
MODERATION_SCENARIOS = tuple(QUERY_BUDGETS)


def loaded(scale_name):
    """Any report by a member of the scale is the marker."""
    return Report.objects.filter(reporter__handle__startswith=f"bench-{scale_name}-").exists()


def staff_access(scale_name):
    """The admin (bench-<scale>-0) and the moderators (1, 2) in their role's group and on the
    admin site, as `roles.sync_staff_access` leaves a member whose role changed. Idempotent."""
    if Group.objects.filter(name__in=roles.GROUP_OF_ROLE.values()).count() < 2:
        return  # no groups before `migrate` has run (its post_migrate makes them)
    handles = [f"bench-{scale_name}-{n}" for n in STAFF]
    for member in User.objects.filter(handle__in=handles, role__in=roles.GROUP_OF_ROLE):
        roles.sync_staff_access(member)


def _ts(epoch):
    return datetime.fromtimestamp(epoch, UTC)


def _skewed_counts(total, targets, cap, rng):
    """`total` reports over `targets` targets: one each, the rest by rank ** -REPORT_SKEW,
    each at most `cap`."""
    if not targets:
        return []
    counts = [1] * targets
    weights = list(itertools.accumulate(r**-REPORT_SKEW for r in range(1, targets + 1)))
    for i in rng.choices(range(targets), cum_weights=weights, k=max(0, total - targets)):
        if counts[i] < cap:
            counts[i] += 1
    return counts


def _live_rows(model, lo, hi, rng, want, *, newest_share=1.0):
    """`want` (id, author_id, created_at epoch) of live rows of `model` whose author is a
    member lo..hi and not staff, drawn by id (among the newest `newest_share` of the ids)."""
    if want <= 0:
        return []
    authored = model.objects.filter(author_id__gte=lo, author_id__lte=hi)
    bounds = authored.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    first = bounds["hi"] - int((bounds["hi"] - bounds["lo"]) * newest_share)
    live = {"deleted_at__isnull": True}
    if model is Post:
        live["hidden_at__isnull"] = True
    staff = {lo + n for n in STAFF}
    chosen, seen = [], set()
    for _attempt in range(20):
        ids = [rng.randint(first, bounds["hi"]) for _ in range(3 * want)]
        found = {
            pk: (author, created)
            for pk, author, created in authored.filter(pk__in=set(ids), **live).values_list(
                "pk", "author_id", "created_at"
            )
        }
        for pk in ids:
            if pk in found and pk not in seen and found[pk][0] not in staff:
                seen.add(pk)
                chosen.append((pk, found[pk][0], found[pk][1].timestamp()))
                if len(chosen) == want:
                    return chosen
    return chosen


def _members(lo, hi, rng, want):
    """`want` members of the scale (not staff) as (id, id, joined epoch)."""
    pool = list(range(lo + max(STAFF) + 1, hi + 1))
    picked = rng.sample(pool, min(want, len(pool)))
    joined = dict(User.objects.filter(pk__in=picked).values_list("pk", "created_at"))
    return [(pk, pk, joined[pk].timestamp()) for pk in picked if pk in joined]


def _targets(ctx, rng, count, *, newest_share):
    """`count` (kind, id, author id, created epoch), the kinds mixed as KINDS says."""
    lo, hi = ctx.first_member, ctx.first_member + ctx.scale.members - 1
    wanted = {kind: round(count * share) for kind, share in KINDS}
    wanted["post"] += count - sum(wanted.values())
    rows = {
        "post": _live_rows(Post, lo, hi, rng, wanted["post"], newest_share=newest_share),
        "comment": _live_rows(Comment, lo, hi, rng, wanted["comment"]),
        "member": _members(lo, hi, rng, wanted["member"]),
    }
    out = [(kind, *row) for kind, _ in KINDS for row in rows[kind]]
    rng.shuffle(out)
    return out


def load_reports(ctx):
    """The scale's open and closed reports and the audit entries of the closed ones' decisions
    (bulk_create); returns the reports written."""
    scale = ctx.scale
    if not scale.report_targets:
        return 0
    rng = random.Random(f"bench-reports-{scale.name}-{ctx.seed}")
    lo, hi = ctx.first_member, ctx.first_member + scale.members - 1
    types = {
        "post": ContentType.objects.get_for_model(Post),
        "comment": ContentType.objects.get_for_model(Comment),
        "member": ContentType.objects.get_for_model(User),
    }
    closed_targets = scale.closed_reports // 2
    # Open: posts among the newest tenth (what members read now); closed: any time.
    open_targets = _targets(ctx, rng, scale.report_targets, newest_share=0.1)
    taken = {(kind, pk) for kind, pk, *_ in open_targets}
    closed = [
        t for t in _targets(ctx, rng, closed_targets + len(taken), newest_share=1.0)
        if (t[0], t[1]) not in taken
    ][:closed_targets]  # fmt: skip
    staff = [lo + n for n in STAFF]
    reporters = [pk for pk in range(lo, hi + 1) if pk not in staff]
    cap = max(1, len(reporters) - 1)
    reports, entries = [], []
    now, start = ctx.now, ctx.now - scale.days * DAY

    def reports_on(kind, pk, author, count, times):
        chosen = rng.sample([r for r in reporters if r != author], count)
        return [
            Report(
                reporter_id=reporter,
                content_type=types[kind],
                object_id=pk,
                reason=rng.choice(REASONS),
                created_at=_ts(at),
            )
            for reporter, at in zip(chosen, times, strict=True)
        ]

    counts = _skewed_counts(scale.open_reports, len(open_targets), cap, rng)
    for (kind, pk, author, created), count in zip(open_targets, counts, strict=True):
        since = max(created, now - OPEN_DAYS * DAY)
        times = sorted(rng.uniform(since, now - 60) for _ in range(count))
        reports += reports_on(kind, pk, author, count, times)
    counts = _skewed_counts(scale.closed_reports, len(closed), cap, rng)
    for (kind, pk, author, created), count in zip(closed, counts, strict=True):
        since = max(created, start)
        until = max(since + 3600, now - OPEN_DAYS * DAY)
        times = sorted(rng.uniform(since, until) for _ in range(count))
        decided = min(now - 3600, times[-1] + rng.expovariate(1 / (8 * 3600)))
        actor = rng.choice(staff)
        dismissed = rng.random() < DISMISSED_SHARE
        action = "dismiss" if dismissed else rng.choice(RESOLVE_ACTIONS)
        status = Report.Status.DISMISSED if dismissed else Report.Status.RESOLVED
        for report in reports_on(kind, pk, author, count, times):
            report.status, report.resolved_by_id = status, actor
            report.resolved_at = _ts(decided)
            reports.append(report)
        entries.append(
            AuditEntry(
                actor_id=actor,
                action=audit.REPORT_DISMISS if dismissed else audit.REPORT_RESOLVE,
                target_type=types[kind],
                target_id=pk,
                reason=f"{count} report(s), {action}",
                created_at=_ts(decided),
            )
        )
    entries.sort(key=lambda entry: entry.created_at)
    with ctx.progress("reports", len(reports) + len(entries)) as bar:
        Report.objects.bulk_create(reports, batch_size=1000)
        bar.advance(len(reports))
        AuditEntry.objects.bulk_create(entries, batch_size=1000)
        bar.advance(len(entries))
    staff_access(scale.name)
    return len(reports)


def report_counts(scale_name):
    """{status: reports} and the open reports' targets, of the scale's reporters."""
    reports = Report.objects.filter(reporter__handle__startswith=f"bench-{scale_name}-")
    by_status = dict.fromkeys(Report.Status.values, 0)
    for status in reports.values_list("status", flat=True):
        by_status[status] += 1
    open_targets = (
        reports.filter(status=Report.Status.OPEN)
        .values("content_type", "object_id")
        .distinct()
        .count()
    )
    return {**by_status, "open_targets": open_targets}
