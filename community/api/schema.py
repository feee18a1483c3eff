"""The OpenAPI schema's one addition to drf-spectacular: every operation documents the errors
it can answer, all with the body of community.api.errors.ErrorSerializer, so that no view
has to list them (configured as REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from drf_spectacular.openapi import AutoSchema

from .errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "The request was not valid: `fields` names each refused field (unknown fields too).",
    "401": "Not signed in, or the token is not valid, revoked or sent with another scheme "
    "than `Bearer`.",
    "403": "Signed in, but not allowed to do this (or, for a session, the CSRF token is missing).",
    "404": "No such thing, or one you may not see: both answer the same.",
    "429": "Too many requests: wait `retry_after` seconds.",
}


class AgoraAutoSchema(AutoSchema):
    """Adds the error responses an operation can give, unless its view documents them:

    - 401 and 429 everywhere (every route needs a member; every route is throttled);
    - 400 where there is a request body or a query parameter, and on every write (a service
      can refuse one as invalid without a body, e.g. following oneself);
    - 403 on every write (permissions, CSRF on session writes);
    - 404 where the path names something (an id, a slug).
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        codes = ["401", "429"]
        write = self.method not in ("GET", "HEAD", "OPTIONS")
        if write or "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        if write:
            codes.append("403")
        if any(p["in"] == "path" for p in parameters):
            codes.append("404")
        responses = operation.setdefault("responses", {})
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self.error_response(code)
        return operation

    def error_response(self, code):
        response = self._get_response_for_code(ErrorSerializer, code)
        response["description"] = ERROR_DESCRIPTIONS[code]
        if code == "401":
            response["headers"] = {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "description": "`Bearer`: send a personal API token as "
                    "`Authorization: Bearer <token>`.",
                }
            }
        return response
