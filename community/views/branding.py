"""The admins' branding page: the community's name, logo, favicon, colour and own domain,
with a preview. Signed-out visitors go to sign in; members and moderators get 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from community import access, branding, services
from community.forms import BrandingForm, apply_service_errors

from .common import form_status


@login_required
def branding_page(request):
    access.check_can_administer(request.user)
    defaults = branding.defaults()
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES, defaults=defaults)
        if form.is_valid():
            try:
                services.update_branding(request.user, **form.changes())
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "The branding is saved: every page shows it now.")
                return redirect("community:branding")
    else:
        stored = branding.stored()
        initial = {name: stored[name] for name in ("name", "primary_color", "custom_domain")}
        form = BrandingForm(initial=initial, defaults=defaults)
    brand = branding.for_request(request)
    context = {
        "form": form,
        "brand": brand,
        "defaults": defaults,
        "picker_color": brand.primary_color,
        "base_url": branding.base_url(),
    }
    return render(request, "community/branding.html", context, status=form_status(form))
