"""The files of a task's result (issue 12). Kept beside `models`, which imports it (this module imports nothing
of `models`: the relation is named by string)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile
from vanthu.org.models import Person


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
