"""The one mail payments sends itself: a buyer who had no account gets a link to sign in.
(Payment problems are domain signals; messaging writes those mails.)"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from community import branding
from community.models import User


def send_purchase_sign_in(user_id):
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    # allauth's own password-reset link: the member sets a password and is signed in.
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    site_name = branding.current().name
    context = {"user": user, "link": branding.absolute_url(path), "site_name": site_name}
    send_mail(
        subject=f"Your {site_name} membership: set your password",
        message=render_to_string("payments/email/purchase_sign_in.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
