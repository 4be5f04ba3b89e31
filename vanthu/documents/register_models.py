"""Document types and registers: the 29 types of Decree 30 and each unit's register for a year and a number
series, holding the series' counter (taken by `numbering.py`). Models of the documents app (imported by
`models.py`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanthu.org.models import Unit


class DocumentType(models.Model):
    """The 29 administrative document types of Decree 30 Điều 7 with their Phụ lục III abbreviations."""

    name = models.CharField(_("tên loại"), max_length=100, unique=True)
    abbreviation = models.CharField(_("chữ viết tắt"), max_length=10, blank=True)
    ordinal = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("loại văn bản")
        verbose_name_plural = _("loại văn bản")
        ordering = ["ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["abbreviation"], condition=~Q(abbreviation=""), name="documents_type_abbreviation_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The type's name in the reader's language (stored in Vietnamese; msgids in doctypes.py)."""
        return gettext(self.name)

    @property
    def is_letter(self) -> bool:
        """Công văn and Thư công carry no type abbreviation; their notation is issuer-drafting unit."""
        return not self.abbreviation


class RegisterKind(models.TextChoices):
    INCOMING = "in", _("Sổ đăng ký văn bản đến")
    OUTGOING = "out", _("Sổ đăng ký văn bản đi")


class Register(models.Model):
    """A unit's register for one year and one number series, holding the series' counter.

    `series` is "chung" (one series), "mat" (secret documents), or "loai-<abbr>" (one per type).
    `last_number` is the counter: locked with SELECT … FOR UPDATE to take the next number.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registers")
    kind = models.CharField(_("loại sổ"), max_length=3, choices=RegisterKind.choices)
    series = models.CharField(_("dãy số"), max_length=30, default="chung")
    year = models.PositiveSmallIntegerField(_("năm"))
    last_number = models.PositiveIntegerField(_("số cuối đã cấp"), default=0)
    name = models.CharField(_("tên sổ"), max_length=200)

    class Meta:
        verbose_name = _("sổ đăng ký")
        verbose_name_plural = _("sổ đăng ký")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "series", "year"], name="documents_register_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_secret(self) -> bool:
        return self.series == "mat"

    @property
    def display_name(self) -> str:
        """The register's name in the reader's language (`name` keeps the Vietnamese one it was opened with)."""
        return register_name(unit=self.unit, kind=self.kind, series=self.series, year=self.year)


def register_name(*, unit: Unit, kind: str, series: str, year: int) -> str:
    """A register's name in the active language, e.g. "Sổ đăng ký văn bản đi 2026 — Bộ Tham mưu"."""
    if kind == RegisterKind.INCOMING:
        base = gettext("Sổ đăng ký văn bản mật đến") if series == "mat" else gettext("Sổ đăng ký văn bản đến")
    else:
        base = gettext("Sổ đăng ký văn bản mật đi") if series == "mat" else gettext("Sổ đăng ký văn bản đi")
    suffix = f" ({series.removeprefix('loai-')})" if series.startswith("loai-") else ""
    if series.startswith("nhom-"):
        suffix = " (" + gettext("nhóm %(n)s") % {"n": series.removeprefix("nhom-")} + ")"
    return f"{base}{suffix} {year} — {unit.short_name or unit.name}"
