"""Handling incoming documents: present, direct, forward, start, complete.

Decree 30 Điều 23–24: the clerk presents a registered document to the leader the same day (urgent ones at
once); the leader records the direction — lead, co-operating and for-information units or people, and the
deadline; the assignees handle it and report completion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions import delivery, deny, lock, share
from vanthu.documents.models import Document, MessageStatus, ShareReason, Status
from vanthu.org.models import Person, Unit
from vanthu.org.queries import leaders_over, scope_of
from vanthu.workflow import permissions
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentRole, AssignmentState, Instruction

Target = Person | Unit

SHARE_FOR_ROLE = {
    AssignmentRole.PRESENT: ShareReason.PRESENTED,
    AssignmentRole.LEAD: ShareReason.LEAD,
    AssignmentRole.COOPERATE: ShareReason.COOPERATE,
    AssignmentRole.INFO: ShareReason.INFO,
}


def _assign(
    document: Document, *, role: str, target: Target, acting: Person, deadline: dt.date | None,
    instruction: Instruction | None = None, parent: Assignment | None = None, note: str = "",
) -> Assignment:
    # The last guard of every hand-off: whatever the caller checked, nothing reaches someone not cleared.
    if isinstance(target, Person):
        refusal = access.person_refusal(target, document.secrecy, field="to", target=document)
    else:
        refusal = access.unit_refusal(target, document.secrecy, field="to", target=document)
    if refusal is not None:
        raise refusal
    assignment = Assignment.objects.create(
        document=document, instruction=instruction, parent=parent, role=role,
        person=target if isinstance(target, Person) else None,
        unit=target if isinstance(target, Unit) else None,
        deadline=deadline, urgency=document.urgency, created_by=acting, note=note[:1000],
    )
    if isinstance(target, Person):
        share(document, reason=SHARE_FOR_ROLE[AssignmentRole(role)], person=target)
    else:
        share(document, reason=SHARE_FOR_ROLE[AssignmentRole(role)], unit=target)
    return assignment


@action("workflow.document.presented")
def present(*, document: Document, acting: Person, to: Person, note: str = "") -> Assignment:
    """The clerk presents a registered document to a leader for direction (trình)."""
    document = lock(document)
    if not permissions.can_present(acting, document):
        raise deny(document)
    if not leaders_over(document.unit).filter(pk=to.pk).exists():
        raise ActionRefused(_("Chỉ trình được cho chỉ huy của đơn vị hoặc đơn vị cấp trên."), code="not_a_leader",
                            field="to")
    refusal = access.person_refusal(to, document.secrecy, field="to", target=document)
    if refusal is not None:
        raise refusal
    assignment = _assign(document, role=AssignmentRole.PRESENT, target=to, acting=acting, deadline=None, note=note)
    if document.status == Status.REGISTERED:
        document.status = Status.PRESENTED
    document.version += 1
    document.save(update_fields=["status", "version", "updated_at"])
    log.record(actor=acting, verb="workflow.document.presented", target=document, unit=document.unit,
               data={"to": to.pk, "assignment": assignment.pk})
    return assignment


def _check_target(target: Target, *, acting: Person, document: Document, field: str = "lead") -> None:
    """A direction goes only to units and people inside the subtrees the leader leads, and a classified document
    only to people cleared for it, or to units whose leaders and clerks all are."""
    scope = scope_of(acting)
    unit = target if isinstance(target, Unit) else target.unit
    inside = scope.leads(unit) or unit.path.startswith(document.unit.path)
    if not inside or not unit.is_active:
        raise ActionRefused(
            _("“%(name)s” không thuộc các đơn vị bạn chỉ huy; không thể giao xử lý.") % {"name": str(target)},
            code="target_outside_tree", field=field,
        )
    if isinstance(target, Person):
        if not target.is_active:
            raise ActionRefused(_("%(name)s đã nghỉ công tác.") % {"name": target.full_name}, code="inactive",
                                field=field)
        refusal = access.person_refusal(target, document.secrecy, field=field, target=document)
    else:
        refusal = access.unit_refusal(target, document.secrecy, field=field, target=document)
    if refusal is not None:
        raise refusal


@action("workflow.document.directed")
def direct(
    *,
    document: Document,
    acting: Person,
    text: str,
    lead: Target,
    cooperate: Sequence[Target] = (),
    info: Sequence[Target] = (),
    deadline: dt.date | None = None,
) -> Instruction:
    """The leader's direction: who leads, who co-operates, who is informed, and by when."""
    document = lock(document)
    if not permissions.can_direct(acting, document):
        raise deny(document)
    text = text.strip()
    if not text:
        raise ActionRefused(_("Hãy ghi ý kiến chỉ đạo."), code="text_required", field="text")
    if len(text) > 2000:
        raise ActionRefused(_("Ý kiến chỉ đạo dài quá 2000 ký tự."), code="too_long", field="text")
    if deadline is not None and deadline < timezone.localdate():
        raise ActionRefused(_("Hạn xử lý không được ở trong quá khứ."), code="due_date_past", field="deadline")
    seen: set[tuple[str, int]] = set()
    for field, role_targets in (("lead", [lead]), ("cooperate", cooperate), ("info", info)):
        for target in role_targets:
            _check_target(target, acting=acting, document=document, field=field)
            key = (type(target).__name__, target.pk)
            if key in seen:
                raise ActionRefused(
                    _("“%(name)s” được chọn hai lần trong cùng một ý kiến chỉ đạo.") % {"name": str(target)},
                    code="duplicate_target", field="cooperate",
                )
            seen.add(key)
    now = timezone.now()
    Assignment.objects.filter(
        document=document, role=AssignmentRole.PRESENT, state__in=OPEN_STATES
    ).update(state=AssignmentState.DONE, done_at=now)
    instruction = Instruction.objects.create(document=document, author=acting, text=text, deadline=deadline)
    _assign(document, role=AssignmentRole.LEAD, target=lead, acting=acting, deadline=deadline,
            instruction=instruction)
    for target in cooperate:
        _assign(document, role=AssignmentRole.COOPERATE, target=target, acting=acting, deadline=deadline,
                instruction=instruction)
    for target in info:
        _assign(document, role=AssignmentRole.INFO, target=target, acting=acting, deadline=None,
                instruction=instruction)
    document.status = Status.DIRECTED
    if deadline is not None:
        document.due_date = deadline
    document.version += 1
    document.save(update_fields=["status", "due_date", "version", "updated_at"])
    delivery.report_handling(document, MessageStatus.ASSIGNED)  # 04 to the sender: the status only (issue 8)
    log.record(actor=acting, verb="workflow.document.directed", target=document, unit=document.unit,
               data={"instruction": instruction.pk, "lead": str(lead), "cooperate": [str(t) for t in cooperate],
                     "info": [str(t) for t in info], "deadline": deadline})
    return instruction


@action("workflow.assignment.forwarded")
def forward(
    *, assignment: Assignment, acting: Person, to: Person, note: str = "", deadline: dt.date | None = None
) -> Assignment:
    """A unit's leader or clerk passes a unit assignment to one of the unit's people."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("document__unit", "unit").get(
        pk=assignment.pk
    )
    if not permissions.can_forward(acting, assignment):
        raise deny(assignment.document)
    unit = assignment.unit
    assert unit is not None
    if not to.unit.path.startswith(unit.path) or not to.is_active:
        raise ActionRefused(_("Chỉ chuyển được cho cán bộ thuộc đơn vị được giao."), code="target_outside_tree",
                            field="to")
    refusal = access.person_refusal(to, assignment.document.secrecy, field="to", target=assignment.document)
    if refusal is not None:
        raise refusal
    limit = assignment.deadline
    if deadline is not None and deadline < timezone.localdate():
        raise ActionRefused(_("Hạn xử lý không được ở trong quá khứ."), code="due_date_past", field="deadline")
    if deadline is not None and limit is not None and deadline > limit:
        raise ActionRefused(_("Hạn giao tiếp không được muộn hơn hạn của đơn vị."), code="deadline_after_parent",
                            field="deadline")
    child = _assign(assignment.document, role=assignment.role, target=to, acting=acting,
                    deadline=deadline or limit, instruction=assignment.instruction, parent=assignment, note=note)
    assignment.state = AssignmentState.IN_PROGRESS
    assignment.started_at = assignment.started_at or timezone.now()
    assignment.save(update_fields=["state", "started_at"])
    log.record(actor=acting, verb="workflow.assignment.forwarded", target=assignment.document,
               unit=assignment.document.unit, data={"assignment": assignment.pk, "to": to.pk, "child": child.pk})
    return child


def _touch_document(document: Document) -> None:
    if document.status in (Status.DIRECTED, Status.PRESENTED, Status.REGISTERED):
        document.status = Status.IN_PROGRESS
        document.version += 1
        document.save(update_fields=["status", "version", "updated_at"])


@action("workflow.assignment.started")
def start(*, assignment: Assignment, acting: Person) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("document").get(pk=assignment.pk)
    if not permissions.can_handle(acting, assignment) or assignment.state != AssignmentState.OPEN:
        raise deny(assignment.document)
    assignment.state = AssignmentState.IN_PROGRESS
    assignment.started_at = timezone.now()
    assignment.save(update_fields=["state", "started_at"])
    document = lock(assignment.document)
    if assignment.role == AssignmentRole.LEAD:
        _touch_document(document)
    delivery.report_handling(document, MessageStatus.IN_PROGRESS)  # 05 to the sender (issue 8)
    log.record(actor=acting, verb="workflow.assignment.started", target=document, unit=document.unit,
               data={"assignment": assignment.pk})
    return assignment


def handling_status(document: Document) -> MessageStatus:
    """Done (06) once the document is done and no lead or co-operating work is open; in progress (05) before."""
    open_work = Assignment.objects.filter(document=document, role__in=(AssignmentRole.LEAD, AssignmentRole.COOPERATE),
                                          state__in=OPEN_STATES).exists()
    return MessageStatus.DONE if document.status == Status.DONE and not open_work else MessageStatus.IN_PROGRESS


@action("workflow.assignment.completed")
def complete(
    *, assignment: Assignment, acting: Person, result: str, reply: Document | None = None
) -> Assignment:
    """Report the result. When the lead assignment is done, the document is done (Hoàn thành)."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("document", "parent").get(
        pk=assignment.pk
    )
    if not permissions.can_handle(acting, assignment) or not assignment.is_open:
        raise deny(assignment.document)
    result = result.strip()
    if assignment.role in (AssignmentRole.LEAD, AssignmentRole.COOPERATE) and not result:
        raise ActionRefused(_("Hãy ghi kết quả xử lý."), code="result_required", field="result")
    if len(result) > 2000:
        raise ActionRefused(_("Kết quả xử lý dài quá 2000 ký tự."), code="too_long", field="result")
    now = timezone.now()
    assignment.state = AssignmentState.DONE
    assignment.result = result
    assignment.reply = reply
    assignment.done_at = now
    assignment.started_at = assignment.started_at or now
    assignment.save(update_fields=["state", "result", "reply", "done_at", "started_at"])
    parent = assignment.parent
    if parent is not None and parent.is_open and not parent.forwards.filter(state__in=OPEN_STATES).exists():
        parent.state = AssignmentState.DONE
        parent.result = result
        parent.done_at = now
        parent.save(update_fields=["state", "result", "done_at"])
    document = lock(assignment.document)
    if assignment.role == AssignmentRole.LEAD:
        open_leads = Assignment.objects.filter(document=document, role=AssignmentRole.LEAD, state__in=OPEN_STATES)
        if not open_leads.exists():
            document.status = Status.DONE
            document.version += 1
            document.save(update_fields=["status", "version", "updated_at"])
        else:
            _touch_document(document)
    delivery.report_handling(document, handling_status(document))  # 05 or 06 to the sender: the status only
    log.record(actor=acting, verb="workflow.assignment.completed", target=document, unit=document.unit,
               data={"assignment": assignment.pk, "role": assignment.role, "result": result[:200],
                     "reply": reply.pk if reply else None})
    return assignment
