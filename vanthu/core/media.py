"""Django's default storage (FileFields, e.g. the file of a task's progress report) kept in the file store, so
that no uploaded file stays on one app server's disk (issue 17, item 3; decision 0025).

A saved file becomes a `StoredFile` (content-addressed, in the backend VANTHU_FILES_URL names) and its name
`blob/<sha256>/<original name>`; names saved before this storage (under MEDIA_ROOT) are still read from there.
"""

from __future__ import annotations

import mimetypes
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.deconstruct import deconstructible

from vanthu.core import blobs
from vanthu.core.store_backends import backend, is_key

PREFIX = "blob/"
MAX_NAME = 100  # FileField's default max_length


def _sha_of(name: str) -> str | None:
    parts = name.split("/")
    if len(parts) >= 3 and parts[0] + "/" == PREFIX and is_key(parts[1]):
        return parts[1]
    return None


@deconstructible
class StoreMediaStorage(Storage):
    def _legacy(self) -> FileSystemStorage:
        return FileSystemStorage(location=settings.MEDIA_ROOT)

    def _save(self, name: str, content: Any) -> str:
        from vanthu.core import files

        base = name.rsplit("/", 1)[-1] or "file"
        content_type = mimetypes.guess_type(base)[0] or "application/octet-stream"
        stored = files.store_stream(content, content_type=content_type)
        room = MAX_NAME - len(PREFIX) - 65
        if len(base) > room:
            stem, dot, ext = base.rpartition(".")
            base = (stem[: room - len(ext) - 1] + "." + ext) if dot and len(ext) < room // 2 else base[:room]
        return f"{PREFIX}{stored.sha256}/{base}"

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        sha = _sha_of(name)
        if sha is None:
            return self._legacy().open(name, mode)
        handle: IO[bytes] = blobs.open_file(sha)
        return File(handle, name=name)

    def exists(self, name: str) -> bool:
        sha = _sha_of(name)
        if sha is None:
            return False  # a new name: never renamed, the stored name carries the SHA-256
        return backend().exists(sha)

    def delete(self, name: str) -> None:
        if _sha_of(name) is None:
            self._legacy().delete(name)
        # stored files are shared by content and removed by `vanthu files gc` once no row refers to them

    def size(self, name: str) -> int:
        sha = _sha_of(name)
        if sha is None:
            return self._legacy().size(name)
        return backend().size(sha) or 0

    def url(self, name: str | None) -> str:
        raise NotImplementedError("stored files are handed out by vanthu's own views after an access check")
