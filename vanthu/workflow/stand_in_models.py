"""Acting for someone (xử lý thay, issue 12) and the files of a task's result. Kept beside `models`, which
imports them (this module imports nothing of `models`: relations are named by string)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile
from vanthu.org.models import Person


class StandIn(models.Model):
    """A person away (on leave, on a mission) names who handles their work from `starts_on` to `ends_on`,
    both included; their unit's leader or clerk may name one for them. It ends by itself after `ends_on`
    (read as a date comparison, never a stored flag) or earlier when cancelled."""

    absent = models.ForeignKey(Person, verbose_name=_("người vắng"), on_delete=models.CASCADE,
                               related_name="stand_ins")
    stand_in = models.ForeignKey(Person, verbose_name=_("người xử lý thay"), on_delete=models.CASCADE,
                                 related_name="standing_in")
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến hết ngày"))
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("người xử lý thay")
        verbose_name_plural = _("người xử lý thay")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="workflow_standin_period"),
            models.CheckConstraint(condition=~Q(absent=F("stand_in")), name="workflow_standin_not_self"),
        ]
        indexes = [models.Index(fields=["stand_in", "ends_on"], name="standin_for_person")]

    def __str__(self) -> str:
        return f"{self.stand_in} thay {self.absent} ({self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y})"

    def is_active_on(self, day: dt.date) -> bool:
        return self.cancelled_at is None and self.starts_on <= day <= self.ends_on


class TaskFile(models.Model):
    """A file of a task's result, attached when the task is completed; kept in the core file store."""

    task = models.ForeignKey("workflow.Assignment", on_delete=models.CASCADE, related_name="result_files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("tên tệp"), max_length=200)
    added_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp kết quả")
        verbose_name_plural = _("tệp kết quả")
        ordering = ["task", "pk"]

    def __str__(self) -> str:
        return self.name
