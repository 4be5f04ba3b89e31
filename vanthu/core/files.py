"""Content-addressed file store: a file's name is the SHA-256 of its bytes.

Files are written to a temporary name and renamed into place, read-only; writing the same bytes twice
keeps one copy. A file written by a transaction that later rolls back stays on disk unreferenced; it holds
no record and `vanthu files gc` removes it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings

from vanthu.core.blobs import CHUNK as CHUNK
from vanthu.core.blobs import open_file as open_file
from vanthu.core.blobs import path_for as path_for
from vanthu.core.blobs import read as read
from vanthu.core.blobs import verify as verify
from vanthu.core.models import StoredFile


def _write(chunks: Iterable[bytes]) -> tuple[str, int, Path]:
    root = Path(settings.FILES_DIR)
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root / "tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(tmp_name)
        raise
    return digest.hexdigest(), size, Path(tmp_name)


def _place(sha256: str, tmp: Path) -> None:
    target = path_for(sha256)
    if target.exists():
        tmp.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o444)
    os.replace(tmp, target)


def store_bytes(data: bytes, *, content_type: str) -> StoredFile:
    sha, size, tmp = _write([data])
    _place(sha, tmp)
    stored, _ = StoredFile.objects.get_or_create(sha256=sha, defaults={"size": size, "content_type": content_type})
    return stored


def store_stream(stream: IO[bytes], *, content_type: str) -> StoredFile:
    stream.seek(0)
    sha, size, tmp = _write(iter(lambda: stream.read(CHUNK), b""))
    _place(sha, tmp)
    stored, _ = StoredFile.objects.get_or_create(sha256=sha, defaults={"size": size, "content_type": content_type})
    return stored


def verify_all() -> tuple[int, list[tuple[str, str]]]:
    """Re-hash every stored file: (how many were checked, [(sha256, "missing" | "content differs"), …])."""
    bad: list[tuple[str, str]] = []
    count = 0
    for sha in StoredFile.objects.values_list("sha256", flat=True).iterator(chunk_size=2000):
        count += 1
        path = path_for(sha)
        if not path.exists():
            bad.append((sha, "missing"))
        elif not verify(sha):
            bad.append((sha, "content differs"))
    return count, bad
