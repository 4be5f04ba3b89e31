"""Bytes named by their SHA-256 (read side of the content-addressed store; no database).

`files.py` writes them and keeps their `StoredFile` rows; `StoredFile.read_bytes` reads through here, so the
model and the store do not import each other. The bytes live in the backend `VANTHU_FILES_URL` names
(`store_backends.py`: local disk or S3-compatible object storage).

Every read hands out bytes only after they hashed to their name (decision 0025): `open_file` and `read`
check the whole file before the first byte is used, so a file missing or altered in the store is refused
(`BlobDamaged`, a clear message) instead of being sent; an unreachable store raises `StoreUnavailable`.
From object storage the bytes are staged in a temporary file (spilled to disk above `SPOOL`), never held
whole in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vanthu.core.store_backends import Backend, BlobDamaged, Handoff, StoreUnavailable, backend, is_key
from vanthu.core.store_local import LocalBackend

__all__ = [
    "CHUNK",
    "BlobDamaged",
    "Handoff",
    "StoreUnavailable",
    "check",
    "copy_checked",
    "handoff",
    "local_copy",
    "open_file",
    "path_for",
    "read",
    "store_ok",
    "verify",
]

CHUNK = 1024 * 1024
SPOOL = 4 * 1024 * 1024


def path_for(sha256: str) -> Path:
    """Where the local-disk backend keeps this file (the layout `ROOT/ab/cd/<sha256>`). Only meaningful with
    the local backend: code that needs a file on disk for a program calls `local_copy`."""
    if not is_key(sha256):
        raise ValueError("not a SHA-256 hex digest")
    store = backend()
    if isinstance(store, LocalBackend):
        return store.path(sha256)
    from django.conf import settings

    return Path(settings.FILES_DIR) / sha256[:2] / sha256[2:4] / sha256


def copy_checked(sha256: str, source: IO[bytes], out: IO[bytes]) -> None:
    """Copy `source` into `out` in chunks; BlobDamaged when the bytes do not hash to `sha256` (the caller
    discards what was written)."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        out.write(chunk)
    if digest.hexdigest() != sha256:
        raise BlobDamaged(sha256, "content differs")


def open_file(sha256: str) -> IO[bytes]:
    """A reading handle on the file's bytes, checked against their name before it is returned."""
    store = backend()
    if isinstance(store, LocalBackend):
        handle = store.open(sha256)
        try:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
            if digest.hexdigest() != sha256:
                raise BlobDamaged(sha256, "content differs")
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return handle
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 (handed to the caller)
    try:
        with store.open(sha256) as source:
            copy_checked(sha256, source, spool)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def read(sha256: str) -> bytes:
    with open_file(sha256) as handle:
        return handle.read()


def check(sha256: str, *, store: Backend | None = None) -> str | None:
    """None when the file is there and hashes to its name; else "missing" or "content differs"."""
    store = store or backend()
    digest = hashlib.sha256()
    try:
        with store.open(sha256) as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except BlobDamaged as exc:
        return exc.why
    return None if digest.hexdigest() == sha256 else "content differs"


def verify(sha256: str) -> bool:
    """True when the stored bytes are there and still hash to their name."""
    return check(sha256) is None


@contextlib.contextmanager
def local_copy(sha256: str, *, suffix: str = "") -> Iterator[Path]:
    """A path on this machine's disk holding the checked bytes, for programs that read a file by name
    (pdftoppm, tesseract, LibreOffice): the file itself on the local backend, a temporary copy (removed on
    exit) on object storage."""
    store = backend()
    if isinstance(store, LocalBackend):
        with open_file(sha256):
            pass  # checked
        yield store.path(sha256)
        return
    with tempfile.TemporaryDirectory(prefix="vanthu-blob-") as folder:
        target = Path(folder) / f"{sha256}{suffix}"
        with store.open(sha256) as source, target.open("wb") as out:
            copy_checked(sha256, source, out)
        yield target


def handoff(sha256: str, *, filename: str, content_type: str, seconds: int = 60) -> Handoff:
    """How to let the reverse proxy or the client fetch the file without Python streaming it, once vanthu has
    checked the person may have it: a local path (X-Accel-Redirect) or a presigned URL valid `seconds`.
    The bytes are not re-hashed here: `vanthu files verify` checks the store (decision 0025)."""
    if not is_key(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return backend().handoff(sha256, filename=filename, content_type=content_type, seconds=seconds)


def store_ok() -> bool:
    """The file store answers (for /healthz): on local disk a small probe file is written, read back and
    removed; on object storage the bucket is reached with the configured credentials."""
    import secrets

    store = backend()
    if not isinstance(store, LocalBackend):
        try:
            return not store.problems()
        except StoreUnavailable:
            return False
    try:
        probe = store.temp_dir() / f"healthz-{secrets.token_hex(8)}"
        body = secrets.token_bytes(16)
        probe.write_bytes(body)
        readable = probe.read_bytes() == body
        probe.unlink()
        return readable
    except OSError:
        return False
