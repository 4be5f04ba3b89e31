"""Working on tasks (decision 0015): give a task, pass it down, report progress, ask for more time and decide,
return it, complete it, accept or send back a unit's result, mark a for-information task seen.

Every action locks the task row, checks the acting person's right (`permissions`), writes one audit event; a
refusal changes nothing. Roll-up is `tree.finish`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vanthu.audit import log
from vanthu.core.actions import action
from vanthu.core.choices import Urgency
from vanthu.core.errors import ActionRefused
from vanthu.core.files import store_bytes
from vanthu.documents import uploads
from vanthu.documents.actions import delivery
from vanthu.documents.models import Document, MessageStatus
from vanthu.documents.uploads import CheckedFile
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.workflow import notices, permissions, tree
from vanthu.workflow.models import (
    HANDLER_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    ExtensionRequest,
    ExtensionState,
    NoteKind,
    Part,
    TaskFile,
    TaskNote,
)

Target = Person | Unit
MAX_RESULT_FILES = 10


@dataclass(frozen=True)
class Handover:
    """One receiver of a task: a person or unit, its part, and its own deadline (None: the parent's)."""

    target: Target
    part: str = Part.LEAD
    deadline: dt.date | None = None


def refuse() -> ActionRefused:
    return ActionRefused(_("Bạn không có quyền thực hiện thao tác này với công việc."), code="forbidden",
                         status=403)


def locked(task: Assignment) -> Assignment:
    return (Assignment.objects.select_for_update(of=("self",))
            .select_related("document__unit", "unit", "person__unit", "parent__unit", "parent__person__unit",
                            "directive__unit", "created_by")
            .get(pk=task.pk))


def _unit_of(task: Assignment) -> Unit:
    return task.unit if task.unit is not None else task.person.unit  # type: ignore[union-attr]


def _audit(task: Assignment, *, acting: Person, verb: str, **data: object) -> None:
    """A document's task is recorded against the document (its history shows it), any other against the task.
    A stand-in's act records the person they act for beside their own name (issue 12)."""
    data = {**data, **permissions.acting_for(acting, task)}
    if task.document is not None:
        log.record(actor=acting, verb=verb, target=task.document, unit=task.document.unit,
                   data={"task": task.pk, **data})
    else:
        log.record(actor=acting, verb=verb, target=task, unit=_unit_of(task), data={"task": task.pk, **data})


def text_of(value: str, *, field: str, required: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ActionRefused(required, code=f"{field}_required", field=field)
    if len(value) > limit:
        raise ActionRefused(_("Nội dung dài quá %(limit)s ký tự.") % {"limit": limit}, code="too_long",
                            field=field)
    return value


def check_handovers(handovers: Sequence[Handover], *, inside: Unit | None, acting: Person,
                    limit: dt.date | None, parent: Assignment | None, document: Document | None) -> None:
    """Each receiver inside the giver's reach, active, cleared; one lead at most; no one twice; deadlines in
    order; no loop."""
    if not handovers:
        raise ActionRefused(_("Hãy chọn người hoặc đơn vị nhận việc."), code="target_required", field="lead")
    if sum(1 for h in handovers if h.part == Part.LEAD) > 1:
        raise ActionRefused(_("Chỉ một người hoặc đơn vị chủ trì."), code="two_leads", field="lead")
    scope = scope_of(acting)
    seen: set[tuple[str, int]] = set()
    for h in handovers:
        field = h.part
        unit = h.target if isinstance(h.target, Unit) else h.target.unit
        reach = unit.path.startswith(inside.path) if inside is not None else scope.leads(unit)
        if not reach or not unit.is_active or (isinstance(h.target, Person) and not h.target.is_active):
            raise ActionRefused(
                _("“%(name)s” không thuộc phạm vi bạn được giao việc; không thể giao.") % {"name": str(h.target)},
                code="target_outside_tree", field=field,
            )
        key = (type(h.target).__name__, h.target.pk)
        if key in seen:
            raise ActionRefused(_("“%(name)s” được chọn hai lần.") % {"name": str(h.target)},
                                code="duplicate_target", field=field)
        seen.add(key)
        if parent is not None:
            tree.check_no_cycle(parent, h.target, field=field)
            same = Q(unit=h.target) if isinstance(h.target, Unit) else Q(person=h.target)
            if parent.forwards.filter(same, state__in=(*HANDLER_STATES, AssignmentState.AWAITING)).exists():
                raise ActionRefused(
                    _("“%(name)s” đang được giao việc này rồi (gửi hai lần?).") % {"name": str(h.target)},
                    code="duplicate_submission", field=field, status=409,
                )
        tree.check_deadline(h.deadline, limit=limit, field=field)
        if document is not None:
            from vanthu.documents import access

            refusal = (access.person_refusal(h.target, document.secrecy, field=field, target=document)
                       if isinstance(h.target, Person)
                       else access.unit_refusal(h.target, document.secrecy, field=field, target=document))
            if refusal is not None:
                raise refusal


@action("workflow.task.assigned")
def assign(
    *, acting: Person, title: str, handovers: Sequence[Handover], urgency: int = Urgency.NORMAL,
    note: str = "", client_token: uuid.UUID | None = None,
) -> list[Assignment]:
    """A task given on its own (no document, no directive) by a leader to people or units he leads."""
    title = text_of(title, field="title", required=_("Hãy ghi nội dung công việc."), limit=500)
    if client_token is not None and Assignment.objects.filter(client_token=client_token).exists():
        raise ActionRefused(_("Yêu cầu này đã được thực hiện (gửi hai lần); không giao thêm việc."),
                            code="duplicate_submission", status=409)
    if not scope_of(acting).leader_paths:
        raise refuse()
    check_handovers(handovers, inside=None, acting=acting, limit=None, parent=None, document=None)
    tasks = []
    for i, h in enumerate(handovers):
        role = tree.child_role(AssignmentRole.LEAD, h.part)
        task = tree.make_task(role=role, part=h.part, target=h.target, acting=acting, deadline=h.deadline,
                              urgency=urgency, title=title, note=note)
        if i == 0 and client_token is not None:
            task.client_token = client_token
            try:
                with transaction.atomic():
                    task.save(update_fields=["client_token"])
            except IntegrityError as exc:
                raise ActionRefused(_("Yêu cầu này đã được thực hiện (gửi hai lần); không giao thêm việc."),
                                    code="duplicate_submission", status=409) from exc
        tasks.append(task)
    _audit(tasks[0], acting=acting, verb="workflow.task.assigned", title=title,
           to=[str(h.target) for h in handovers])
    return tasks


@action("workflow.task.delegated")
def delegate(*, task: Assignment, acting: Person, handovers: Sequence[Handover], note: str = "") -> list[Assignment]:
    """Pass a task down: to people or sub-units of the unit given it (or that its person leads), each with a
    deadline no later than the task's own."""
    task = locked(task)
    if not permissions.can_delegate(acting, task):
        raise refuse()
    check_handovers(handovers, inside=task.unit, acting=acting, limit=task.deadline, parent=task,
                    document=task.document)
    children = [
        tree.make_task(role=tree.child_role(task.role, h.part), part=h.part, target=h.target, acting=acting,
                       deadline=h.deadline or (None if h.part == Part.INFO else task.deadline),
                       urgency=task.urgency, document=task.document, directive=task.directive,
                       instruction=task.instruction, parent=task, note=note)
        for h in handovers
    ]
    if any(h.part == Part.LEAD for h in handovers) or task.state == AssignmentState.OPEN:
        task.state = AssignmentState.IN_PROGRESS
        task.started_at = task.started_at or timezone.now()
        task.save(update_fields=["state", "started_at"])
    if task.document is not None and task.role == AssignmentRole.LEAD and task.parent_id is None:
        delivery.report_handling(task.document, MessageStatus.ASSIGNED)  # 04 (once per document): passed on
    _audit(task, acting=acting, verb="workflow.task.delegated",
           to=", ".join(str(h.target) for h in handovers),
           handovers=[{"name": str(h.target), "part": h.part, "deadline": h.deadline} for h in handovers],
           children=[c.pk for c in children])
    return children


def _percent(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise ActionRefused(_("Tiến độ phải từ 0 đến 100%."), code="bad_percent", field="percent")
    return value


@action("workflow.task.progress")
def report_progress(
    *, task: Assignment, acting: Person, text: str, percent: int | None = None, file: UploadedFile | None = None
) -> TaskNote:
    task = locked(task)
    if not permissions.can_work_on(acting, task):
        raise refuse()
    text = text_of(text, field="text", required=_("Hãy ghi nội dung báo cáo tiến độ."), limit=2000)
    percent = _percent(percent)
    note = TaskNote(task=task, author=acting, kind=NoteKind.PROGRESS, text=text, percent=percent)
    if file is not None:
        name = (file.name or "bao-cao").replace("\\", "/").rsplit("/", 1)[-1][:100] or "bao-cao"
        data = uploads.read_upload(file, name=name, size=file.size)
        if not data:
            raise ActionRefused(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="file_empty", field="file")
        note.file.save(name, ContentFile(data), save=False)
    note.save()
    fields = ["progress"]
    if percent is not None:
        task.progress = percent
        _carry_progress(task, percent)
    if task.state == AssignmentState.OPEN:
        task.state = AssignmentState.IN_PROGRESS
        task.started_at = timezone.now()
        fields += ["state", "started_at"]
    task.save(update_fields=fields)
    if task.document is not None and task.role == AssignmentRole.LEAD:
        tree.touch_document(task.document)  # 05 to the sender when handling starts
    _audit(task, acting=acting, verb="workflow.task.progress", percent=percent, text=text[:200])
    return note


def _carry_progress(task: Assignment, percent: int) -> None:
    """The lead's progress is its parents' (unit tasks passed down whole), up to the first that is not a lead."""
    node, depth = task, 0
    while node.part == Part.LEAD and node.parent_id is not None and depth < tree.MAX_DEPTH:
        parent = Assignment.objects.filter(pk=node.parent_id).only("pk", "part", "parent_id", "state").first()
        if parent is None or parent.state not in HANDLER_STATES:
            return
        Assignment.objects.filter(pk=parent.pk).update(progress=percent)
        node, depth = parent, depth + 1


@action("workflow.task.started")
def start(*, task: Assignment, acting: Person) -> Assignment:
    task = locked(task)
    if not permissions.can_work_on(acting, task) or task.state != AssignmentState.OPEN:
        raise refuse()
    task.state = AssignmentState.IN_PROGRESS
    task.started_at = timezone.now()
    task.save(update_fields=["state", "started_at"])
    if task.document is not None and task.role == AssignmentRole.LEAD:
        tree.touch_document(task.document)  # 05 to the sender when handling starts
    _audit(task, acting=acting, verb="workflow.task.started")
    return task


@action("workflow.task.completed")
def complete(*, task: Assignment, acting: Person, result: str, reply: Document | None = None,
             files: Sequence[CheckedFile] = ()) -> Assignment:
    """Report the result (and the outgoing document answering it, linked both ways, and the result's files,
    kept in the core file store); the parent rolls up."""
    task = locked(task)
    if not permissions.can_handle(acting, task):
        raise refuse()
    if task.state in (AssignmentState.DONE, AssignmentState.AWAITING):
        raise ActionRefused(_("Việc này đã được báo cáo hoàn thành."), code="already_done", status=409)
    if not permissions.can_work_on(acting, task):
        raise refuse()
    result = text_of(result, field="result", required=_("Hãy ghi kết quả xử lý."), limit=2000)
    if reply is not None:
        from vanthu.documents.access import can_see

        if reply.is_incoming or not can_see(acting, reply):
            raise ActionRefused(_("Văn bản trả lời phải là văn bản đi bạn được xem."), code="bad_reply",
                                field="reply")
    if len(files) > MAX_RESULT_FILES:
        raise ActionRefused(_("Chỉ đính kèm được tối đa %(n)d tệp kết quả.") % {"n": MAX_RESULT_FILES},
                            code="too_many_files", field="files")
    tree.finish(task, acting=acting, result=result, reply=reply)
    for item in files:
        stored = store_bytes(item.data, content_type=item.content_type)
        TaskFile.objects.create(task=task, file=stored, name=item.name[:200], added_by=acting)
    _audit(task, acting=acting, verb="workflow.task.completed", result=result[:200],
           reply=reply.pk if reply else None, files=[f.name[:100] for f in files])
    return task


@action("workflow.task.accepted")
def accept(*, task: Assignment, acting: Person) -> Assignment:
    """The unit's leader accepts the result an officer reported for the unit's task."""
    task = locked(task)
    if not permissions.can_accept(acting, task):
        raise refuse()
    tree.finish(task, acting=acting, result=task.result, reply=task.reply)
    _audit(task, acting=acting, verb="workflow.task.accepted")
    return task


@action("workflow.task.sent_back")
def send_back(*, task: Assignment, acting: Person, reason: str) -> Assignment:
    """The unit's leader does not accept the result: the lead child is reopened with the reason."""
    task = locked(task)
    if not permissions.can_accept(acting, task):
        raise refuse()
    reason = text_of(reason, field="reason", required=_("Hãy ghi lý do yêu cầu làm lại."), limit=1000)
    task.state = AssignmentState.IN_PROGRESS
    task.result = ""
    task.progress = 0
    task.save(update_fields=["state", "result", "progress"])
    lead = task.forwards.filter(part=Part.LEAD, state=AssignmentState.DONE).order_by("-done_at").first()
    if lead is not None:
        lead.state = AssignmentState.IN_PROGRESS
        lead.done_at = None
        lead.progress = 0
        lead.save(update_fields=["state", "done_at", "progress"])
        TaskNote.objects.create(task=lead, author=acting, kind=NoteKind.SENT_BACK, text=reason)
        for person in tree.receivers(lead):
            notices.send(person, kind="task.sent_back", title=lead.subject, url=tree.task_url(lead),
                         key=f"task:{lead.pk}:sent_back:{timezone.now():%Y%m%d%H%M%S}")
    _audit(task, acting=acting, verb="workflow.task.sent_back", reason=reason[:200])
    return task


@action("workflow.task.returned")
def return_task(*, task: Assignment, acting: Person, reason: str) -> Assignment:
    """The assignee gives the task back with a reason (not theirs to do, cannot be done): the giver decides."""
    task = locked(task)
    if not permissions.can_work_on(acting, task):
        raise refuse()
    reason = text_of(reason, field="reason", required=_("Hãy ghi lý do trả lại."), limit=1000)
    task.state = AssignmentState.RETURNED
    task.returned_reason = reason
    task.done_at = timezone.now()
    task.save(update_fields=["state", "returned_reason", "done_at"])
    TaskNote.objects.create(task=task, author=acting, kind=NoteKind.RETURNED, text=reason)
    parent = task.parent
    if parent is not None and task.part == Part.LEAD and parent.state == AssignmentState.IN_PROGRESS:
        parent.state = AssignmentState.OPEN  # back on its leader's desk, to give to someone else
        parent.save(update_fields=["state"])
    notices.send(task.created_by, kind="task.returned", title=task.subject, url=tree.task_url(task),
                 key=f"task:{task.pk}:returned")
    _audit(task, acting=acting, verb="workflow.task.returned", reason=reason[:200])
    return task


@action("workflow.task.extension_requested")
def request_extension(*, task: Assignment, acting: Person, deadline: dt.date, reason: str) -> ExtensionRequest:
    task = locked(task)
    if not permissions.can_work_on(acting, task):
        raise refuse()
    reason = text_of(reason, field="reason", required=_("Hãy ghi lý do xin gia hạn."), limit=1000)
    if task.deadline is None:
        raise ActionRefused(_("Việc này không có hạn xử lý; không cần gia hạn."), code="no_deadline",
                            field="deadline")
    if deadline <= task.deadline:
        raise ActionRefused(_("Hạn đề nghị phải sau hạn hiện tại (%(deadline)s).")
                            % {"deadline": task.deadline.strftime("%d/%m/%Y")}, code="not_later", field="deadline")
    if task.extensions.filter(state=ExtensionState.PENDING).exists():
        raise ActionRefused(_("Đã có một đề nghị gia hạn đang chờ duyệt."), code="duplicate_submission",
                            status=409)
    request = ExtensionRequest.objects.create(task=task, requested_by=acting, deadline=deadline, reason=reason)
    TaskNote.objects.create(task=task, author=acting, kind=NoteKind.EXTENSION,
                            text=f"{deadline:%d/%m/%Y}: {reason}")
    notices.send(task.created_by, kind="task.extension", title=task.subject, url=tree.task_url(task),
                 key=f"extension:{request.pk}")
    _audit(task, acting=acting, verb="workflow.task.extension_requested", deadline=deadline, reason=reason[:200])
    return request


@action("workflow.task.extension_decided")
def decide_extension(*, request: ExtensionRequest, acting: Person, approve: bool) -> ExtensionRequest:
    """The assigner grants or refuses the new deadline; it may not pass the deadline of the task above."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    task = locked(request.task)
    if not permissions.can_decide(acting, task):
        raise refuse()
    if request.state != ExtensionState.PENDING:
        raise ActionRefused(_("Đề nghị gia hạn này đã được quyết định."), code="already_decided", status=409)
    if approve:
        limit = task.parent.deadline if task.parent is not None else None
        if limit is not None and request.deadline > limit:
            raise ActionRefused(
                _("Không thể gia hạn quá hạn của việc cấp trên (%(limit)s); hãy xin gia hạn việc cấp trên trước.")
                % {"limit": limit.strftime("%d/%m/%Y")}, code="deadline_after_parent", field="deadline",
            )
        task.deadline = request.deadline
        task.save(update_fields=["deadline"])
    request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    request.decided_by = acting
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    notices.send(request.requested_by, kind="task.extension_decided", title=task.subject,
                 url=tree.task_url(task), key=f"extension:{request.pk}:decided")
    _audit(task, acting=acting, verb="workflow.task.extension_decided", approved=approve, deadline=request.deadline)
    return request


@action("workflow.task.seen")
def mark_seen(*, task: Assignment, acting: Person) -> Assignment:
    """A for-information task: record who has seen it (once; seeing it again changes nothing)."""
    task = locked(task)
    if task.state != AssignmentState.INFO or not permissions.can_handle(acting, task):
        raise refuse()
    if task.seen_at is None:
        task.seen_at = timezone.now()
        task.save(update_fields=["seen_at"])
        _audit(task, acting=acting, verb="workflow.task.seen")
    return task
