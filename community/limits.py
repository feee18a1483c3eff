"""The request body limit: a body over settings.MAX_REQUEST_BODY_SIZE is refused with 413
before it is read, on whichever server runs the app.

- wsgi_body_limit wraps the WSGI application (config/wsgi.py, what granian serves). Django
  reads a WSGI body only up to its declared Content-Length (none: an empty body), so a
  declared length over the limit is answered with 413 and the body is never read.
- BodySizeLimitMiddleware wraps the ASGI HTTP application (config/asgi.py). A declared
  Content-Length over the limit is answered at once, the app never runs; a body without
  one (chunked) is counted as the app receives it, and the app's `receive` raises
  RequestBodyTooLarge once past the limit, which the middleware turns into the 413 when no
  response has started. Servers that stream the body to the app (uvicorn) never hold more
  than the limit.
- Daphne receives the whole body before it starts the app, then queues all of it in
  memory at once, so the middleware alone would come too late there:
  limit_daphne_request_bodies() makes daphne's request refuse it while it arrives (from
  its Content-Length, or once the received chunks pass the limit) and close the
  connection, so the rest is never read.

The limit is MAX_REQUEST_BODY_SIZE, or larger under a LARGE_UPLOAD_PATHS prefix (the course
pages and API that take big files): body_limit(path) answers for every server alike.

The response is JSON `{"code": "too_large", "detail": …}` under /api/, a short page
elsewhere. A limit of 0 turns the check off (when a proxy in front enforces one).
"""

import json
import logging
from urllib.parse import unquote

from django.conf import settings
from django.template.defaultfilters import filesizeformat

logger = logging.getLogger(__name__)

STATUS = 413


class RequestBodyTooLarge(Exception):
    """Raised by the wrapped `receive` once the body passes the limit."""


def body_limit(path=""):
    """The limit for a request to `path`: MAX_REQUEST_BODY_SIZE, or the larger one of a
    LARGE_UPLOAD_PATHS prefix it starts with (course files). 0: no check at all."""
    limit = int(getattr(settings, "MAX_REQUEST_BODY_SIZE", 0) or 0)
    if not limit:
        return 0
    for prefix, larger in (getattr(settings, "LARGE_UPLOAD_PATHS", None) or {}).items():
        if path.startswith(prefix):
            limit = max(limit, int(larger))
    return limit


def too_large_response(path, limit):
    """(content type, body) of the 413 for a request to `path`."""
    detail = f"The request body is larger than the limit of {filesizeformat(limit)}."
    return _refusal(path, "too_large", "Request too large", detail)


def _refusal(path, code, title, detail):
    if path == "/api" or path.startswith("/api/"):
        body = json.dumps({"code": code, "detail": detail}).encode()
        return b"application/json", body
    page = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
        f"<h1>{title}</h1><p>{detail}</p></html>"
    )
    return b"text/html; charset=utf-8", page.encode()


def _declared_length(headers):
    """The largest Content-Length the request declares, or None (absent or unreadable:
    the body is then counted as it arrives)."""
    lengths = []
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                lengths.append(int(value.strip()))
            except ValueError:
                continue
    return max(lengths) if lengths else None


def _log_refusal(method, path, limit, declared):
    how = f"declares {declared} bytes" if declared is not None else "passed it while arriving"
    logger.warning("Refused %s %s: body over the limit of %s bytes (%s)", method, path, limit, how)


class BodySizeLimitMiddleware:
    """ASGI middleware for the HTTP application; other scopes pass through."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        limit = body_limit(path) if scope["type"] == "http" else 0
        if not limit:
            return await self.app(scope, receive, send)
        declared = _declared_length(scope.get("headers", []))
        if declared is not None and declared > limit:
            _log_refusal(scope.get("method"), path, limit, declared)
            return await self._refuse(send, path, limit)

        received = 0
        response_started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestBodyTooLarge:
            _log_refusal(scope.get("method"), path, limit, None)
            if response_started:
                # Too late for a status: end the response; the server drops the rest.
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await self._refuse(send, path, limit)

    async def _refuse(self, send, path, limit):
        content_type, body = too_large_response(path, limit)
        await send(
            {
                "type": "http.response.start",
                "status": STATUS,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})


def wsgi_body_limit(app):
    """WSGI middleware: 413 for a declared Content-Length over the limit, and 411 for a
    chunked body (Django would read it as empty: say so rather than drop the data)."""

    def refuse(start_response, status, content):
        content_type, body = content
        headers = [("Content-Type", content_type.decode()), ("Content-Length", str(len(body)))]
        start_response(status, [*headers, ("Connection", "close")])
        return [body]

    def limited(environ, start_response):
        path = environ.get("PATH_INFO", "")
        limit = body_limit(path)
        length = environ.get("CONTENT_LENGTH") or ""
        if not length and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            detail = "Send the request body with a Content-Length header (not chunked)."
            content = _refusal(path, "length_required", "Length required", detail)
            return refuse(start_response, "411 Length Required", content)
        declared = int(length) if length.isdigit() else 0
        if not limit or declared <= limit:
            return app(environ, start_response)
        _log_refusal(environ.get("REQUEST_METHOD"), path, limit, declared)
        return refuse(start_response, "413 Content Too Large", too_large_response(path, limit))

    return limited


def limit_daphne_request_bodies():
    """Make daphne refuse an oversized body while it arrives (see the module's docstring).
    Harmless where daphne is not the server; does nothing if daphne is not installed."""
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:
        return
    if getattr(WebRequest, "agora_body_limit", False):
        return
    got_length = WebRequest.gotLength
    handle_content_chunk = WebRequest.handleContentChunk
    process = WebRequest.process

    def request_path(request):
        # The request line's path (Twisted keeps it on the channel before the body comes).
        path = getattr(request.channel, "_path", b"") or b""
        return unquote(path.split(b"?", 1)[0].decode("latin-1"))

    def refuse(request, declared):
        request.agora_refused = True
        path = request_path(request)
        limit = body_limit(path)
        _log_refusal(
            getattr(request.channel, "_command", b"").decode("latin-1"), path, limit, declared
        )
        # No "100 Continue" after the answer (Twisted sends it after gotLength).
        request.requestHeaders.removeHeader(b"expect")
        content_type, body = too_large_response(path, limit)
        request.channel.transport.write(
            b"HTTP/1.1 413 Content Too Large\r\ncontent-type: "
            + content_type
            + b"\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )
        request.channel.loseConnection()  # stops reading; the rest of the body is dropped

    def limited_got_length(self, length):
        self.agora_received = 0
        self.agora_refused = False
        got_length(self, length)
        limit = body_limit(request_path(self))
        if limit and length is not None and length > limit:
            refuse(self, length)

    def limited_handle_content_chunk(self, data):
        if getattr(self, "agora_refused", False):
            return
        self.agora_received = getattr(self, "agora_received", 0) + len(data)
        limit = body_limit(request_path(self))
        if limit and self.agora_received > limit:
            refuse(self, None)
            return
        handle_content_chunk(self, data)

    def limited_process(self):
        if getattr(self, "agora_refused", False):
            return None
        return process(self)

    WebRequest.gotLength = limited_got_length
    WebRequest.handleContentChunk = limited_handle_content_chunk
    WebRequest.process = limited_process
    WebRequest.agora_body_limit = True
