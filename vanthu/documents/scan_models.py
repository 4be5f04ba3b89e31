"""A digitised paper document (Circular 01/2019; checklist point 17): where the scan came from, what its check
found (version, dpi, colour, size per page; the warnings), and the unit's organisation signature once applied."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile
from vanthu.org.models import Unit


class ScanSource(models.TextChoices):
    UPLOAD = "upload", _("Văn thư tải lên")
    FOLDER = "folder", _("Thư mục máy quét")


class Scan(models.Model):
    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="scan")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("nguồn"), max_length=10, choices=ScanSource.choices)
    file_name = models.CharField(_("tên tệp"), max_length=200)
    sha256 = models.CharField(max_length=64)
    figures = models.JSONField(_("thông số"), default=dict, blank=True)
    warnings = models.JSONField(_("cảnh báo"), default=list, blank=True)
    sealed_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sealed_at = models.DateTimeField(_("ký số cơ quan lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản số hóa")
        verbose_name_plural = _("bản số hóa")
        constraints = [models.UniqueConstraint(fields=["unit", "sha256"], name="documents_scan_once_per_unit")]

    def __str__(self) -> str:
        return self.file_name
