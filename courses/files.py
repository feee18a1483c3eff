"""Serving a private file (an attachment, an uploaded video) to a viewer already checked by
the caller: streamed from the local disk, or a redirect to a short-lived signed S3 link
(the private storage's `querystring_expire`), never a guessable public URL."""

from django.http import FileResponse, HttpResponseRedirect


def private_file_response(field_file, *, filename, content_type, inline=False):
    storage = field_file.storage
    try:
        path = storage.path(field_file.name)
    except NotImplementedError:
        # A remote storage (S3): its signed link expires in minutes.
        response = HttpResponseRedirect(storage.url(field_file.name))
    else:
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            as_attachment=not inline,
            filename=filename,
            content_type=content_type,
        )
    # Each viewer's access was checked for this response: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response
