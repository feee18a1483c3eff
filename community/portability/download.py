"""The export as a download, for the admins' page and the API alike: written to a temporary
file (the zip's directory comes last, so it cannot be streamed as it is made), then streamed
from it. The file has no name on disk and is gone once the response is closed."""

import tempfile

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

BLOCK_SIZE = 1024 * 1024


def _chunks(file):
    try:
        while chunk := file.read(BLOCK_SIZE):
            yield chunk
    finally:
        file.close()


async def _chunks_async(file):
    """For an ASGI server: each block read in a worker thread. Given a plain generator,
    Django would read the whole file into memory before sending the first byte."""
    read = sync_to_async(file.read, thread_sensitive=False)
    try:
        while chunk := await read(BLOCK_SIZE):
            yield chunk
    finally:
        file.close()


def zip_download(request, write, *, name):
    """A streamed attachment `<name>-<today>.zip` of what `write(file)` writes. `request`
    may be Django's or DRF's."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the response is)
    try:
        write(file)
        size = file.tell()
        file.seek(0)
    except BaseException:
        file.close()
        raise
    asgi = isinstance(getattr(request, "_request", request), ASGIRequest)
    chunks = _chunks_async(file) if asgi else _chunks(file)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response._resource_closers.append(file.close)  # also if the client leaves early
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.zip"'
    )
    # Every member's address, password hash and messages: no shared cache keeps a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response
