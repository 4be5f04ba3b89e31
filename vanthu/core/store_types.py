"""The types shared by the file store's backends and their callers (store_backends.py chooses a backend)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

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

    def objects(self) -> Iterator[tuple[str, float]]:
        """Every object that looks like a stored file, as (key, last modified as a Unix time), page by page."""

    def stray_temporaries(self, *, older_than: float) -> list[Path]:
        """Temporary files left by interrupted writes (local disk only)."""

    def temp_dir(self) -> Path | None:
        """Where a write stages its bytes while hashing them (None: the system's temporary folder)."""

    def handoff(self, key: str, *, filename: str, content_type: str, seconds: int) -> Handoff: ...

    def problems(self) -> list[str]:
        """Configuration faults found by reaching the store, each naming the setting at fault."""


def is_key(key: str) -> bool:
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)
