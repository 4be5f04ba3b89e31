from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core import blobs


class StoredFile(models.Model):
    """A file kept once by the SHA-256 of its bytes. Content never changes; documents point at it."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    size = models.BigIntegerField(_("kích thước"))
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    created_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tệp lưu trữ")
        verbose_name_plural = _("tệp lưu trữ")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} B)"

    def read_bytes(self) -> bytes:
        return blobs.read(self.sha256)
