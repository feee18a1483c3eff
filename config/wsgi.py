"""WSGI entry point (for tools that need one; Agora is served over ASGI, config/asgi.py).

The request body limit (MAX_REQUEST_BODY_SIZE, community/limits.py) is enforced by the ASGI
application only: behind a WSGI server, cap bodies at the proxy or the server.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
