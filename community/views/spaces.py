"""The admins' page to manage spaces: the ordered list (drag and drop, or Move up / Move
down), creating, editing and deleting. Thin: selectors read, services write, access decides.

Everyone who is not an admin gets the same 404 as for a page that does not exist."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community import access, selectors, services
from community.forms import SpaceForm, apply_service_errors

from .common import form_status

LIST_URL = "community:manage_spaces"


def _check_admin(user):
    if not access.can_administer(user):
        raise Http404("No such page.")


def _list_context(request, error=None):
    return {"spaces": list(selectors.spaces_for(request.user)), "order_error": error}


def manage_spaces(request):
    _check_admin(request.user)
    return render(request, "community/spaces/manage.html", _list_context(request))


def _space_form(request, *, space=None):
    """The create and edit page: GET shows the form, POST calls the service."""
    _check_admin(request.user)
    initial = {}
    if space is not None:
        initial = {name: getattr(space, name) for name in SpaceForm.base_fields}
    form = SpaceForm(request.POST or None, initial=initial, creating=space is None)
    if request.method == "POST" and form.is_valid():
        try:
            if space is None:
                space = services.create_space(request.user, **form.cleaned_data)
                done = f"“{space.name}” is created. It is last in the list."
            else:
                space = services.update_space(request.user, space=space, **form.cleaned_data)
                done = f"“{space.name}” is saved."
        except ValidationError as error:
            if space is not None:
                space.refresh_from_db()  # the service set the refused values on it
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(reverse(LIST_URL) + f"#space-{space.pk}")
    context = {"form": form, "space": space}
    return render(request, "community/spaces/form.html", context, status=form_status(form))


def new_space(request):
    return _space_form(request)


def edit_space(request, space_id):
    return _space_form(request, space=selectors.managed_space(request.user, space_id))


@require_POST
def delete_space(request, space_id):
    """A POST without `confirm` (no script to ask) shows a page that asks first."""
    space = selectors.managed_space(request.user, space_id)
    if request.POST.get("confirm") != "yes":
        return render(request, "community/spaces/delete.html", {"space": space})
    services.delete_space(request.user, space=space)
    messages.success(request, f"“{space.name}” is deleted. Its posts are hidden with it.")
    return redirect(LIST_URL)


def _parse_order(values):
    """`order` repeated, comma-separated, or both: a list of ids (ValueError if not ints)."""
    return [int(part) for value in values for part in value.split(",") if part.strip()]


@require_POST
def reorder_spaces(request):
    """The full new order, from the page's script: 204, or 400 with the list as it is."""
    _check_admin(request.user)
    try:
        services.reorder_spaces(request.user, space_ids=_parse_order(request.POST.getlist("order")))
    except (ValueError, ValidationError):
        error = "The new order was not saved: the list changed meanwhile. Here it is again."
        context = _list_context(request, error=error)
        return render(request, "community/spaces/manage.html#space-list", context, status=400)
    return HttpResponse(status=204)


@require_POST
def move_space(request, space_id):
    """Move up / Move down without the script: swaps with the neighbour, then back to the list."""
    space = selectors.managed_space(request.user, space_id)
    ids = [s.pk for s in selectors.spaces_for(request.user)]
    at = ids.index(space.pk)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= to < len(ids):
        ids[at], ids[to] = ids[to], ids[at]
        services.reorder_spaces(request.user, space_ids=ids)
        messages.success(request, f"“{space.name}” is now number {to + 1} of {len(ids)}.")
    return redirect(reverse(LIST_URL) + f"#space-{space.pk}")
