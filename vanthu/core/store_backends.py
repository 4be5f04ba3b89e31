"""Where the bytes of the content-addressed store live: the backend interface and its choice by URL.

An adapter (decision 0025): no ORM, no actions. Two backends implement `Backend`: local disk
(`store_local.LocalBackend`, `file:///path`) and S3-compatible object storage (`store_s3.S3Backend`,
`s3://BUCKET/PREFIX`). Keys are SHA-256 hex digests; an object is written once and never changed.
`blobs.py` (reads) and `files.py` (writes and their `StoredFile` rows) are the only callers outside the
`vanthu files` command and the system checks.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from vanthu.core.store_types import Backend, BlobDamaged, Handoff, StoreUnavailable, is_key

__all__ = ["Backend", "BlobDamaged", "Handoff", "StoreUnavailable", "backend", "default_url", "from_url", "is_key"]


_lock = threading.Lock()
_cache: dict[tuple[str, str], Backend] = {}


def default_url() -> str:
    url = str(getattr(settings, "FILES_URL", "") or "")
    return url or Path(settings.FILES_DIR).resolve().as_uri()


def from_url(url: str) -> Backend:
    """The backend a `file:///…` or `s3://BUCKET/PREFIX` URL names (ValueError for anything else)."""
    endpoint = str(getattr(settings, "S3_ENDPOINT_URL", "") or "")
    with _lock:
        found = _cache.get((url, endpoint))
        if found is None:
            found = _cache[(url, endpoint)] = _make(url, endpoint=endpoint)
        return found


def _make(url: str, *, endpoint: str) -> Backend:
    parts = urlsplit(url)
    if parts.scheme == "file":
        from vanthu.core.store_local import LocalBackend

        return LocalBackend(Path(parts.path), url=url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"{url!r}: an s3:// URL names a bucket (s3://BUCKET/PREFIX)")
        from vanthu.core.store_s3 import S3Backend

        return S3Backend(bucket=parts.netloc, prefix=parts.path.strip("/"), endpoint_url=endpoint, url=url)
    raise ValueError(f"{url!r} is neither file:///PATH nor s3://BUCKET/PREFIX")


def backend() -> Backend:
    """The store this deployment uses (VANTHU_FILES_URL; local disk under VANTHU_FILES_DIR by default)."""
    return from_url(default_url())
