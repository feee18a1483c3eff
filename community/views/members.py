from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from community import access, selectors, services
from community.forms import ApiTokenForm, ProfileForm, RoleForm, apply_service_errors
from community.models import ApiToken
from community.profile_panels import profile_panels

from .common import form_status


@login_required
def own_profile(request):
    summary = selectors.profile_summary(request.user, request.user)
    context = {"member": request.user, "is_own": True, **summary}
    context["profile_panels"] = profile_panels(request, request.user)
    return render(request, "community/profile.html", context)


def profile(request, member_id):
    member = selectors.member_profile(request.user, member_id)
    is_own = request.user.is_authenticated and request.user.pk == member.pk
    summary = selectors.profile_summary(request.user, member)
    context = {"member": member, "is_own": is_own, **summary}
    context["profile_panels"] = profile_panels(request, member)
    if access.can_administer(request.user):
        context["role_form"] = RoleForm(initial={"role": member.role})
    return render(request, "community/profile.html", context)


@login_required
def edit_profile(request):
    form = ProfileForm.for_member(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_profile(request.user, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("community:own_profile")
    return render(request, "community/profile_edit.html", {"form": form}, status=form_status(form))


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.create_api_token(
                request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = ApiTokenForm()
    context = {"form": form, "tokens": selectors.api_tokens(request.user), "new_key": new_key}
    return render(request, "community/api_tokens.html", context, status=form_status(form))


@login_required
@require_POST
def revoke_api_token(request, token_id):
    try:
        token = services.revoke_api_token(request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        messages.error(request, "That token does not exist or was already revoked.")
    else:
        messages.success(
            request, f"“{token.name}” is revoked; integrations using it stop working now."
        )
    return redirect("community:api_tokens")
