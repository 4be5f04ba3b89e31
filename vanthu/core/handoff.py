"""A stored file sent to the person: by the reverse proxy when the deployment has one, else streamed by Python.

Behind nginx (`VANTHU_FILES_HANDOFF=nginx`, docs/deploy.md) the view answers with an empty body and
`X-Accel-Redirect`: vanthu has already checked access and recorded the read, and nginx sends the bytes — no
app-server process is held for the length of a large download.
- local store: to the `internal` location mapped onto the store's folder (`FILES_HANDOFF_PREFIX`), sent with
  `sendfile`;
- object storage: to the `internal` location that proxies to the S3 endpoint (`FILES_HANDOFF_S3_PREFIX`), with
  the path and query of a presigned GET valid 60 s (`blobs.handoff`): nginx fetches it from the bucket and relays
  it; the person never sees the bucket's address or a URL that outlives the hand-off.
Without a proxy (`vanthu serve`, the tests) the file is streamed in chunks by `FileResponse`, hashed as it is read.
Callers set Content-Disposition and Cache-Control on the response as before: nginx passes them on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseBase

from vanthu.core import blobs
from vanthu.core.store_types import BlobDamaged

NGINX = "nginx"


def internal_location(sha256: str) -> str:
    """The proxy's internal URI of a file of the local store (its layout under FILES_HANDOFF_PREFIX)."""
    path = blobs.path_for(sha256)  # refuses anything that is not a SHA-256 name
    return f"{settings.FILES_HANDOFF_PREFIX.rstrip('/')}/{sha256[:2]}/{sha256[2:4]}/{path.name}"


def stored_file(sha256: str, *, content_type: str, filename: str = "") -> HttpResponseBase:
    """The response that sends a stored file. Raises BlobDamaged (a clear 409) when it is not in the store."""
    if settings.FILES_HANDOFF == NGINX:
        way = blobs.handoff(sha256, filename=filename or sha256, content_type=content_type)
        response = HttpResponse(content_type=content_type)
        if way.path is not None:
            if not way.path.exists():  # the same clear refusal as a streamed read of a missing file
                raise BlobDamaged(sha256, "missing")
            response["X-Accel-Redirect"] = internal_location(sha256)
        else:
            presigned = urlsplit(str(way.url))
            response["X-Accel-Redirect"] = (f"{settings.FILES_HANDOFF_S3_PREFIX.rstrip('/')}/"
                                            f"{presigned.path.lstrip('/')}?{presigned.query}")
        return response
    return FileResponse(blobs.open_file(sha256), content_type=content_type)
