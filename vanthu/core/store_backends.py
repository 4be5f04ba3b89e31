"""Where the bytes of the content-addressed store live: the backend interface and its choice by URL.

An adapter (decision 0025): no ORM, no actions. Two backends implement `Backend`: local disk
(`store_local.LocalBackend`, `file:///path`) and S3-compatible object storage (`store_s3.S3Backend`,
`s3://BUCKET/PREFIX`). Keys are SHA-256 hex digests; an object is written once and never changed.
`blobs.py` (reads) and `files.py` (writes and their `StoredFile` rows) are the only callers outside the
`vanthu files` command and the system checks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vanthu.core.errors import ActionRefused


class StoreUnavailable(ActionRefused):
    """The file store could not be reached (object storage down, a network fault): nothing was written."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(_("Kho lưu trữ tệp đang không truy cập được, nên chưa có gì được lưu hay tải về. "
                           "Hãy thử lại sau ít phút; nếu lỗi kéo dài, báo cho quản trị."),
                         code="file_store_unavailable", status=503)
        self.detail = detail


class BlobDamaged(ActionRefused):
    """A stored file is missing from the store or its bytes no longer hash to its name: it is not handed out."""

    def __init__(self, sha256: str, why: str) -> None:
        super().__init__(_("Tệp này bị thiếu hoặc đã bị thay đổi trong kho lưu trữ nên không được cung cấp. "
                           "Hãy báo cho quản trị (lệnh `vanthu files verify`)."),
                         code="file_damaged", status=409)
        self.sha256 = sha256
        self.why = why


@dataclass(frozen=True)
class Handoff:
    """How a download can leave vanthu without streaming through Python (after vanthu's own access check):
    a local path (for nginx's X-Accel-Redirect) or a short-lived presigned URL."""

    path: Path | None = None
    url: str | None = None


class Backend(Protocol):
    url: str

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None:
        """The object's size in bytes, None when there is none."""

    def put_file(self, key: str, source: Path, *, sha256: str, size: int) -> bool:
        """Write `source` (a temporary file, consumed) under `key` unless the key exists; True when written.
        The backend checks the bytes it received (the server against the SHA-256) before they count."""

    def open(self, key: str) -> IO[bytes]:
        """A reading handle on the object (raises `BlobDamaged(key, "missing")` when there is none)."""

    def delete(self, key: str) -> None: ...

    def keys(self) -> list[tuple[str, float]]:
        """Every object that looks like a stored file: (key, last modified as a Unix time)."""

    def stray_temporaries(self, *, older_than: float) -> list[Path]:
        """Temporary files left by interrupted writes (local disk only)."""

    def temp_dir(self) -> Path | None:
        """Where a write stages its bytes while hashing them (None: the system's temporary folder)."""

    def handoff(self, key: str, *, filename: str, content_type: str, seconds: int) -> Handoff: ...

    def problems(self) -> list[str]:
        """Configuration faults found by reaching the store, each naming the setting at fault."""


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


def is_key(key: str) -> bool:
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)
