from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from community import access, selectors
from community.models import ApiToken


def _refuse_banned(user):
    if not access.may_sign_in(user):
        raise exceptions.AuthenticationFailed(_("This account is suspended."), code="banned")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal API token."""

    keyword = "Bearer"
    # Schemes other libraries use for the same kind of token: a client sending one of them
    # (or an Agora key under any scheme) is told the right one, instead of being treated as
    # anonymous. Other schemes (Basic from a proxy in front of the site) are left alone.
    wrong_keywords = {b"token", b"jwt", b"apikey", b"api-key"}

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword.lower().encode():
            looks_like_ours = len(header) == 2 and header[1].startswith(ApiToken.PREFIX.encode())
            if header[0].lower() in self.wrong_keywords or looks_like_ours:
                scheme = header[0].decode(errors="replace")
                raise exceptions.AuthenticationFailed(
                    _("Send the token with the Bearer scheme, not %(scheme)s: "
                      "Authorization: Bearer <token>.") % {"scheme": scheme},
                    code="wrong_scheme",
                )  # fmt: skip
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as: Authorization: Bearer <token>."), code="bad_token_header"
            )
        return self.authenticate_key(header[1].decode(errors="replace"))

    def authenticate_key(self, raw_key):
        token = selectors.active_api_token(raw_key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid or was revoked."), code="invalid_token"
            )
        _refuse_banned(token.user)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, with CSRF enforced on writes."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _refuse_banned(result[0])
        return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
