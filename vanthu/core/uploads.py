"""Upload handlers that stop reading as soon as a file passes VANTHU_MAX_UPLOAD_MB.

The form then reports the size in Vietnamese; nothing of the oversize file is kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload, TemporaryFileUploadHandler


class _Limit:
    received = 0

    def _count(self, raw_data: bytes) -> None:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            request = getattr(self, "request", None)
            if request is not None:
                request.vanthu_upload_too_large = True
            raise StopUpload(connection_reset=False)


class LimitedMemoryFileUploadHandler(_Limit, MemoryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._count(raw_data)
        return super().receive_data_chunk(raw_data, start)


class LimitedTemporaryFileUploadHandler(_Limit, TemporaryFileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._count(raw_data)
        return super().receive_data_chunk(raw_data, start)
