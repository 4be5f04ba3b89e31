"""A unit's rules for its outgoing documents, set by its head (issue 14): the numbering scheme of a year
(Decree 30 Điều 15.1.c, never retroactive) and who checks the format before a draft reaches the signer
(Điều 12). Kept beside `models`, which imports it (relations named by string)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanthu.org.models import Role


class PlanScheme(models.TextChoices):
    SINGLE = "single", _("Một dãy số chung cho mọi loại văn bản")
    GROUPS = "groups", _("Mỗi nhóm loại văn bản một dãy số")
    PER_TYPE = "per_type", _("Mỗi loại văn bản một dãy số")


class NumberingPlan(models.Model):
    """The outgoing numbering scheme a unit's head chose for one year (secret documents keep their own series
    whatever the scheme). `groups`: lists of type abbreviations (the type's name for Công văn, Thư công)."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="numbering_plans")
    year = models.PositiveSmallIntegerField(_("năm áp dụng"))
    scheme = models.CharField(_("cách cấp số"), max_length=10, choices=PlanScheme.choices)
    groups = models.JSONField(_("nhóm loại văn bản"), default=list, blank=True)
    decided_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("quyết định lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cách cấp số văn bản đi")
        verbose_name_plural = _("cách cấp số văn bản đi")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="documents_numbering_plan_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.scheme}"


class FormatCheckRule(models.Model):
    """Who checks the content and format of a unit's drafts before they reach the signer: the people holding
    `role` over `checker_unit` (by default the office's clerk or chief). While `required`, a draft of the
    unit cannot reach its signer without that check."""

    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="format_check_rule")
    checker_unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị kiểm tra thể thức"),
                                     on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("vai trò người kiểm tra"), max_length=20, choices=Role.choices, default=Role.LEADER)
    required = models.BooleanField(_("bắt buộc trước khi trình ký"), default=True)
    decided_by = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("quyết định lúc"), auto_now=True)

    class Meta:
        verbose_name = _("quy định kiểm tra thể thức")
        verbose_name_plural = _("quy định kiểm tra thể thức")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.role}@{self.checker_unit_id}"


class AmendKind(models.TextChoices):
    """How a document changes an issued one beside replacing it (Decree 30 Điều 18.3)."""

    UPDATE = "update", _("Bổ sung")
    CORRECT = "correct", _("Đính chính")
