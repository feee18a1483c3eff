"""The export as a download, for the admins' page and the API alike: written to a temporary
file (the zip's directory comes last, so it cannot be streamed as it is made), then streamed
from it. The file has no name on disk and is gone once the response is closed."""

import tempfile

from community.downloads import streamed_attachment

BLOCK_SIZE = 1024 * 1024


def _chunks(file):
    try:
        while chunk := file.read(BLOCK_SIZE):
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
    response = streamed_attachment(request, _chunks(file), name=name, extension="zip",
                                   content_type="application/zip", size=size)  # fmt: skip
    response._resource_closers.append(file.close)  # also if the client leaves early
    return response
