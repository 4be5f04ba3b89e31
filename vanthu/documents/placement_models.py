"""The preview of the final page and the positions placed by hand on it (issue 12, item 1). Kept beside
`models`, which imports it (this module imports nothing of `models`: the relation is named by string).

`PagePreview`: for one PDF (by its stored file) and one signer's name line, where vanthu would put the number,
date, signature and seal (`layout`, from signing.pades.layout) and the rendered page images (PNG in the file
store), made by the job `documents.jobs.render_preview` — rendering is slow work, never done in a request — and
kept per file: a new draft revision is a new file, so a new preview.

`Placement`: the positions a signer or clerk chose on the preview, PDF points, ({"number": [page, x, y], …});
the number, date and signature ones count only for the approved revision they were set on (`approved_sha256`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile


class PreviewState(models.TextChoices):
    PENDING = "pending", _("đang tạo")
    READY = "ready", _("sẵn sàng")
    FAILED = "failed", _("lỗi")


class PagePreview(models.Model):
    file = models.ForeignKey(StoredFile, on_delete=models.CASCADE, related_name="+")
    name_line = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=PreviewState.choices, default=PreviewState.PENDING)
    layout = models.JSONField(default=dict, blank=True)
    images = models.JSONField(default=dict, blank=True)  # page index (as text) -> sha256 of its PNG
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản xem trước trang ký")
        verbose_name_plural = _("bản xem trước trang ký")
        constraints = [models.UniqueConstraint(fields=["file", "name_line"], name="page_preview_unique")]

    def __str__(self) -> str:
        return f"{self.file_id[:12]} {self.state}"


class Placement(models.Model):
    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="placement")
    positions = models.JSONField(default=dict, blank=True)
    approved_sha256 = models.CharField(max_length=64, blank=True)
    updated_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+", null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vị trí đặt số, ngày, chữ ký, dấu")
        verbose_name_plural = _("vị trí đặt số, ngày, chữ ký, dấu")

    def __str__(self) -> str:
        return f"{self.document_id}: {sorted(self.positions)}"
