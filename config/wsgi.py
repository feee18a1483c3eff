"""WSGI entry point: HTTP under granian in production (README, "Serving"); WebSockets are
served by config/asgi.py. The request body limit (community/limits.py) wraps it here too."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from community.limits import wsgi_body_limit
from config.startup import freeze_loaded_objects

application = wsgi_body_limit(get_wsgi_application())
freeze_loaded_objects()
