"""Streamed downloads (the members' CSV, the community's zip): one way to send them."""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control


async def _read_in_sync_thread(chunks):
    """`chunks` for an ASGI server: each one made (its queries or reads run) in the
    request's sync thread, as the view's were. Given a plain generator, Django would read
    all of it into memory before sending the first byte."""
    chunks = iter(chunks)
    next_chunk = sync_to_async(next, thread_sensitive=True)
    while (chunk := await next_chunk(chunks, None)) is not None:
        yield chunk


def streamed_attachment(request, chunks, *, name, extension, content_type, size=None):
    """An attachment `<name>-<today>.<extension>` of `chunks`, made only as the response is
    sent. `request` may be Django's or DRF's. Private data (members' addresses): no shared
    cache may keep a copy."""
    if isinstance(getattr(request, "_request", request), ASGIRequest):
        chunks = _read_in_sync_thread(chunks)
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.{extension}"'
    )
    if size is not None:
        response["Content-Length"] = str(size)
    patch_cache_control(response, private=True, no_store=True)
    return response
