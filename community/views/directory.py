"""Pages for members: the directory (and the admins' CSV export of it), follow buttons and
reporting. Thin: selectors read, services write, access decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from community import access, selectors, services
from community.csv_export import csv_download
from community.forms import DirectoryFilterForm, ReportForm, apply_service_errors
from community.portability.download import zip_download
from community.selectors.directory import member_badges
from community.selectors.reports import REPORT_TARGETS, target_kind

from .common import form_status, page_url, safe_next_url

# --- Directory ---------------------------------------------------------------------------


@login_required
def directory(request):
    form = DirectoryFilterForm(request.GET)
    filters = form.filters()
    try:
        page = selectors.directory(request.user, cursor=request.GET.get("cursor"), **filters)
    except ValidationError:
        raise Http404("This page of members does not exist.") from None
    context = {
        "form": form,
        "filters": filters,
        "members": selectors.mark_followed(request.user, page.items),
        "next_url": page_url(request, cursor=page.next_cursor) if page.next_cursor else None,
        "is_filtered": any(value for key, value in filters.items() if key != "sort"),
        "sort_label": dict(form.fields["sort"].choices).get(filters["sort"], ""),
        "member_badges": member_badges(),
    }
    template = "community/directory/index.html"
    htmx = request.htmx
    if htmx and not htmx.history_restore_request:
        if request.GET.get("cursor"):
            template += "#page"
        elif htmx.target == "directory-results":
            template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def export_members(request):
    """Every member as a CSV file, streamed; for admins (others: 403)."""
    header, batches = services.export_members(request.user)
    return csv_download(request, header, batches, name="members")


@login_required
def export_community(request):
    """The whole community (every app's rows and stored files) as a zip that
    `manage.py import_community` loads; for admins (others: 403)."""

    def write(file):
        services.export_community(request.user, file=file)

    return zip_download(request, write, name="community")


@login_required
@require_POST
def follow(request, member_id):
    """Follow or unfollow. The form says which (so a double click is harmless); without
    it, the button toggles. Same answers as the API: unfollowing works for anyone the
    member follows, even a profile turned private since (selectors.follow_target)."""
    member = selectors.follow_target(request.user, member_id)
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        action = "unfollow" if selectors.followed_ids(request.user, [member]) else "follow"
    error = None
    try:
        if action == "follow":
            services.follow(request.user, member=member)
        else:
            services.unfollow(request.user, member=member)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(safe_next_url(request, _member_url(request.user, member)))
    state = selectors.follow_state(request.user, member)
    context = {"member": member, "is_following": state["is_following"], "error": error}
    if request.POST.get("context") == "profile":
        context["in_profile"] = True
        context["oob_follower_count"] = state["follower_count"]
    status = 400 if error else 200
    return render(request, "community/directory/_follow_button.html", context, status=status)


def _member_url(viewer, member):
    """The member's profile, or the directory once that profile is not theirs to see."""
    if access.can_view_profile(viewer, member):
        return reverse("community:profile", args=[member.pk])
    return reverse("community:directory")


# --- Reports -----------------------------------------------------------------------------


def _target_url(target):
    kind = target_kind(target)
    if kind == "member":
        return reverse("community:profile", args=[target.pk])
    post_id = target.pk if kind == "post" else target.post_id
    return reverse("community:post", args=[post_id])


@login_required
def report(request):
    """The small form that reports a post, a comment or a member: /report/?type=post&id=12."""
    params = request.POST if request.method == "POST" else request.GET
    target_type = params.get("type", "")
    if target_type not in REPORT_TARGETS:
        raise Http404("Nothing to report here.")
    target = selectors.report_target(request.user, target_type, params.get("id"))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report(request.user, target=target, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Thank you. The moderators will look at your report.")
            return redirect(_target_url(target))
    context = {"form": form, "target": target, "target_type": target_type,
               "target_url": _target_url(target)}  # fmt: skip
    return render(request, "community/directory/report.html", context, status=form_status(form))
