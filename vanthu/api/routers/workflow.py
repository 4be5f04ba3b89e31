"""Handling incoming documents: present to a leader, the leader's direction, and the assignments that follow."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router

from vanthu.api.auth import person_of
from vanthu.api.common import detail_of, document_for, person_by_id, unit_by_id
from vanthu.api.errors import ErrorOut
from vanthu.api.queries import assignment_out
from vanthu.api.schemas import AssignmentOut, DocumentDetail, In, LongText, Note, RequiredLongText
from vanthu.core.errors import ActionRefused
from vanthu.documents.access import access_document
from vanthu.documents.models import Document
from vanthu.org.models import Person, Unit
from vanthu.workflow import actions
from vanthu.workflow.models import Assignment
from vanthu.workflow.permissions import access_assignment

router = Router()

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PresentIn(In):
    to: int = Field(description="Mã cán bộ chỉ huy được trình")
    note: Note = ""


@router.post("/documents/{document_id}/present", response={200: DocumentDetail, **ERRORS},
             summary="Trình văn bản đến cho chỉ huy xin ý kiến chỉ đạo")
def present(request: HttpRequest, document_id: int, payload: PresentIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.present(document=document, acting=person_of(request), to=person_by_id(payload.to, field="to"),
                    note=payload.note)
    return detail_of(request, document)


class TargetIn(In):
    type: Literal["unit", "person"]
    id: int
    deadline: dt.date | None = Field(None, description="Hạn riêng của nơi chủ trì, phối hợp (để trống thì theo hạn "
                                                       "chung; không muộn hơn hạn chung, hạn của văn bản)")


class DirectIn(In):
    text: RequiredLongText = Field(description="Ý kiến chỉ đạo (bút phê)")
    lead: TargetIn = Field(description="Đơn vị hoặc cán bộ chủ trì")
    cooperate: list[TargetIn] = Field(default_factory=list, max_length=50, description="Phối hợp")
    info: list[TargetIn] = Field(default_factory=list, max_length=50, description="Để biết")
    deadline: dt.date | None = Field(None, description="Hạn xử lý (không ở trong quá khứ)")


def _target(item: TargetIn, *, field: str) -> Person | Unit:
    if item.type == "unit":
        return unit_by_id(item.id, field=field)
    return person_by_id(item.id, field=field)


@router.post("/documents/{document_id}/direct", response={200: DocumentDetail, **ERRORS},
             summary="Cho ý kiến chỉ đạo: chủ trì, phối hợp, để biết, hạn xử lý")
def direct(request: HttpRequest, document_id: int, payload: DirectIn) -> DocumentDetail:
    document = document_for(request, document_id)
    lead = _target(payload.lead, field="lead")
    cooperate = [(_target(t, field="cooperate"), t.deadline) for t in payload.cooperate]
    own = {target: due for target, due in [(lead, payload.lead.deadline), *cooperate] if due is not None}
    actions.direct(
        document=document, acting=person_of(request), text=payload.text, lead=lead,
        cooperate=[target for target, _due in cooperate],
        info=[_target(t, field="info") for t in payload.info], deadline=payload.deadline, deadlines=own,
    )
    return detail_of(request, document)


def _assignment_for(request: HttpRequest, assignment_id: int) -> Assignment:
    return access_assignment(person_of(request), assignment_id)


def _fresh(request: HttpRequest, assignment: Assignment) -> AssignmentOut:
    return assignment_out(access_assignment(person_of(request), assignment.pk))


class ForwardIn(In):
    to: int = Field(description="Mã cán bộ thuộc đơn vị được giao")
    note: Note = ""
    deadline: dt.date | None = Field(None, description="Không muộn hơn hạn của đơn vị")


@router.post("/assignments/{assignment_id}/forward", response={200: AssignmentOut, **ERRORS},
             summary="Chuyển việc giao cho đơn vị đến một cán bộ của đơn vị")
def forward(request: HttpRequest, assignment_id: int, payload: ForwardIn) -> AssignmentOut:
    assignment = _assignment_for(request, assignment_id)
    child = actions.forward(assignment=assignment, acting=person_of(request), to=person_by_id(payload.to, field="to"),
                            note=payload.note, deadline=payload.deadline)
    return assignment_out(child)  # the new assignment is the recipient's; the caller just created it


@router.post("/assignments/{assignment_id}/start", response={200: AssignmentOut, **ERRORS},
             summary="Bắt đầu xử lý việc được giao")
def start(request: HttpRequest, assignment_id: int) -> AssignmentOut:
    assignment = _assignment_for(request, assignment_id)
    actions.start(assignment=assignment, acting=person_of(request))
    return _fresh(request, assignment)


def _reply(person: Person, pk: int | None) -> Document | None:
    if pk is None:
        return None
    try:
        return access_document(person, pk)
    except Http404 as exc:
        raise ActionRefused(_("Không tìm thấy văn bản trả lời có mã này."), code="not_found", field="reply") from exc


class CompleteIn(In):
    result: LongText = Field("", description="Kết quả xử lý (bắt buộc với chủ trì, phối hợp)")
    reply: int | None = Field(None, description="Mã văn bản trả lời (nếu có)")


@router.post("/assignments/{assignment_id}/complete", response={200: AssignmentOut, **ERRORS},
             summary="Báo cáo kết quả, hoàn thành việc được giao")
def complete(request: HttpRequest, assignment_id: int, payload: CompleteIn) -> AssignmentOut:
    person = person_of(request)
    assignment = _assignment_for(request, assignment_id)
    reply = _reply(person, payload.reply)
    actions.complete(assignment=assignment, acting=person, result=payload.result, reply=reply)
    return _fresh(request, assignment)
