"""Handling of incoming documents: presentation to a leader, the leader's direction, assignments.

An `Assignment` is one thing waiting for one person or unit: a document presented for direction (trình),
to lead (chủ trì), to co-operate on (phối hợp), or for information (để biết). Assignments to a unit wait
for that unit's leader or clerk to forward them to a person.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Urgency
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit


class Instruction(models.Model):
    """A leader's direction (ý kiến chỉ đạo, bút phê) on an incoming document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="instructions")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("ý kiến chỉ đạo"), max_length=2000)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến chỉ đạo")
        verbose_name_plural = _("ý kiến chỉ đạo")
        ordering = ["document", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class AssignmentRole(models.TextChoices):
    PRESENT = "present", _("Trình xin ý kiến")
    LEAD = "lead", _("Chủ trì")
    COOPERATE = "cooperate", _("Phối hợp")
    INFO = "info", _("Để biết")


class AssignmentState(models.TextChoices):
    OPEN = "open", _("Chờ xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Đã hủy")


OPEN_STATES = (AssignmentState.OPEN, AssignmentState.IN_PROGRESS)


class Assignment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    instruction = models.ForeignKey(Instruction, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="assignments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="forwards")
    role = models.CharField(_("vai trò"), max_length=10, choices=AssignmentRole.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(_("trạng thái"), max_length=12, choices=AssignmentState.choices,
                             default=AssignmentState.OPEN)
    note = models.CharField(_("ghi chú"), max_length=1000, blank=True)
    result = models.CharField(_("kết quả xử lý"), max_length=2000, blank=True)
    reply = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("văn bản trả lời"))
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["-urgency", "deadline", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="workflow_assignment_person_xor_unit",
            )
        ]
        indexes = [
            models.Index(fields=["person", "state", "-urgency", "deadline"], name="assign_person_open"),
            models.Index(fields=["unit", "state", "-urgency", "deadline"], name="assign_unit_open"),
            models.Index(fields=["document", "role", "state"], name="assign_document"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person or self.unit}"

    @property
    def assignee_name(self) -> str:
        return str(self.person or self.unit)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
