from rest_framework.throttling import UserRateThrottle

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class WriteRateThrottle(UserRateThrottle):
    """A tighter limit on writes, per member (or per address when anonymous)."""

    scope = "write"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
