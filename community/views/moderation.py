"""The moderators' pages: the queue of reported content with one-click decisions, the audit
log (admins) and role changes (admins). Thin: selectors read, services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community import access, audit, selectors, services
from community.forms import AuditLogFilterForm, ModerationForm, RoleForm
from community.models import Report
from community.selectors.moderation import audit_log, moderation_queue, queue_target
from community.services.moderation import Action

from .common import page_url, safe_next_url

DONE = {
    Action.DISMISS: "Reports dismissed.",
    Action.HIDE: "{kind} hidden; its author was told.",
    Action.DELETE: "Deleted; its author was told.",
    Action.BAN: "Author banned and signed out; they were told why.",
    Action.WARN: "Warning sent.",
}


@login_required
def queue(request):
    status = request.GET.get("status") or Report.Status.OPEN
    try:
        page = moderation_queue(request.user, status=status, cursor=request.GET.get("cursor"))
    except ValidationError:
        raise Http404("No such list of reports.") from None
    context = {
        "items": page.items,
        "status": status,
        "statuses": Report.Status.choices,
        "ban_lengths": ModerationForm.BAN_LENGTHS,
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
    }
    return render(request, "community/moderation/queue.html", context)


@login_required
@require_POST
def act(request):
    access.check_can_moderate(request.user)
    back = safe_next_url(request, reverse("community:reports"))
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form.errors.values()))
        return redirect(back)
    data = form.cleaned_data
    try:
        target = queue_target(request.user, data["target_type"], data["target_id"])
        services.moderate(request.user, target=target, action=data["action"],
                          reason=data["reason"], until=form.ban_until())  # fmt: skip
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    except PermissionDenied as refused:  # a moderator over an admin: said on the queue
        messages.error(request, str(refused))
    else:
        messages.success(request, DONE[data["action"]].format(kind=data["target_type"].title()))
    return redirect(back)


def _first_error(error_lists):
    return next((str(e) for errors in error_lists for e in errors), "Check the form.")


@login_required
def audit_log_page(request):
    access.check_can_administer(request.user)
    form = AuditLogFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    entries, next_url = [], None
    if not form.is_bound or form.is_valid():
        try:
            page = audit_log(request.user, cursor=request.GET.get("cursor"), **filters)
        except ValidationError:
            raise Http404("This page of the log does not exist.") from None
        entries = page.items
        for entry in entries:
            entry.label = audit.action_label(entry.action)
        if page.next_cursor:
            next_url = page_url(request, cursor=page.next_cursor)
    context = {"form": form, "entries": entries, "next_url": next_url}
    return render(request, "community/moderation/audit_log.html", context)


@login_required
@require_POST
def change_role(request, member_id):
    access.check_can_administer(request.user)
    member = selectors.member_profile(request.user, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form.errors.values()))
    else:
        try:
            member = services.change_role(
                request.user, member=member, role=form.cleaned_data["role"],
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, f"{member.display_name} is now {member.get_role_display()}.")
    return redirect("community:profile", member_id=member.pk)
