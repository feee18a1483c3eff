"""The admins' page to manage spaces: the ordered list (drag and drop, or Move up / Move
down), creating, editing and deleting. Thin: selectors read, services write, access decides.

Everyone who is not an admin gets the same 404 as for a page that does not exist."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community import access, selectors, services
from community.models import Space

LIST_URL = "community:manage_spaces"


class SpaceForm(forms.Form):
    """The shape of a space; services.create_space / update_space do the validation."""

    name = forms.CharField(
        label="Name", required=False, widget=forms.TextInput(attrs={"maxlength": 100})
    )
    slug = forms.CharField(
        label="Address",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 100, "placeholder": "made from the name"}),
        help_text="Letters, numbers, hyphens: the space lives at /spaces/<address>/.",
    )
    icon = forms.CharField(
        label="Icon",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 8, "placeholder": "💬", "size": 4}),
        help_text="One emoji.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=Space.Visibility.choices,
        widget=forms.RadioSelect,
        initial=Space.Visibility.MEMBERS,
    )
    required_tier = forms.ModelChoiceField(
        label="Required tier",
        queryset=None,
        required=False,
        empty_label="No tier",
        help_text="Only for paid spaces: members holding this tier see the space.",
    )
    post_permission = forms.ChoiceField(
        label="Who may post",
        choices=Space.PostPermission.choices,
        widget=forms.RadioSelect,
        initial=Space.PostPermission.ALL,
    )

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_tier"].queryset = selectors.tiers()
        if not creating:
            self.fields["slug"].widget.attrs.pop("placeholder")
            self.fields["slug"].help_text += " Changing it breaks old links."


def _check_admin(user):
    if not access.can_administer(user):
        raise Http404("No such page.")


def _live_space(space_id):
    return get_object_or_404(Space.objects.alive(), pk=space_id)


def _apply_errors(form, error):
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


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
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(reverse(LIST_URL) + f"#space-{space.pk}")
    context = {"form": form, "space": space}
    status = 400 if form.errors else 200
    return render(request, "community/spaces/form.html", context, status=status)


def new_space(request):
    return _space_form(request)


def edit_space(request, space_id):
    _check_admin(request.user)
    return _space_form(request, space=_live_space(space_id))


@require_POST
def delete_space(request, space_id):
    """A POST without `confirm` (no script to ask) shows a page that asks first."""
    _check_admin(request.user)
    space = _live_space(space_id)
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
    _check_admin(request.user)
    space = _live_space(space_id)
    ids = [s.pk for s in selectors.spaces_for(request.user)]
    at = ids.index(space.pk)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= to < len(ids):
        ids[at], ids[to] = ids[to], ids[at]
        services.reorder_spaces(request.user, space_ids=ids)
        messages.success(request, f"“{space.name}” is now number {to + 1} of {len(ids)}.")
    return redirect(reverse(LIST_URL) + f"#space-{space.pk}")
