"""The bytes of the content-addressed store on local disk: a file's name is the SHA-256 of its bytes.

An adapter: it knows paths and bytes, never the database (`vanthu.core.files` records what it stores).
Files are written to a temporary name and renamed into place, read-only; writing the same bytes twice keeps
one copy.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.conf import settings

CHUNK = 1024 * 1024


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.FILES_DIR) / sha256[:2] / sha256[2:4] / sha256


def write(chunks: Iterable[bytes]) -> tuple[str, int, Path]:
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


def place(sha256: str, tmp: Path) -> None:
    target = path_for(sha256)
    if target.exists():
        tmp.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp.chmod(0o444)
    os.replace(tmp, target)


def read(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()


def open_file(sha256: str) -> IO[bytes]:
    return path_for(sha256).open("rb")


def verify(sha256: str) -> bool:
    """True when the bytes on disk still hash to their name."""
    digest = hashlib.sha256()
    with open_file(sha256) as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest() == sha256
