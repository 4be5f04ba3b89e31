"""Tasks and directives (decision 0015): my work, a task, and every action on it; issue a directive, its roll-up.
The same actions as the pages (workflow.task_actions, workflow.directive_actions); 404 for what one may not see."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, File, Form, Router, Schema, UploadedFile

from vanthu.api.auth import person_of
from vanthu.api.common import person_by_id, reject_if_too_large, unit_by_id
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import FormIn, In, LongText, Note, PersonRef, RequiredLongText, UnitRef
from vanthu.org.models import Person, Unit
from vanthu.org.queries import scope_of
from vanthu.workflow import directive_actions, permissions, task_actions, task_queries, task_reads
from vanthu.workflow.models import Assignment, Directive, ExtensionRequest, Recurrence
from vanthu.workflow.task_actions import Handover

router = Router()
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TaskOut(Schema):
    id: int
    subject: str
    role: str
    part: str
    state: str
    state_label: str
    person: PersonRef | None
    unit: UnitRef | None
    deadline: dt.date | None
    overdue: bool
    urgency: int
    progress: int
    parent_id: int | None
    document_id: int | None
    directive_id: int | None
    reply_id: int | None
    result: str
    seen_at: dt.datetime | None


def task_out(t: Assignment) -> TaskOut:
    return TaskOut(
        id=t.pk, subject=t.subject, role=t.role, part=t.part, state=t.state, state_label=t.state_label,
        person=PersonRef.of(t.person) if t.person else None, unit=UnitRef.of(t.unit) if t.unit else None,
        deadline=t.deadline, overdue=permissions.is_overdue(t, today=dt.date.today()), urgency=t.urgency,
        progress=t.progress, parent_id=t.parent_id, document_id=t.document_id, directive_id=t.directive_id,
        reply_id=t.reply_id, result=t.result, seen_at=t.seen_at,
    )


class TaskPage(Schema):
    items: list[TaskOut]
    next: str | None = Field(None, description="Con trỏ trang sau (tham số after)")


class NoteOut(Schema):
    id: int
    kind: str
    author: PersonRef
    text: str
    percent: int | None
    file_name: str = Field(description="Tên tệp kèm theo (rỗng: không có); tải ở /tasks/{id}/notes/{note}/file")
    created_at: dt.datetime


class TaskDetail(TaskOut):
    children: list[TaskOut]
    notes: list[NoteOut]


def _task(request: HttpRequest, task_id: int) -> Assignment:
    return permissions.access_task(person_of(request), task_id)


def _fresh(request: HttpRequest, task_id: int) -> TaskDetail:
    task = _task(request, task_id)
    notes = [NoteOut(id=n.pk, kind=n.kind, author=PersonRef.of(n.author), text=n.text, percent=n.percent,
                     file_name=n.file_name, created_at=n.created_at) for n in task_queries.notes(task)]
    return TaskDetail(**task_out(task).model_dump(), children=[task_out(c) for c in task_queries.children(task)],
                      notes=notes)


@router.get("/work", response={200: TaskPage, **ERRORS}, summary="Việc của tôi: quá hạn lên đầu, theo hạn, độ khẩn")
def my_work(request: HttpRequest, after: str | None = None) -> TaskPage:
    page = task_queries.my_work(person_of(request), cursor=after)
    return TaskPage(items=[task_out(t) for t in page.rows], next=page.next)


@router.get("/tasks/{task_id}", response={200: TaskDetail, **ERRORS}, summary="Một việc và các việc giao tiếp")
def task_detail(request: HttpRequest, task_id: int) -> TaskDetail:
    return _fresh(request, task_id)


class TaskHandoverIn(In):
    type: Literal["unit", "person"]
    id: int
    part: Literal["lead", "cooperate", "info"] = "lead"
    deadline: dt.date | None = None


def _handovers(items: list[TaskHandoverIn]) -> list[Handover]:
    out = []
    for h in items:
        target: Person | Unit = (unit_by_id(h.id, field=h.part) if h.type == "unit"
                                 else person_by_id(h.id, field=h.part))
        out.append(Handover(target, h.part, h.deadline))
    return out


class AssignIn(In):
    title: RequiredLongText
    to: list[TaskHandoverIn] = Field(max_length=200)
    urgency: int = 0
    note: Note = ""


@router.post("/tasks", response={200: list[TaskOut], **ERRORS}, summary="Giao việc (không kèm văn bản)")
def assign(request: HttpRequest, payload: AssignIn) -> list[TaskOut]:
    tasks = task_actions.assign(acting=person_of(request), title=payload.title, handovers=_handovers(payload.to),
                                urgency=payload.urgency, note=payload.note)
    return [task_out(t) for t in tasks]


class DelegateIn(In):
    to: list[TaskHandoverIn] = Field(max_length=200)
    note: Note = ""


@router.post("/tasks/{task_id}/delegate", response={200: TaskDetail, **ERRORS}, summary="Giao tiếp xuống cấp dưới")
def delegate(request: HttpRequest, task_id: int, payload: DelegateIn) -> TaskDetail:
    task_actions.delegate(task=_task(request, task_id), acting=person_of(request), handovers=_handovers(payload.to),
                          note=payload.note)
    return _fresh(request, task_id)


class ProgressIn(FormIn):
    text: RequiredLongText
    percent: int | None = Field(None, ge=0, le=100)


@router.post("/tasks/{task_id}/progress", response={200: TaskDetail, **ERRORS}, summary="Báo cáo tiến độ",
             description="Multipart form: `text`, optional `percent` (0–100) and optional `file` (any file up to "
                         "the upload limit; downloaded from /tasks/{id}/notes/{note}/file).")
def progress(
    request: HttpRequest, task_id: int, payload: Form[ProgressIn], file: File[UploadedFile | None] = None
) -> TaskDetail:
    task = _task(request, task_id)
    reject_if_too_large(request, [file] if file is not None else [])
    task_actions.report_progress(task=task, acting=person_of(request), text=payload.text, percent=payload.percent,
                                 file=file)
    return _fresh(request, task_id)


@router.get(
    "/tasks/{task_id}/notes/{note_id}/file", summary="Tải tệp kèm theo một báo cáo tiến độ",
    openapi_extra={"responses": {200: {"description": "The file's bytes", "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}},
)
def note_file(request: HttpRequest, task_id: int, note_id: int) -> FileResponse:
    task = _task(request, task_id)
    note = task_queries.note_file(task, note_id)
    task_reads.record_download(request, person_of(request), task, {"note": note.pk, "file": note.file_name}, via="api")
    response = FileResponse(note.file.open("rb"), as_attachment=True, filename=note.file_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class ResultIn(In):
    result: RequiredLongText
    reply: int | None = Field(None, description="Mã văn bản đi trả lời (nếu có)")


@router.post("/tasks/{task_id}/complete", response={200: TaskDetail, **ERRORS}, summary="Báo cáo hoàn thành")
def complete(request: HttpRequest, task_id: int, payload: ResultIn) -> TaskDetail:
    from vanthu.documents.access import access_document

    person = person_of(request)
    reply = access_document(person, payload.reply) if payload.reply is not None else None
    task_actions.complete(task=_task(request, task_id), acting=person, result=payload.result, reply=reply)
    return _fresh(request, task_id)


class ReasonIn(In):
    reason: LongText


@router.post("/tasks/{task_id}/return", response={200: TaskDetail, **ERRORS}, summary="Trả lại việc, nêu lý do")
def return_task(request: HttpRequest, task_id: int, payload: ReasonIn) -> TaskDetail:
    task_actions.return_task(task=_task(request, task_id), acting=person_of(request), reason=payload.reason)
    return _fresh(request, task_id)


@router.post("/tasks/{task_id}/accept", response={200: TaskDetail, **ERRORS}, summary="Chỉ huy duyệt kết quả")
def accept(request: HttpRequest, task_id: int) -> TaskDetail:
    task_actions.accept(task=_task(request, task_id), acting=person_of(request))
    return _fresh(request, task_id)


@router.post("/tasks/{task_id}/send-back", response={200: TaskDetail, **ERRORS}, summary="Yêu cầu làm lại")
def send_back(request: HttpRequest, task_id: int, payload: ReasonIn) -> TaskDetail:
    task_actions.send_back(task=_task(request, task_id), acting=person_of(request), reason=payload.reason)
    return _fresh(request, task_id)


@router.post("/tasks/{task_id}/seen", response={200: TaskDetail, **ERRORS}, summary="Đã xem (việc để biết)")
def seen(request: HttpRequest, task_id: int) -> TaskDetail:
    task_actions.mark_seen(task=_task(request, task_id), acting=person_of(request))
    return _fresh(request, task_id)


class ExtensionIn(In):
    deadline: dt.date
    reason: LongText


class ExtensionOut(Schema):
    id: int
    task_id: int
    deadline: dt.date
    state: str


@router.post("/tasks/{task_id}/extension", response={200: ExtensionOut, **ERRORS}, summary="Xin gia hạn")
def extension(request: HttpRequest, task_id: int, payload: ExtensionIn) -> ExtensionOut:
    made = task_actions.request_extension(task=_task(request, task_id), acting=person_of(request),
                                          deadline=payload.deadline, reason=payload.reason)
    return ExtensionOut(id=made.pk, task_id=made.task_id, deadline=made.deadline, state=made.state)


class DecideIn(In):
    approve: bool


@router.post("/extensions/{extension_id}/decide", response={200: ExtensionOut, **ERRORS},
             summary="Người giao việc đồng ý hoặc không đồng ý gia hạn")
def decide(request: HttpRequest, extension_id: int, payload: DecideIn) -> ExtensionOut:
    ext = ExtensionRequest.objects.filter(pk=extension_id).first()
    if ext is None:
        raise Http404
    _task(request, ext.task_id)
    made = task_actions.decide_extension(request=ext, acting=person_of(request), approve=payload.approve)
    return ExtensionOut(id=made.pk, task_id=made.task_id, deadline=made.deadline, state=made.state)


class DirectiveIn(In):
    title: RequiredLongText
    text: LongText = ""
    units: list[int] = Field(max_length=500)
    deadline: dt.date | None = None
    urgency: int = 0
    source_note: Note = ""
    weekly_on: int | None = Field(None, ge=0, le=6, description="Lặp lại hằng tuần vào thứ (0 = thứ Hai)")


class RollupRowOut(Schema):
    task: TaskOut
    bucket: str


class RollupOut(Schema):
    id: int
    title: str
    done_on_time: int
    done_late: int
    overdue: int
    in_time: int
    rows: list[RollupRowOut]


def _rollup(request: HttpRequest, directive_id: int) -> RollupOut:
    person = person_of(request)
    directive = Directive.objects.filter(pk=directive_id).select_related("unit").first()
    if directive is None or not (scope_of(person).leads(directive.unit) or directive.author_id == person.pk):
        raise Http404
    rows, tally = task_queries.directive_rollup(directive)
    return RollupOut(id=directive.pk, title=directive.title, done_on_time=tally.done_on_time,
                     done_late=tally.done_late, overdue=tally.overdue, in_time=tally.in_time,
                     rows=[RollupRowOut(task=task_out(r.task), bucket=r.bucket) for r in rows])


@router.post("/directives", response={200: RollupOut, **ERRORS}, summary="Ban hành chỉ đạo đến nhiều đơn vị")
def issue(request: HttpRequest, payload: DirectiveIn) -> RollupOut:
    person = person_of(request)
    led = sorted(Unit.objects.filter(pk__in=scope_of(person).leader_unit_ids), key=lambda u: u.path)
    if not led:
        raise Http404
    made = directive_actions.issue(
        acting=person, unit=led[0], title=payload.title, text=payload.text,
        units=[unit_by_id(pk, field="units") for pk in payload.units], deadline=payload.deadline,
        urgency=payload.urgency, source_note=payload.source_note,
        recurrence=Recurrence.WEEKLY if payload.weekly_on is not None else Recurrence.NONE, weekday=payload.weekly_on)
    return _rollup(request, made.pk)


@router.get("/directives/{directive_id}", response={200: RollupOut, **ERRORS}, summary="Tổng hợp thực hiện chỉ đạo")
def rollup(request: HttpRequest, directive_id: int) -> RollupOut:
    return _rollup(request, directive_id)
