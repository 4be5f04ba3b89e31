"""Statuses (issue 8): a sent document's recipients with their trail of statuses, the clerk's arrivals to
register, the answer to a recall, and sending a failed status again."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vanthu.api.auth import person_of
from vanthu.api.common import detail_of, document_for
from vanthu.api.errors import ErrorOut
from vanthu.api.routers.outgoing import retry_message
from vanthu.api.schemas import DocumentDetail, In, Reason, UnitRef
from vanthu.documents import actions, trails
from vanthu.documents.models import MessageKind, OutboxMessage, RecipientStatus
from vanthu.documents.outbox import failure_text

router = Router()

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TrailEntryOut(Schema):
    status: str
    status_label: str
    code: str = Field(description="Mã trạng thái edXML: 01 đã đến … 06 hoàn thành, 02 trả lại, 15/16 trả lời thu hồi")
    reason: str = Field(description="Lý do (02, 16) hoặc nội dung tiến độ (05)")
    at: dt.datetime | None = Field(description="Thời điểm tại nơi nhận")
    received_at: dt.datetime
    transport: str
    signer: str
    verified: bool = Field(description="Chữ ký của nơi nhận trên trạng thái đã được xác minh (nội bộ: false)")
    document_sha256: str = Field(description="Mã băm SHA-256 của văn bản mà trạng thái gắn với")
    evidence_url: str | None = Field(description="Tải gói tin đã ký của trạng thái, khi có")

    @classmethod
    def of(cls, row: RecipientStatus, document_id: int) -> TrailEntryOut:
        return cls(status=row.status, status_label=row.get_status_display(), code=row.edxml_code, reason=row.reason,
                   at=row.at, received_at=row.received_at, transport=row.transport, signer=row.signer,
                   verified=row.verified, document_sha256=row.document_sha256,
                   evidence_url=(f"/documents/{document_id}/trail/{row.pk}/evidence/" if row.evidence_id else None))


class RecipientTrailOut(Schema):
    id: int
    unit: UnitRef | None
    external_name: str
    state: str
    state_label: str
    reason: str
    sent_at: dt.datetime | None
    delivery_id: int | None
    delivery_state: str
    delivery_failure: str
    trail: list[TrailEntryOut]


@router.get("/documents/{document_id}/recipients", response={200: list[RecipientTrailOut], **ERRORS},
            summary="Nơi nhận của văn bản đi, mỗi nơi với trạng thái chuyển và các trạng thái đã báo về")
def recipients(request: HttpRequest, document_id: int) -> list[RecipientTrailOut]:
    document = document_for(request, document_id)
    rows = list(document.recipients.select_related("unit").order_by("pk"))
    messages = {m.recipient_id: m for m in OutboxMessage.objects.filter(document=document, kind=MessageKind.DOCUMENT)}
    trail = trails.trails_for(r.pk for r in rows)
    out = []
    for r in rows:
        message = messages.get(r.pk)
        out.append(RecipientTrailOut(
            id=r.pk, unit=UnitRef.of(r.unit) if r.unit else None, external_name=r.external_name, state=r.state,
            state_label=r.get_state_display(), reason=r.reason, sent_at=r.sent_at,
            delivery_id=message.pk if message else None, delivery_state=message.state if message else "",
            delivery_failure=failure_text(message) if message else "",
            trail=[TrailEntryOut.of(t, document.pk) for t in trail.get(r.pk, [])],
        ))
    return out


class ArrivalOut(Schema):
    id: int
    unit: UnitRef
    organ_name: str
    notation: str
    subject: str
    urgency: int
    urgency_label: str
    arrival_at: dt.datetime | None
    received_via: str
    recall_reason: str = Field("", description="Lý do thu hồi, khi nơi gửi đã yêu cầu thu hồi")


class ArrivalsOut(Schema):
    waiting: list[ArrivalOut] = Field(description="Chờ vào sổ: khẩn trước, rồi đến trước")
    recall_pending: list[ArrivalOut] = Field(description="Yêu cầu thu hồi văn bản đã xử lý xong, chờ quyết định")
    recalled: list[ArrivalOut] = Field(description="Đã hủy theo thu hồi (30 ngày gần đây)")


def _arrival(row: trails.QueueRow) -> ArrivalOut:
    d = row.document
    return ArrivalOut(id=d.pk, unit=UnitRef.of(d.unit), organ_name=d.organ_name, notation=d.notation,
                      subject=d.subject, urgency=d.urgency, urgency_label=d.get_urgency_display(),
                      arrival_at=d.arrival_at, received_via=d.received_via,
                      recall_reason=row.arrival.cancel_reason if row.arrival else "")


@router.get("/arrivals", response=ArrivalsOut, summary="Văn bản đến chờ vào sổ của văn thư, và các văn bản bị thu hồi")
def arrivals(request: HttpRequest) -> ArrivalsOut:
    queue = trails.arrivals_queue(person_of(request))
    return ArrivalsOut(waiting=[_arrival(r) for r in queue.waiting],
                       recall_pending=[_arrival(r) for r in queue.recall_pending],
                       recalled=[_arrival(r) for r in queue.recalled])


class RefuseRecallIn(In):
    reason: Reason = Field(description="Lý do từ chối thu hồi")


@router.post("/documents/{document_id}/recall/accept", response={200: DocumentDetail, **ERRORS},
             summary="Đồng ý thu hồi văn bản đến đã xử lý xong (trạng thái 15 về nơi gửi)")
def accept_recall(request: HttpRequest, document_id: int) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.accept_recall(document=document, acting=person_of(request))
    return detail_of(request, document)


@router.post("/documents/{document_id}/recall/refuse", response={200: DocumentDetail, **ERRORS},
             summary="Từ chối thu hồi, kèm lý do (trạng thái 16 về nơi gửi)")
def refuse_recall(request: HttpRequest, document_id: int, payload: RefuseRecallIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.refuse_recall(document=document, acting=person_of(request), reason=payload.reason)
    return detail_of(request, document)


@router.post("/documents/{document_id}/statuses/{status_id}/retry", response={200: DocumentDetail, **ERRORS},
             summary="Gửi lại trạng thái chưa chuyển được tới nơi gửi")
def retry_status(request: HttpRequest, document_id: int, status_id: int) -> DocumentDetail:
    return retry_message(request, document_id, status_id, kind=MessageKind.STATUS)
