"""Content-addressed file store: a file's name is the SHA-256 of its bytes.

A write stages the bytes in a temporary file while hashing them, then hands the file to the backend
(`store_backends.py`: local disk, or S3-compatible object storage) under its SHA-256, once: the same bytes
written twice keep one copy. The `StoredFile` row is written only after the backend holds the bytes, so a
failed upload (`StoreUnavailable`) leaves no row pointing at nothing. A file written by a transaction that
later rolls back stays in the store unreferenced; it holds no record and `vanthu files gc` removes it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from django.db import connections, router
from django.db.models import ForeignObjectRel
from django.utils import timezone

from vanthu.core.blobs import CHUNK as CHUNK
from vanthu.core.blobs import check as check
from vanthu.core.blobs import open_file as open_file
from vanthu.core.blobs import path_for as path_for
from vanthu.core.blobs import read as read
from vanthu.core.blobs import verify as verify
from vanthu.core.models import StoredFile
from vanthu.core.store_backends import Backend, backend


def _write(chunks: Iterable[bytes], *, store: Backend) -> tuple[str, int, Path]:
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=store.temp_dir(), prefix="vanthu-upload-")
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


def _store(chunks: Iterable[bytes], *, content_type: str) -> StoredFile:
    store = backend()
    sha, size, tmp = _write(chunks, store=store)
    try:
        store.put_file(sha, tmp, sha256=sha, size=size)  # raises StoreUnavailable: no row below
    finally:
        tmp.unlink(missing_ok=True)
    stored = StoredFile(sha256=sha, size=size, content_type=content_type, created_at=timezone.now())
    if _insert_new(stored):  # new bytes (a sealed file always is): one statement
        return stored
    # the same bytes were stored before, or meanwhile by another writer: their row as it is
    return StoredFile.objects.get(sha256=sha)


_INSERT_NEW = (
    "INSERT INTO {table} (sha256, size, content_type, created_at) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (sha256) DO NOTHING"
)


def _insert_new(stored: StoredFile) -> bool:
    """Insert the row unless one with its SHA-256 exists (no error, no savepoint: PostgreSQL and SQLite both
    skip the conflicting row); True when this statement inserted it."""
    connection = connections[router.db_for_write(StoredFile)]
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_NEW.format(table=connection.ops.quote_name(StoredFile._meta.db_table)),
            [
                stored.sha256,
                stored.size,
                stored.content_type,
                connection.ops.adapt_datetimefield_value(stored.created_at),
            ],
        )
        inserted = cursor.rowcount == 1
    if inserted:
        stored._state.adding, stored._state.db = False, connection.alias
    return inserted


def store_bytes(data: bytes, *, content_type: str) -> StoredFile:
    return _store([data], content_type=content_type)


def store_many(items: Sequence[tuple[bytes, str]]) -> list[StoredFile]:
    """`store_bytes` for several files (bytes, content type), in order: each written to the backend as
    `store_bytes` writes it, then their rows read in one query and the missing ones inserted in one statement
    (a batch of envelopes received: two statements where each file made two)."""
    return rows_for(put_many(items))


def put_many(items: Sequence[tuple[bytes, str]]) -> list[StoredFile]:
    """The first half of `store_many`, with no database: each file written to the backend, and its row to be
    (unsaved: SHA-256, size, content type), in order. A caller that writes rows under a lock puts the bytes before
    it (decision 0050): a file with no row is what a rolled-back transaction leaves anyway (`vanthu files gc`)."""
    store = backend()
    made: list[StoredFile] = []
    for data, content_type in items:
        sha, size, tmp = _write([data], store=store)
        try:
            store.put_file(sha, tmp, sha256=sha, size=size)  # raises StoreUnavailable: no row below
        finally:
            tmp.unlink(missing_ok=True)
        made.append(StoredFile(sha256=sha, size=size, content_type=content_type))
    return made


def rows_for(made: Sequence[StoredFile]) -> list[StoredFile]:
    """The second half of `store_many`: the rows of files `put_many` wrote, in order — read in one query, the
    missing ones inserted in one statement (a row written meanwhile by another writer is the same bytes)."""
    first: dict[str, StoredFile] = {}
    for row in made:
        first.setdefault(row.sha256, row)  # the first content type given for the same bytes, as before
    if not first:
        return []
    found = {row.sha256: row for row in StoredFile.objects.filter(sha256__in=list(first))}
    missing = [row for sha, row in first.items() if sha not in found]
    if missing:
        StoredFile.objects.bulk_create(missing, ignore_conflicts=True)
        found.update((row.sha256, row) for row in missing)
    return [found[row.sha256] for row in made]


def store_stream(stream: IO[bytes], *, content_type: str) -> StoredFile:
    stream.seek(0)
    return _store(iter(lambda: stream.read(CHUNK), b""), content_type=content_type)


def verify_all() -> tuple[int, list[tuple[str, str]]]:
    """Re-hash every stored file: (how many were checked, [(sha256, "missing" | "content differs"), …])."""
    bad: list[tuple[str, str]] = []
    count = 0
    store = backend()
    for sha in StoredFile.objects.values_list("sha256", flat=True).iterator(chunk_size=2000):
        count += 1
        why = check(sha, store=store)
        if why is not None:
            bad.append((sha, why))
    return count, bad


def users_of(sha256: str) -> list[str]:
    """What refers to a stored file ("documents.document 42: <its title>", …), found through every model
    that points at `StoredFile`, so that core names a document without importing the documents app."""
    found: list[str] = []
    for relation in StoredFile._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        model = relation.related_model
        if not isinstance(model, type):
            continue
        field = relation.field.name
        for row in model._default_manager.filter(**{field: sha256})[:5]:
            owner = getattr(row, "document", None)
            label = f"{model._meta.label_lower} {row.pk}"
            if owner is not None and owner is not row:
                label += f" (documents.document {owner.pk}: {owner})"
            else:
                label += f": {str(row)[:80]}"
            found.append(label)
    return found
