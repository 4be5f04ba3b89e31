"""Content-addressed file store: a file's name is the SHA-256 of its bytes; `StoredFile` records each one.

The bytes live in `vanthu.core.blobs`. A file written by a transaction that later rolls back stays on disk
unreferenced; it holds no record and `vanthu files gc` removes it.
"""

from __future__ import annotations

from typing import IO

from vanthu.core.blobs import CHUNK, open_file, path_for, place, read, verify, write
from vanthu.core.models import StoredFile

__all__ = ["CHUNK", "open_file", "path_for", "read", "store_bytes", "store_stream", "verify"]


def store_bytes(data: bytes, *, content_type: str) -> StoredFile:
    sha, size, tmp = write([data])
    place(sha, tmp)
    stored, _ = StoredFile.objects.get_or_create(sha256=sha, defaults={"size": size, "content_type": content_type})
    return stored


def store_stream(stream: IO[bytes], *, content_type: str) -> StoredFile:
    stream.seek(0)
    sha, size, tmp = write(iter(lambda: stream.read(CHUNK), b""))
    place(sha, tmp)
    stored, _ = StoredFile.objects.get_or_create(sha256=sha, defaults={"size": size, "content_type": content_type})
    return stored
