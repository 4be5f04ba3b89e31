"""Keeping records back from the archive (Decree 30 Điều 30.2): a unit that still needs records due at the
archive may keep them at most 2 years past the due date, with the written consent of the head of the agency.
One `RecordHold` is the unit's request for one record (months, reason), then the head's decision; an approved
hold moves the record's due date (`vanthu.records.periods.due_date`)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

HOLD_MAX_MONTHS = 24  # "không quá 02 năm kể từ ngày đến hạn nộp lưu"


class HoldState(models.TextChoices):
    REQUESTED = "requested", _("Chờ duyệt")
    APPROVED = "approved", _("Đã đồng ý")
    REFUSED = "refused", _("Không đồng ý")


class RecordHold(models.Model):
    record = models.ForeignKey("records.Record", verbose_name=_("hồ sơ"), on_delete=models.CASCADE,
                               related_name="holds")
    months = models.PositiveSmallIntegerField(
        _("số tháng giữ lại"), validators=[MinValueValidator(1), MaxValueValidator(HOLD_MAX_MONTHS)])
    reason = models.CharField(_("lý do giữ lại"), max_length=500)
    state = models.CharField(_("trạng thái"), max_length=10, choices=HoldState.choices, default=HoldState.REQUESTED)
    requested_by = models.ForeignKey("org.Person", verbose_name=_("người đề nghị"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("đề nghị lúc"), auto_now_add=True)
    decided_by = models.ForeignKey("org.Person", verbose_name=_("người duyệt"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    decision_note = models.CharField(_("ý kiến"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("đề nghị giữ lại hồ sơ")
        verbose_name_plural = _("đề nghị giữ lại hồ sơ")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=HOLD_MAX_MONTHS),
                                   name="records_hold_months_range"),
            # one request open or granted per record at a time
            models.UniqueConstraint(fields=["record"], condition=Q(state__in=["requested", "approved"]),
                                    name="records_hold_one_live_per_record"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.months} ({self.state})"
