"""Freezing records on demand (checklist point 50, decision 0027): a unit head or a security officer freezes a
chosen set of work records with a reason — an inquiry, a dispute, an inspection — and while one is frozen
nothing changes in it nor in the documents filed in it. One `RecordFreeze` row per record and freeze order (the
records frozen together share `batch`), lifted with a reason; at most one live freeze per record."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RecordFreeze(models.Model):
    record = models.ForeignKey("records.Record", verbose_name=_("hồ sơ"), on_delete=models.CASCADE,
                               related_name="freezes")
    batch = models.UUIDField(_("lệnh phong tỏa"), default=uuid.uuid4, db_index=True)
    reason = models.CharField(_("lý do phong tỏa"), max_length=500)
    frozen_by = models.ForeignKey("org.Person", verbose_name=_("người phong tỏa"), on_delete=models.PROTECT,
                                  related_name="+")
    frozen_at = models.DateTimeField(_("phong tỏa lúc"), auto_now_add=True)
    lifted_by = models.ForeignKey("org.Person", verbose_name=_("người gỡ phong tỏa"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(_("gỡ phong tỏa lúc"), null=True, blank=True)
    lift_reason = models.CharField(_("lý do gỡ phong tỏa"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("phong tỏa hồ sơ")
        verbose_name_plural = _("phong tỏa hồ sơ")
        ordering = ["-frozen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(lifted_at__isnull=True),
                                    name="records_freeze_one_live_per_record"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.reason}"

    @property
    def is_live(self) -> bool:
        return self.lifted_at is None
