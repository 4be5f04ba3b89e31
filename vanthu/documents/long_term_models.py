"""The long-term signature of an issued document (decision 0012). Kept beside `models`, which imports it (this
module imports nothing of `models`: the relation is named by string)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile


class LongTermState(models.TextChoices):
    PENDING = "pending", _("đang bổ sung")
    DONE = "done", _("đã bổ sung")
    FAILED = "failed", _("lỗi")


class LongTermSignature(models.Model):
    """The long-term signature of an issued document: sealed in the clerk's request at `signing.request_level()`
    (B-B, or B-T with the built-in TSA), brought to the deployment's level (`target`) by the job
    `documents.jobs.enrich_issued` (the TSA, OCSP and CRL are asked there). The file as sealed stays stored
    (`sealed_file`); the enriched one becomes the document's file. Deliveries wait while it is pending."""

    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="long_term")
    target = models.CharField(_("mức cần đạt"), max_length=5)
    level = models.CharField(_("mức đã đạt"), max_length=5)
    state = models.CharField(_("tình trạng"), max_length=10, choices=LongTermState.choices,
                             default=LongTermState.PENDING)
    sealed_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reached_at = models.DateTimeField(_("bổ sung lúc"), null=True, blank=True)
    renew_by = models.DateTimeField(null=True, blank=True)  # B-LTA: the next archive time-stamp before this
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chữ ký dài hạn")
        verbose_name_plural = _("chữ ký dài hạn")
        indexes = [models.Index(fields=["state", "renew_by"], name="long_term_state")]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.level} → {self.target} ({self.state})"
