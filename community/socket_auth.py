"""Who is on the other end of a WebSocket: an API token (integrations send
`Authorization: Bearer <token>`), else the browser's session, whose Origin must be one of
ALLOWED_HOSTS so another site cannot open a socket with the member's cookie."""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed

from community.api.authentication import BearerTokenAuthentication


def _bearer_key(scope):
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            keyword, _, key = value.decode(errors="replace").partition(" ")
            if keyword.lower() == "bearer" and key.strip():
                return key.strip()
    return None


@database_sync_to_async
def _authenticate_key(raw_key):
    try:
        user, token = BearerTokenAuthentication().authenticate_key(raw_key)
    except AuthenticationFailed:
        return AnonymousUser(), None
    return user, token.pk


class SocketAuthMiddleware:
    def __init__(self, inner):
        self.inner = inner
        self.session_app = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope, receive, send):
        raw_key = _bearer_key(scope)
        if raw_key is None:
            return await self.session_app(scope, receive, send)
        user, token_id = await _authenticate_key(raw_key)
        scope = dict(scope, user=user, api_token_id=token_id)
        return await self.inner(scope, receive, send)
