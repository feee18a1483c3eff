from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.mail import EmailMultiAlternatives
from django.shortcuts import render
from django.template.loader import render_to_string

from . import access, branding, mail


def banned_response(request, user):
    return render(request, "account/banned.html", {"banned_member": user}, status=403)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        super().send_mail(template_prefix, email, {**context, "site_name": branding.current().name})

    def format_email_subject(self, subject):
        return f"[{branding.current().name}] {subject}"

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's account mails are plain text; they also go out in the HTML shell every
        other mail of the community has, with the same words (links made clickable)."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            html = render_to_string(
                "email/account.html",
                {**mail.branding(), "subject": message.subject, "body": message.body},
            )
            message.attach_alternative(html, "text/html")
        return message

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
