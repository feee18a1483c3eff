"""Reads for the moderators: the queue (reports grouped by what they name, with it in
context) and the audit log (admins)."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from community import access
from community.models import AuditEntry, Comment, Post, Report, User
from community.pagination import Page, decode_cursor, encode_cursor, keyset_page

# How many of a target's reports the queue shows (the newest; the count says how many more).
REPORTS_SHOWN = 5
QUEUE_ORDER = ("latest", "content_type", "object_id")

# What each kind of target is loaded with, for the queue's context and the actions.
TARGETS = {
    "post": Post.objects.select_related("author", "space"),
    "comment": Comment.objects.select_related("author", "post__space"),
    "member": User.objects.all(),
}


@dataclass
class QueueItem:
    """One reported post, comment or member, and the reports on it."""

    kind: str
    target_id: int
    target: object  # None when it no longer exists
    report_count: int
    first_reported: datetime
    last_reported: datetime
    reports: list = field(default_factory=list)  # the newest REPORTS_SHOWN

    @property
    def more_reports(self):
        return self.report_count - len(self.reports)

    @property
    def author(self):
        if self.target is None:
            return None
        return self.target if self.kind == "member" else self.target.author


def _kind_of(content_type_id):
    model = ContentType.objects.get_for_id(content_type_id).model
    return "member" if model == "user" else model


def _check_status(status):
    if status not in Report.Status.values:
        raise ValidationError(
            {"status": [f"One of: {', '.join(Report.Status.values)}."]}, code="invalid"
        )


def moderation_queue(viewer, *, status=Report.Status.OPEN, cursor=None, size=20):
    """Targets with reports of `status`, the most recently reported first, each with its
    newest reports and the target in context. A fixed number of queries: the groups, their
    reports, then one per kind of target among them."""
    access.check_can_moderate(viewer)
    _check_status(status)
    groups = (
        Report.objects.filter(status=status)
        .values("content_type", "object_id")
        .annotate(latest=Max("created_at"), earliest=Min("created_at"), count=Count("id"))
        .order_by("-latest", "-content_type", "-object_id")
    )
    if cursor:
        values = decode_cursor(cursor, QUEUE_ORDER, model=Report)
        latest, content_type, object_id = values
        # Past the cursor: a HAVING on the group's newest report, ties broken by target.
        groups = groups.filter(
            Q(latest__lt=latest)
            | Q(latest=latest, content_type__lt=content_type)
            | Q(latest=latest, content_type=content_type, object_id__lt=object_id)
        )
    rows = list(groups[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([last[name] for name in QUEUE_ORDER], QUEUE_ORDER)
    items = [
        QueueItem(
            kind=_kind_of(row["content_type"]),
            target_id=row["object_id"],
            target=None,
            report_count=row["count"],
            first_reported=row["earliest"],
            last_reported=row["latest"],
        )
        for row in rows
    ]
    _load_reports(items, rows, status)
    _load_targets(items)
    return Page(items=items, next_cursor=next_cursor)


def _load_reports(items, rows, status):
    if not rows:
        return
    on_page = Q()
    for row in rows:
        on_page |= Q(content_type_id=row["content_type"], object_id=row["object_id"])
    newest = (
        Report.objects.filter(on_page, status=status)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("content_type_id"), F("object_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(place__lte=REPORTS_SHOWN)
        .select_related("reporter", "resolved_by")
        .order_by("-created_at", "-id")
    )
    by_target = {(_kind_of(r["content_type"]), r["object_id"]): [] for r in rows}
    for report in newest:
        by_target[(_kind_of(report.content_type_id), report.object_id)].append(report)
    for item in items:
        item.reports = by_target[(item.kind, item.target_id)]


def _load_targets(items):
    wanted = {}
    for item in items:
        wanted.setdefault(item.kind, set()).add(item.target_id)
    found = {
        (kind, obj.pk): obj
        for kind, ids in wanted.items()
        for obj in TARGETS[kind].filter(pk__in=ids)
    }
    for item in items:
        item.target = found.get((item.kind, item.target_id))


def queue_target(viewer, target_type, target_id):
    """The post, comment or member a moderator's decision names (any state: hidden,
    deleted, banned), or a field error."""
    access.check_can_moderate(viewer)
    if target_type not in TARGETS:
        raise ValidationError({"target_type": [f"One of: {', '.join(TARGETS)}."]}, code="invalid")
    try:
        return TARGETS[target_type].get(pk=int(target_id))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError({"target_id": ["A whole number."]}, code="invalid") from exc
    except TARGETS[target_type].model.DoesNotExist as exc:
        raise ValidationError(
            {"target_id": [f"No {target_type} has this id."]}, code="not_found"
        ) from exc


# --- The audit log --------------------------------------------------------------------


def content_type_named(name):
    """The type an audit filter names as "app_label.model" ("community.post"), or a field
    error naming `target_type`."""
    app_label, _, model = (name or "").strip().lower().partition(".")
    try:
        return ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        raise ValidationError(
            {"target_type": ['No such type: write the app and model, e.g. "community.post".']},
            code="invalid",
        ) from None


def _start_of(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def audit_log(viewer, *, action="", actor_id=None, target_type=None, target_id=None,
              since=None, until=None, cursor=None, size=50):  # fmt: skip
    """Admins: the audit log, newest first, filtered by action, actor, target (a
    ContentType, and an id) and days (`since` to `until`, both included, on the viewer's
    clock). One query: the entries with their actors and types."""
    access.check_can_administer(viewer)
    if since and until and since > until:
        raise ValidationError({"until": ["The end comes before the start."]}, code="invalid")
    entries = AuditEntry.objects.select_related("actor", "target_type")
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if target_type is not None:
        entries = entries.filter(target_type=target_type)
        if target_id is not None:
            entries = entries.filter(target_id=target_id)
    if since is not None:
        entries = entries.filter(created_at__gte=_start_of(since))
    if until is not None:
        entries = entries.filter(created_at__lt=_start_of(until + timedelta(days=1)))
    return keyset_page(entries, cursor=cursor, size=size)
