"""The project's URLs plus uploaded files, which `config.urls` serves only under DEBUG."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import urlpatterns as project_urlpatterns


def media(request, path):
    # MEDIA_ROOT is read per request: each test points it at its own folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    *project_urlpatterns,
]
