"""API for the admins' full export of the community: the same zip as the page's download
and `manage.py export_community` (community/portability)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from community import services
from community.portability import FORMAT, FORMAT_VERSION
from community.portability.download import zip_download

from .errors import ErrorSerializer
from .social import JsonErrorsNegotiation


class CommunityExportView(APIView):
    content_negotiation_class = JsonErrorsNegotiation

    @extend_schema(
        operation_id="community_export",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=f"A zip (named `community-<date>.zip`) of format `{FORMAT}` "
                f"version {FORMAT_VERSION}: `manifest.json` (format, version, site name, "
                "creation time, the apps and models with their row counts, the stored files "
                "per storage), `data/<app>.<model>.jsonl` (each model's rows, one JSON object "
                "per line, in Django's serialization format; content types and permissions by "
                "natural key) and `media/<storage>/<name>` (every stored file). "
                "`manage.py import_community` loads it into an empty install. It holds "
                "members' addresses, password hashes and messages: keep it private.",
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="Only admins may export the community."
            ),
        },
        summary="The whole community as a zip (admins)",
    )
    def get(self, request):
        def write(file):
            services.export_community(request.user, file=file)

        return zip_download(request, write, name="community")
