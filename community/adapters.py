from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render

from . import access


def banned_response(request, user):
    return render(request, "account/banned.html", {"banned_member": user}, status=403)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        super().send_mail(
            template_prefix, email, {**context, "site_name": settings.AGORA_SITE_NAME}
        )

    def pre_login(self, request, user, **kwargs):
        # Inactive accounts keep allauth's own page; banned ones get ours.
        if user.is_active and not access.may_sign_in(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return banned_response(request, user)
        return super().pre_login(request, user, **kwargs)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            name = data.get("name") or " ".join(
                part for part in (data.get("first_name"), data.get("last_name")) if part
            )
            user.display_name = (name or (user.email or "").split("@")[0] or "Member")[:100]
        return user
