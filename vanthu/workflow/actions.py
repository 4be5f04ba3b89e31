"""Handling incoming documents: present, direct (the leader's direction creates the document's tasks), and the
document-shaped names of the task actions (forward, start, complete; see task_actions).

Decree 30 Điều 23–24: the clerk presents a registered document to the leader the same day (urgent ones at
once); the leader records the direction — lead, co-operating and for-information units or people, and the
deadline; the assignees handle it and report completion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions import batch, delivery, deny, lock
from vanthu.documents.models import Document, MessageStatus, Status
from vanthu.org.models import Person, Unit
from vanthu.org.queries import leaders_over, scope_of
from vanthu.workflow import permissions, task_actions, tree
from vanthu.workflow.models import OPEN_STATES, Assignment, AssignmentRole, AssignmentState, Instruction, Part
from vanthu.workflow.task_actions import Handover

Target = Person | Unit


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
    assignment = tree.make_task(role=AssignmentRole.PRESENT, target=to, acting=acting, deadline=None,
                                urgency=document.urgency, document=document, note=note)
    if document.status == Status.REGISTERED:
        document.status = Status.PRESENTED
    document.version += 1
    document.save(update_fields=["status", "version", "updated_at"])
    log.record(actor=acting, verb="workflow.document.presented", target=document, unit=document.unit,
               data={"to": to.pk, "assignment": assignment.pk})
    return assignment


@action("workflow.documents.presented")
def present_many(*, document_ids: Sequence[int], acting: Person, to: Person, note: str = "") -> list[Assignment]:
    """Present several registered documents to one leader (all or nothing: one the clerk may not present, or
    that the leader may not receive, refuses the batch)."""
    documents = batch(document_ids, acting=acting, need=access.Need.PRESENT)
    done = [present(document=d, acting=acting, to=to, note=note) for d in documents]
    log.record(actor=acting, verb="workflow.documents.presented", target=None, unit=documents[0].unit,
               data={"documents": [d.pk for d in documents], "to": to.pk})
    return done


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
    deadlines: Mapping[Target, dt.date] | None = None,
) -> Instruction:
    """The leader's direction: who leads, who co-operates, who is informed, and by when — `deadline` for all,
    or each lead and co-operating receiver its own (`deadlines`, never later than `deadline`, or when no common
    deadline is given, than the document's own deadline)."""
    document = lock(document)
    if not permissions.can_direct(acting, document):
        raise deny(document)
    on_behalf = permissions.presented_acting_for(acting, document) if isinstance(acting, Person) else {}
    text = text.strip()
    if not text:
        raise ActionRefused(_("Hãy ghi ý kiến chỉ đạo."), code="text_required", field="text")
    if len(text) > 2000:
        raise ActionRefused(_("Ý kiến chỉ đạo dài quá 2000 ký tự."), code="too_long", field="text")
    tree.check_deadline(deadline, limit=None)
    own = dict(deadlines or {})
    limit = deadline if deadline is not None else document.due_date
    for own_due in own.values():
        tree.check_deadline(own_due, limit=limit, field="deadlines")
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
    for role, targets in ((AssignmentRole.LEAD, [lead]), (AssignmentRole.COOPERATE, cooperate),
                          (AssignmentRole.INFO, info)):
        for target in targets:
            due: dt.date | None = None if role == AssignmentRole.INFO else own.get(target, deadline)
            tree.make_task(role=role, target=target, acting=acting, deadline=due, urgency=document.urgency,
                           document=document, instruction=instruction)
    document.status = Status.DIRECTED
    if deadline is not None:
        document.due_date = deadline
    document.version += 1
    document.save(update_fields=["status", "due_date", "version", "updated_at"])
    delivery.report_handling(document, MessageStatus.ASSIGNED)  # 04 to the sender: the status only (issue 8)
    log.record(actor=acting, verb="workflow.document.directed", target=document, unit=document.unit,
               data={"instruction": instruction.pk, "lead": str(lead), "cooperate": [str(t) for t in cooperate],
                     "info": [str(t) for t in info], "deadline": deadline, **on_behalf})
    return instruction


def forward(
    *, assignment: Assignment, acting: Person, to: Person, note: str = "", deadline: dt.date | None = None
) -> Assignment:
    """A unit's leader or clerk passes a unit's task to one of the unit's people (`task_actions.delegate`)."""
    return task_actions.delegate(task=assignment, acting=acting, handovers=[Handover(to, Part.LEAD, deadline)],
                                 note=note)[0]


def start(*, assignment: Assignment, acting: Person) -> Assignment:
    return task_actions.start(task=assignment, acting=acting)


def complete(*, assignment: Assignment, acting: Person, result: str, reply: Document | None = None) -> Assignment:
    """Report the result; the document is done (Hoàn thành) when all its lead and co-operating work is. On a
    for-information task "done" means read: it is marked seen."""
    if assignment.state == AssignmentState.INFO:
        return task_actions.mark_seen(task=assignment, acting=acting)
    return task_actions.complete(task=assignment, acting=acting, result=result, reply=reply)
