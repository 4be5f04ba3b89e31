"""A register printed by a job: asked for on the register page when it has more than
`REPORTS_ASYNC_ROWS` rows; the page then shows the job's progress and, once done, the download."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.core.models import StoredFile
from vanthu.org.models import Person, Unit


class PrintState(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    RUNNING = "running", _("Đang in")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không in được")


class RegisterPrint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    series = models.CharField(max_length=30)
    start = models.DateField()
    end = models.DateField()
    format = models.CharField(max_length=4)
    state = models.CharField(max_length=10, choices=PrintState.choices, default=PrintState.WAITING)
    total = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    ascii_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.start}–{self.end} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == PrintState.DONE:
            return 100
        return min(99, self.done_rows * 100 // self.total) if self.total else 0
