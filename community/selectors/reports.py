"""Reads for reports: what a member may report, and the moderators' list."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from community import access
from community.models import Comment, Post, Report, User
from community.pagination import keyset_page

# The names reports use for their targets, in pages and in the API.
REPORT_TARGETS = {
    "post": Post.objects.select_related("space", "author"),
    "comment": Comment.objects.select_related("post__space", "author"),
    "member": User.objects.all(),
}


def target_kind(target):
    return "member" if isinstance(target, User) else type(target).__name__.lower()


def report_target(viewer, target_type, target_id):
    """The post, comment or member a report would name, or 404 if it is missing or the
    viewer may not see it."""
    if target_type not in REPORT_TARGETS:
        raise ValidationError(
            {"target_type": [f"Report one of: {', '.join(REPORT_TARGETS)}."]}, code="invalid"
        )
    try:
        target_id = int(target_id)
    except (TypeError, ValueError) as exc:
        raise Http404("Nothing to report here.") from exc
    target = get_object_or_404(REPORT_TARGETS[target_type], pk=target_id)
    access.check_can_report(viewer, target)
    return target


def _check_can_moderate(viewer):
    if not access.can_moderate(viewer):
        raise PermissionDenied("Only moderators and admins may see reports.")


def report_queue(viewer, *, status=Report.Status.OPEN, cursor=None, size=20):
    """Reports with one status, newest first, with reporter and target loaded: one query for
    the reports, one per kind of target among them."""
    _check_can_moderate(viewer)
    if status not in Report.Status.values:
        raise ValidationError({"status": [f"“{status}” is not a report status."]}, code="invalid")
    reports = (
        Report.objects.filter(status=status)
        .select_related("reporter", "resolved_by", "content_type")
        .prefetch_related(
            GenericPrefetch(
                "target",
                [
                    Post.objects.select_related("author", "space"),
                    Comment.objects.select_related("author", "post"),
                    User.objects.all(),
                ],
            )
        )
    )
    return keyset_page(reports, cursor=cursor, size=size)


def open_report_count(viewer):
    """How many reports wait for the moderators (for the navigation): one count on the
    (status, created_at) index; None for everyone else."""
    if not access.can_moderate(viewer):
        return None
    return Report.objects.filter(status=Report.Status.OPEN).count()


def report_for_moderation(viewer, report_id):
    _check_can_moderate(viewer)
    return get_object_or_404(Report.objects.select_related("reporter"), pk=report_id)
