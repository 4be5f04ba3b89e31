"""Tasks (việc) and directives (chỉ đạo điều hành): the command-and-direction tree (decision 0015).

An `Assignment` is one task for one person or unit: a document presented for direction (trình), to lead
(chủ trì), to co-operate on (phối hợp), or for information (để biết) — or a task without a document, from a
`Directive` or given on its own. A unit's task waits for that unit's leader, who passes it down (`parent`) with
deadlines no later than his own, to any depth; `part` says what a child does within its parent's work, and a
parent is done when its lead child's work is done (accepted by the unit's leader where the unit asks for it).
`Task` is the same model under its new name.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanthu.core.choices import Urgency
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit
from vanthu.workflow.result_models import TaskFile  # noqa: F401 (models of this app)


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
    AWAITING = "awaiting", _("Chờ chỉ huy duyệt")
    DONE = "done", _("Hoàn thành")
    RETURNED = "returned", _("Đã trả lại")
    INFO = "info", _("Để biết")
    CANCELLED = "cancelled", _("Đã hủy")


# Work still to do by someone (the handler, or the leader who must accept it). For-information rows are never open.
OPEN_STATES = (AssignmentState.OPEN, AssignmentState.IN_PROGRESS, AssignmentState.AWAITING)
# Work the assignee itself still has to do (reminders go to the assignee for these).
HANDLER_STATES = (AssignmentState.OPEN, AssignmentState.IN_PROGRESS)


class SourceKind(models.TextChoices):
    NONE = "none", _("Không có văn bản nguồn")
    DOCUMENT = "document", _("Văn bản")
    PLAN = "plan", _("Kế hoạch")
    MEETING = "meeting", _("Kết luận hội nghị, cuộc họp")
    PHONE = "phone", _("Chỉ đạo qua điện thoại (đã ghi lại)")


class Recurrence(models.TextChoices):
    NONE = "", _("Không lặp lại")
    WEEKLY = "weekly", _("Hằng tuần")


class Directive(models.Model):
    """A directive (chỉ đạo điều hành) issued by a higher unit to many units at once; each unit gets one root task.

    A recurring directive (`recurrence`) is the head of a series: the weekly job creates one occurrence per
    period (`series` → the head, `occurs_on` the day it is due), unique per day, so running it twice adds none.
    """

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị ban hành"), on_delete=models.PROTECT,
                             related_name="directives")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("trích yếu"), max_length=500)
    text = models.TextField(_("nội dung chỉ đạo"), max_length=5000, blank=True)
    source_kind = models.CharField(_("nguồn"), max_length=10, choices=SourceKind.choices, default=SourceKind.NONE)
    source_document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="directives", verbose_name=_("văn bản nguồn"))
    source_note = models.CharField(_("ghi chú nguồn"), max_length=500, blank=True)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.NORMAL)
    deadline = models.DateField(_("hạn xử lý"), null=True, blank=True)
    recurrence = models.CharField(_("lặp lại"), max_length=10, choices=Recurrence.choices, blank=True, default="")
    weekday = models.PositiveSmallIntegerField(_("ngày trong tuần"), null=True, blank=True)  # 0 Monday … 4 Friday
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="occurrences")
    occurs_on = models.DateField(null=True, blank=True)
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chỉ đạo điều hành")
        verbose_name_plural = _("chỉ đạo điều hành")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "occurs_on"], name="workflow_directive_one_per_day"),
        ]
        indexes = [models.Index(fields=["unit", "-created_at"], name="directive_unit_recent")]

    def __str__(self) -> str:
        return self.title[:80]


class Part(models.TextChoices):
    """What a child task does within its parent's work."""

    LEAD = "lead", _("Chủ trì")
    COOPERATE = "cooperate", _("Phối hợp")
    INFO = "info", _("Để biết")


class Assignment(models.Model):
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="assignments")
    directive = models.ForeignKey(Directive, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("nội dung công việc"), max_length=500, blank=True)
    part = models.CharField(_("phần việc"), max_length=10, choices=Part.choices, default=Part.LEAD)
    depth = models.PositiveSmallIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    seen_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)
    accepted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    returned_reason = models.CharField(_("lý do trả lại"), max_length=1000, blank=True)
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
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
    reply = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="answered_tasks", verbose_name=_("văn bản trả lời"))
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
            # "My work" and the reminder pass: open work by deadline, keyset-paged (decision 0015).
            models.Index(fields=["person", "deadline", "-urgency", "id"], name="task_person_due",
                         condition=Q(state__in=["open", "in_progress", "awaiting"])),
            models.Index(fields=["unit", "deadline", "-urgency", "id"], name="task_unit_due",
                         condition=Q(state__in=["open", "in_progress", "awaiting"])),
            models.Index(fields=["deadline", "id"], name="task_open_due",
                         condition=Q(state__in=["open", "in_progress", "awaiting"])),
            models.Index(fields=["directive", "parent"], name="task_directive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person or self.unit}"

    @property
    def subject(self) -> str:
        """What the task is about: its own title, else its document's subject or its directive's title."""
        if self.title:
            return self.title
        if self.document_id is not None:
            return self.document.subject  # type: ignore[union-attr]
        if self.directive_id is not None:
            return self.directive.title  # type: ignore[union-attr]
        return ""

    @property
    def state_label(self) -> str:
        if self.state == AssignmentState.INFO:
            return str(_("Để biết, đã xem") if self.seen_at else _("Để biết"))
        return str(self.get_state_display())

    @property
    def assignee_name(self) -> str:
        return str(self.person or self.unit)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


Task = Assignment


class UnitHandling(models.Model):
    """How a unit handles the tasks it is given (a workflow setting about a unit, kept here, not in org)."""

    unit = models.OneToOneField(Unit, primary_key=True, on_delete=models.CASCADE, related_name="handling")
    leader_accepts = models.BooleanField(
        _("chỉ huy duyệt kết quả"), default=True,
        help_text=_("Việc của đơn vị do cán bộ hoàn thành phải được chỉ huy đơn vị duyệt mới xong."),
    )

    class Meta:
        verbose_name = _("cách xử lý việc của đơn vị")
        verbose_name_plural = _("cách xử lý việc của đơn vị")

    def __str__(self) -> str:
        return str(self.unit)


class NoteKind(models.TextChoices):
    PROGRESS = "progress", _("Báo cáo tiến độ")
    EXTENSION = "extension", _("Xin gia hạn")
    RETURNED = "returned", _("Trả lại")
    SENT_BACK = "sent_back", _("Chỉ huy yêu cầu làm lại")


class TaskNote(models.Model):
    """A progress report (text, a file, a percentage) or another note in a task's history."""

    task = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=NoteKind.choices, default=NoteKind.PROGRESS)
    text = models.CharField(_("nội dung"), max_length=2000)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    file = models.FileField(_("tệp kèm theo"), upload_to="tasks/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã đồng ý")
    REFUSED = "refused", _("Không đồng ý")


class ExtensionRequest(models.Model):
    task = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("hạn đề nghị"))
    reason = models.CharField(_("lý do"), max_length=1000)
    state = models.CharField(max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["task"], condition=Q(state="pending"),
                                    name="workflow_extension_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline:%d/%m/%Y}: {self.reason[:60]}"
