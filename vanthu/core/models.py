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


class CalendarExceptionKind(models.TextChoices):
    OFF = "off", _("Ngày nghỉ")
    WORKING = "working", _("Ngày làm việc")


class CalendarException(models.Model):
    """One day of the Government's yearly notice that the statutory rules do not give (core/workdays.py).

    `off`: an extra day off (a swapped weekday, the Tết placement); `working`: a day worked although the rules
    make it a day off (a make-up Saturday, a compensatory day the notice moved). One row per date.
    """

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=CalendarExceptionKind.choices)
    reason = models.CharField(_("lý do"), max_length=300)
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ngày ngoại lệ của lịch làm việc")
        verbose_name_plural = _("ngày ngoại lệ của lịch làm việc")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"


class CalendarNotice(models.Model):
    """The Government's notice for a year has been entered: the year's calendar is no longer provisional."""

    year = models.PositiveIntegerField(_("năm"), primary_key=True)
    reference = models.CharField(_("số, ký hiệu thông báo"), max_length=100)
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thông báo lịch nghỉ năm")
        verbose_name_plural = _("thông báo lịch nghỉ năm")

    def __str__(self) -> str:
        return f"{self.year}: {self.reference}"
