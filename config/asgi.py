import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from community.limits import BodySizeLimitMiddleware, limit_daphne_request_bodies  # noqa: E402
from community.routing import websocket_urlpatterns  # noqa: E402
from community.socket_auth import SocketAuthMiddleware  # noqa: E402
from config.startup import freeze_loaded_objects  # noqa: E402

# Request bodies over settings.MAX_REQUEST_BODY_SIZE get a 413 before they are read, under
# uvicorn (the middleware) and daphne (which buffers whole bodies before the app runs).
limit_daphne_request_bodies()
http_app = ASGIStaticFilesHandler(django_asgi_app) if settings.DEBUG else django_asgi_app

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimitMiddleware(http_app),
        "websocket": SocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
freeze_loaded_objects()
