from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.utils.functional import lazy
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from community import branding
from community.api.errors import route_not_found
from community.health import healthz

# Lazy: read from the community's branding (community.branding, cached) on each admin page.
admin.site.site_header = lazy(lambda: f"{branding.current().name} administration", str)()
admin.site.site_title = lazy(lambda: f"{branding.current().name} admin", str)()

# Swagger UI sets inline styles; only this page allows them.
api_docs = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("community.api.urls")),
    path("api/v1/", include("payments.api_urls")),
    path("api/v1/", include("courses.api_urls")),
    path("api/v1/", include("events.api_urls")),
    path("api/v1/", include("gamification.api_urls")),
    path("api/v1/", include("messaging.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    # Any other path under /api/ is a JSON 404 (community.api.errors.route_not_found).
    re_path(r"^api/", route_not_found, name="api-not-found"),
    path("", include("payments.urls")),
    path("", include("courses.urls")),
    path("", include("events.urls")),
    path("", include("gamification.urls")),
    path("", include("messaging.urls")),
    path("", include("community.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The bench app is installed only in benchmark mode (AGORA_BENCHMARK=1, set by bench/run.py):
# its probes are mounted by name, so that config never imports bench (bench imports config).
if apps.is_installed("bench"):
    urlpatterns.append(path("", include("bench.probes")))

# Django renders the 500 page without context processors: this view gives it the site's name.
handler500 = "community.errors.server_error"
handler400 = "community.errors.bad_request"  # JSON under /api/
