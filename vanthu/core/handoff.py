"""A stored file sent to the person: by the reverse proxy when the deployment has one, else streamed by Python.

Behind nginx (`VANTHU_FILES_HANDOFF=nginx`, docs/deploy.md) the view answers with an empty body and
`X-Accel-Redirect` to an `internal` location mapped onto the file store: vanthu has already checked access and
recorded the read, and nginx sends the bytes with `sendfile` — no app-server process is held for the length of a
large download. Without a proxy (`vanthu serve`, the tests) the file is streamed in chunks by `FileResponse`.
Callers set Content-Disposition and Cache-Control on the response as before: nginx passes them on.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseBase

from vanthu.core import blobs

NGINX = "nginx"


def internal_location(sha256: str) -> str:
    """The proxy's internal URI of a stored file (the store's own layout under FILES_HANDOFF_PREFIX)."""
    path = blobs.path_for(sha256)  # refuses anything that is not a SHA-256 name
    return f"{settings.FILES_HANDOFF_PREFIX.rstrip('/')}/{sha256[:2]}/{sha256[2:4]}/{path.name}"


def stored_file(sha256: str, *, content_type: str) -> HttpResponseBase:
    """The response that sends a stored file. Raises FileNotFoundError (streamed) when it is not in the store."""
    if settings.FILES_HANDOFF == NGINX:
        if not blobs.path_for(sha256).exists():
            raise FileNotFoundError(sha256)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = internal_location(sha256)
        return response
    return FileResponse(blobs.open_file(sha256), content_type=content_type)
