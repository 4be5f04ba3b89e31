"""Bytes on disk named by their SHA-256 (read side of the content-addressed store; no database).

`files.py` writes them and keeps their `StoredFile` rows; `StoredFile.read_bytes` reads through here, so the
model and the store do not import each other.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

from django.conf import settings

CHUNK = 1024 * 1024


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(settings.FILES_DIR) / sha256[:2] / sha256[2:4] / sha256


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
