"""The task tree's shared steps, used by the actions of documents' handling, of tasks and of directives.

Not actions themselves: each runs inside the calling action's transaction, with rows it has locked.
- `make_task` creates one task (the last guard of every hand-off: nobody uncleared receives a document's task);
- `check_deadline` says whether a deadline may be given below a parent;
- `finish` closes a task and rolls the result up: a parent is done when its lead child's work is done, through the
  unit's leader when the unit asks to accept its results (`UnitHandling.leader_accepts`); a document is done
  (Hoàn thành) when all its lead and co-operating work is done.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.core.errors import ActionRefused
from vanthu.documents import access
from vanthu.documents.actions import delivery, lock, share
from vanthu.documents.models import Document, MessageStatus, ShareReason, Status
from vanthu.org.models import Person, Role, RoleGrant, Unit
from vanthu.org.queries import scope_of
from vanthu.workflow import notices
from vanthu.workflow.models import (
    HANDLER_STATES,
    OPEN_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Directive,
    Instruction,
    Part,
    UnitHandling,
)

Target = Person | Unit
MAX_DEPTH = 20

SHARE_FOR_ROLE = {
    AssignmentRole.PRESENT: ShareReason.PRESENTED,
    AssignmentRole.LEAD: ShareReason.LEAD,
    AssignmentRole.COOPERATE: ShareReason.COOPERATE,
    AssignmentRole.INFO: ShareReason.INFO,
}


def task_url(task: Assignment) -> str:
    return reverse("task_detail", args=[task.pk])


def child_role(parent_role: str, part: str) -> str:
    """A child's role towards the document or directive: a co-operating unit's people co-operate; info stays info."""
    if part == Part.INFO:
        return AssignmentRole.INFO
    if parent_role == AssignmentRole.COOPERATE or part == Part.COOPERATE:
        return AssignmentRole.COOPERATE
    return AssignmentRole.LEAD


def check_deadline(deadline: dt.date | None, *, limit: dt.date | None, field: str = "deadline") -> None:
    if deadline is None:
        return
    if deadline < timezone.localdate():
        raise ActionRefused(_("Hạn xử lý không được ở trong quá khứ."), code="due_date_past", field=field)
    if limit is not None and deadline > limit:
        raise ActionRefused(
            _("Hạn giao tiếp (%(deadline)s) không được muộn hơn hạn của việc cấp trên (%(limit)s).")
            % {"deadline": deadline.strftime("%d/%m/%Y"), "limit": limit.strftime("%d/%m/%Y")},
            code="deadline_after_parent", field=field,
        )


def make_task(
    *, role: str, target: Target, acting: Person, deadline: dt.date | None, urgency: int,
    document: Document | None = None, directive: Directive | None = None, instruction: Instruction | None = None,
    parent: Assignment | None = None, part: str = Part.LEAD, title: str = "", note: str = "",
) -> Assignment:
    if document is not None:
        if isinstance(target, Person):
            refusal = access.person_refusal(target, document.secrecy, field="to", target=document)
        else:
            refusal = access.unit_refusal(target, document.secrecy, field="to", target=document)
        if refusal is not None:
            raise refusal
    task = Assignment.objects.create(
        document=document, directive=directive, instruction=instruction, parent=parent, role=role, part=part,
        person=target if isinstance(target, Person) else None,
        unit=target if isinstance(target, Unit) else None,
        deadline=deadline, urgency=urgency, created_by=acting, note=note[:1000], title=title[:500],
        depth=parent.depth + 1 if parent is not None else 0,
        state=AssignmentState.INFO if role == AssignmentRole.INFO else AssignmentState.OPEN,
    )
    if document is not None:
        reason = SHARE_FOR_ROLE[AssignmentRole(role)]
        if isinstance(target, Person):
            share(document, reason=reason, person=target)
        else:
            share(document, reason=reason, unit=target)
    if role != AssignmentRole.PRESENT:
        kind = "task.info" if role == AssignmentRole.INFO else "task.assigned"
        for person in receivers(task):
            notices.send(person, kind=kind, title=task.subject, url=task_url(task), key=f"task:{task.pk}:{kind}")
    return task


def receivers(task: Assignment) -> list[Person]:
    """Who is told about the task: its person, or its unit's leaders."""
    if task.person is not None:
        return [task.person]
    return list(Person.objects.filter(roles__unit=task.unit, roles__role=Role.LEADER, is_active=True))


def unit_leader_ids(unit_id: int) -> set[int]:
    return set(RoleGrant.objects.filter(unit_id=unit_id, role=Role.LEADER).values_list("person_id", flat=True))


def leader_accepts(unit_id: int) -> bool:
    setting = UnitHandling.objects.filter(unit_id=unit_id).first()
    return True if setting is None else setting.leader_accepts


def check_no_cycle(parent: Assignment, target: Target, *, field: str) -> None:
    """A task is never passed to someone already holding it above (which would make the tree a loop)."""
    node: Assignment | None = parent
    steps = 0
    while node is not None:
        same = (node.unit_id == target.pk) if isinstance(target, Unit) else (node.person_id == target.pk)
        if same:
            raise ActionRefused(
                _("Không thể giao việc cho “%(name)s”: việc này đã được giao cho họ ở cấp trên (vòng giao việc).")
                % {"name": str(target)}, code="delegation_cycle", field=field,
            )
        node = node.parent
        steps += 1
    if steps >= MAX_DEPTH:
        raise ActionRefused(_("Việc đã được giao tiếp quá nhiều cấp."), code="too_deep", field=field)


def finish(task: Assignment, *, acting: Person, result: str, reply: Document | None = None) -> None:
    """Close `task` as done and roll its result up the tree (the caller has locked `task`)."""
    now = timezone.now()
    task.state = AssignmentState.DONE
    task.result = result[:2000]
    task.reply = reply or task.reply
    task.done_at = now
    task.started_at = task.started_at or now
    task.progress = 100
    task.save(update_fields=["state", "result", "reply", "done_at", "started_at", "progress"])
    parent = task.parent
    if parent is not None and task.part == Part.LEAD:
        parent = Assignment.objects.select_for_update(of=("self",)).select_related("unit", "person").get(
            pk=parent.pk)
        if parent.state not in HANDLER_STATES:
            return
        accepting = parent.unit_id is not None and leader_accepts(parent.unit_id)
        if accepting and parent.unit_id not in scope_of(acting).leader_unit_ids:
            parent.state = AssignmentState.AWAITING
            parent.result = task.result
            parent.reply = task.reply
            parent.progress = 100
            parent.save(update_fields=["state", "result", "reply", "progress"])
            for leader in receivers(parent):
                notices.send(leader, kind="task.awaiting", title=parent.subject, url=task_url(parent),
                             key=f"task:{parent.pk}:awaiting:{task.pk}")
        else:
            finish(parent, acting=acting, result=task.result, reply=task.reply)
        return
    if task.parent_id is None and task.document_id is not None:
        document_progressed(task.document_id)


def document_progressed(document_id: int) -> None:
    """The document's handling state from all its top-level lead and co-operating tasks."""
    document = lock(Document.objects.get(pk=document_id))
    work = Assignment.objects.filter(document=document, parent__isnull=True,
                                     role__in=(AssignmentRole.LEAD, AssignmentRole.COOPERATE))
    if not work.filter(state__in=OPEN_STATES).exists() and work.filter(state=AssignmentState.DONE).exists():
        if document.status != Status.DONE:
            document.status = Status.DONE
            document.version += 1
            document.save(update_fields=["status", "version", "updated_at"])
            delivery.report_handling(document, MessageStatus.DONE)  # 06 to the sender: lead and co-operating work done
        return
    touch_document(document)


def touch_document(document: Document) -> None:
    if document.status in (Status.DIRECTED, Status.PRESENTED, Status.REGISTERED):
        document.status = Status.IN_PROGRESS
        document.version += 1
        document.save(update_fields=["status", "version", "updated_at"])
        delivery.report_handling(document, MessageStatus.IN_PROGRESS)  # 05 to the sender: the status only
