"""Incoming documents: the clerk registers a document brought in, accepts or returns one received electronically."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Header, Router, UploadedFile
from ninja.responses import Status

from vanthu.api.auth import person_of
from vanthu.api.common import (
    checked_uploads,
    created,
    detail_of,
    doc_type_by_id,
    document_for,
    unit_by_id,
)
from vanthu.api.errors import ErrorOut
from vanthu.api.schemas import (
    CodeNotation,
    CodeNumber,
    Description,
    DocumentDetail,
    FormIn,
    In,
    OrganId,
    OrganName,
    Reason,
    SignerName,
    SignerPosition,
    Subject,
    ToPlaces,
)
from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents import actions, uploads
from vanthu.documents.models import ReceivedVia

router = Router()

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut,
                                     422: ErrorOut}


class IncomingIn(FormIn):
    """What the clerk reads off an incoming document (Phụ lục VI incoming metadata)."""

    unit: int = Field(description="Đơn vị nhận (người gọi phải là văn thư của đơn vị này)")
    doc_type: int = Field(description="Mã loại văn bản (GET /document-types)")
    organ_name: OrganName = Field(description="Cơ quan ban hành")
    subject: Subject = Field(description="Trích yếu nội dung")
    code_number: CodeNumber = ""
    code_notation: CodeNotation = ""
    issued_date: dt.date | None = None
    organ_id: OrganId = ""
    signer_name: SignerName = ""
    signer_position: SignerPosition = ""
    urgency: Urgency = Urgency.NORMAL
    urgent_until: dt.datetime | None = Field(None, description="Giờ hẹn, bắt buộc với Hỏa tốc hẹn giờ (4)")
    secrecy: Secrecy = Secrecy.NONE
    page_amount: int | None = Field(None, ge=1, le=999)
    due_date: dt.date | None = None
    description: Description = ""
    to_places: ToPlaces = ""
    received_via: ReceivedVia = ReceivedVia.PAPER
    arrival_at: dt.datetime | None = Field(None, description="Thời điểm đến (mặc định: bây giờ)")
    check_duplicates: bool = Field(
        False, description="Từ chối (409, possible_duplicate) khi sổ đã có văn bản cùng số, ký hiệu, cơ quan ban "
                           "hành và ngày, hoặc cùng tệp; gửi lại với false để vẫn vào sổ (ghi nhật ký).")


@router.post(
    "/incoming", response={201: DocumentDetail, 200: DocumentDetail, **ERRORS},
    summary="Tiếp nhận và vào sổ văn bản đến (tệp PDF, kèm phụ lục)",
    description="Multipart form: the metadata fields, `file` (PDF) and optional `attachments` (PDF or DOCX). "
                "Send an `Idempotency-Key` header to make a retry safe: a repeated key answers 200 with the "
                "document the first request created.",
)
def register_incoming(
    request: HttpRequest,
    response: HttpResponse,
    data: Form[IncomingIn],
    file: File[UploadedFile],
    attachments: File[list[UploadedFile] | None] = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[DocumentDetail] | DocumentDetail:
    person = person_of(request)
    main, extra = checked_uploads(request, file, attachments, main_allowed=(uploads.PDF,),
                                  attachment_allowed=(uploads.PDF, uploads.DOCX))
    incoming = actions.IncomingData(
        doc_type=doc_type_by_id(data.doc_type), organ_name=data.organ_name, subject=data.subject,
        code_number=data.code_number, code_notation=data.code_notation, issued_date=data.issued_date,
        organ_id=data.organ_id, signer_name=data.signer_name, signer_position=data.signer_position,
        urgency=data.urgency, urgent_until=data.urgent_until, secrecy=data.secrecy, page_amount=data.page_amount,
        due_date=data.due_date,
        description=data.description, to_places=data.to_places, received_via=data.received_via,
    )
    unit = unit_by_id(data.unit, field="unit")
    return created(request, response, lambda token: actions.register_incoming(
        unit=unit, acting=person, data=incoming, file=main, attachments=extra, arrival_at=data.arrival_at,
        client_token=token, check_duplicates=data.check_duplicates,
    ), operation="POST /incoming")


class RegisterIn(In):
    expected_version: int | None = Field(None, description="Phiên bản đã đọc (409 nếu đã bị người khác thay đổi)")


@router.post("/documents/{document_id}/register", response={200: DocumentDetail, **ERRORS},
             summary="Vào sổ văn bản đến nhận qua mạng (Chờ vào sổ → Đã vào sổ)")
def register_received(request: HttpRequest, document_id: int, payload: RegisterIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.register_received(document=document, acting=person_of(request),
                              expected_version=payload.expected_version)
    return detail_of(request, document)


class ReturnIn(In):
    reason: Reason = Field(description="Lý do trả lại")


@router.post("/documents/{document_id}/return", response={200: DocumentDetail, **ERRORS},
             summary="Trả lại văn bản đến nhận qua mạng cho nơi gửi, kèm lý do")
def return_received(request: HttpRequest, document_id: int, payload: ReturnIn) -> DocumentDetail:
    document = document_for(request, document_id)
    actions.return_received(document=document, acting=person_of(request), reason=payload.reason)
    return detail_of(request, document)
